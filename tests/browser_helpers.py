"""A browser context in English and the sign-in form as an English reader fills it in."""

from support import PASSWORD


def english(browser, **options):
    """A new English context (1280 x 900) and its page."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US", **options)
    context.set_default_timeout(20_000)
    return context, context.new_page()


def sign_in(page, base: str, username: str) -> None:
    """Sign in with the tests' password and wait for the dashboard."""
    page.goto(base + "/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/dashboard")
