"""The practical exam in Chromium: the examiner finds today's practical session from the menu, opens
the roster of the room, is refused a score above an item's maximum, saves a draft, signs the sheet
off (the sheet turns read-only, the result is written) and the roster shows the candidate signed."""

import pytest
from practical_world import DURING, build_practical
from sqlalchemy import select

from exams.centres.models import Registration
from lms.clock import FixedClock, install_clock
from lms.extensions import db

from support import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def world(app, make):
    practical = build_practical(make)
    install_clock(app, FixedClock(DURING))
    yield practical
    app.extensions.pop("lms.clock", None)


@pytest.fixture
def en_page(browser):
    """An English-speaking browser tab (the practical's strings are translated by the lead later)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(20_000)
    tab = context.new_page()
    yield tab
    context.close()


def test_examiner_scores_and_signs_a_sheet(live_server, en_page, world, nav, axe_check, shoot):
    page, base, candidate = en_page, live_server, world.regs[0]
    page.goto(base + "/login")
    page.get_by_label("Username").fill("examiner")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/dashboard")
    nav(page, "Practical scoring").click()
    page.get_by_role("heading", name="Practical scoring").wait_for()
    axe_check(page)
    page.get_by_role("link", name="Roster · P1").click()
    row = page.get_by_role("row").filter(has_text=candidate.person.name)
    row.get_by_text("To score").wait_for()
    axe_check(page)
    row.get_by_role("link", name="Open the sheet").click()
    page.get_by_role("heading", name="Score sheet").wait_for()
    axe_check(page)

    # The browser would stop 12 at the field's max: the server's check is what this exercises.
    page.locator("#item-K1\\.1").evaluate("el => el.removeAttribute('max')")
    page.locator("#item-K1\\.1").fill("12")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("K1.1: at most 10 points.").first.wait_for()
    axe_check(page)
    shoot(page, "practical-sheet-refused")

    scores = {"K1.1": "10", "K1.2": "5", "K1.3": "4", "K2.2": "18", "K2.3": "10", "K3.1": "16",
              "K4.1": "15", "K4.2": "5"}
    for code, points in scores.items():
        page.locator(f"#item-{code.replace('.', chr(92) + '.')}").fill(points)
    page.get_by_role("radio", name="Pass (10 points)").check()
    page.get_by_label("Note").fill("接线规范，验电到位。")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("draft sheet of").wait_for()
    page.get_by_role("button", name="Sign off").click()
    page.get_by_text("signed off: 93 points, passed").wait_for()
    page.locator("#signed-note").wait_for()
    assert page.get_by_role("button", name="Sign off").count() == 0
    axe_check(page)
    shoot(page, "practical-sheet-signed")

    page.get_by_role("link", name="Back to the roster").click()
    page.get_by_role("row").filter(has_text=candidate.person.name).get_by_text("Signed off").wait_for()
    shoot(page, "practical-roster")
    db.session.expire_all()
    result = db.session.scalar(select(Registration).where(Registration.id == candidate.id))
    assert (result.score, result.passed) == (93.0, True)
