"""Real Chromium (Debian's package) driven by Playwright against a live server on loopback."""

import os
from pathlib import Path

import pytest

from support import ARTIFACTS

CHROMIUM = Path(os.environ.get("LMS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the session; a missing browser fails the run instead of skipping it."""
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; install Debian's chromium package "
                    "(make test does this) so the browser tests can run.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    context.set_default_timeout(20_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def shoot():
    """Save a full-page screenshot under build/screenshots for a person to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def axe_check():
    """Run axe-core on the page and fail on serious or critical violations."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page) -> int:
        results = axe.run(page)
        bad = [v for v in results.response["violations"] if v["impact"] in {"serious", "critical"}]
        summary = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in bad]
        assert not bad, f"{page.url}: {summary}"
        return results.response["passes"].__len__()

    return check


@pytest.fixture
def nav():
    """Open the main navigation's group (and the narrow-screen menu) holding a link; return the link."""

    def link(page, name: str, exact: bool = False):
        menu = page.locator("#main-nav")
        # Wait for nav.js: before it runs every link shows, and it may fold one away mid-click.
        page.locator("#main-nav.enhanced").wait_for(state="attached")
        hidden_too = menu.get_by_role("link", name=name, exact=exact, include_hidden=True)
        toggle = menu.locator(".nav-toggle")
        if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
            toggle.click()
        if not hidden_too.is_visible():
            # ``has`` is matched inside each group, so it takes a page-level locator.
            inside = page.get_by_role("link", name=name, exact=exact, include_hidden=True)
            menu.locator(".nav-group", has=inside).locator(".nav-group-button").click()
        return menu.get_by_role("link", name=name, exact=exact)

    return link
