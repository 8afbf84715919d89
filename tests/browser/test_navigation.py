"""The main navigation by role: its groups, its fit at 1,280 and 390 px, the keyboard, and each home page."""

from datetime import UTC, date, datetime

import pytest

from courses.models import Catalogue, Course, CourseModule, CourseStatus, Enrollment, Lesson
from exams.demo import add_knowledge_tree
from exams.models import BankPurpose, QuestionBank
from exams.services.questions import write_items
from lms.extensions import db
from lms.models import OrgKind, Post
from lms.roles import Role

from support import PASSWORD

pytestmark = pytest.mark.browser

#: Sign-in name, role and the navigation groups it works in, in the order the bar shows them.
ROLES = {
    "system_admin": (Role.SYSTEM_ADMIN, ["training", "question_bank", "exams", "certificates",
                                         "compliance", "administration"]),
    "enterprise_admin": (Role.ENTERPRISE_ADMIN, ["training", "exams", "certificates", "compliance",
                                                 "administration"]),
    "learner": (Role.LEARNER, ["training"]),
    "trainer": (Role.TRAINER, ["training", "question_bank", "administration"]),
    "question_editor": (Role.QUESTION_EDITOR, ["training", "question_bank", "administration"]),
    "exam_centre_admin": (Role.EXAM_CENTRE_ADMIN, ["training", "exams", "administration"]),
    "regulator": (Role.REGULATOR, ["training", "compliance", "administration"]),
    "school_teacher": (Role.SCHOOL_TEACHER, ["training", "administration"]),
}
LANGS = {"zh": "zh-CN", "en": "en-US"}
GROUP_IDS = "Array.from(document.querySelectorAll('#main-nav .nav-menu')).map(e => e.id.slice(9))"
FITS = "document.documentElement.scrollWidth <= window.innerWidth"


def item(n: int) -> dict:
    return {"qtype": "true_false", "stem": f"动火作业前应进行气体检测（{n}）。", "options": [], "key": [0],
            "explanation": "", "knowledge_point": "fire.class", "difficulty": 2, "posts": [],
            "operation_codes": [], "status": "draft", "image": None}


@pytest.fixture
def world(make):
    """A small demo-like world: an enterprise, an exam centre, a school, and one account per role."""
    make.rules()
    ent = make.org("无锡恒通化工有限公司", high_risk=True, industry="hazardous_chemicals")
    centre = make.org("无锡市安全生产培训考试考核中心", kind=OrgKind.EXAM_CENTRE, industry=None)
    school = make.org("吴江区实验小学", region_code="320509", kind=OrgKind.SCHOOL, industry=None)
    person = make.person("李安全", org=ent, post=Post.SAFETY_MANAGER)
    course = Course(title="危险化学品安全管理", summary="年度再培训。", catalogue=Catalogue.SAFETY_MANAGER,
                    owner_org_id=ent.id, status=CourseStatus.PUBLISHED)
    module = CourseModule(course=course, title="第一章", position=1)
    db.session.add_all([course, module, Course(title="受限空间作业（草稿）", summary="",
                                               catalogue=Catalogue.ALL_STAFF, owner_org_id=ent.id)])
    db.session.flush()
    db.session.add(Lesson(module=module, course_id=course.id, title="职责", body_md="职责。", minutes=5,
                          position=1))
    db.session.add(Enrollment(course_id=course.id, person_id=person.id, organization_id=ent.id,
                              due_date=date(2026, 12, 31)))
    add_knowledge_tree()
    bank = QuestionBank(code="JS-EXAM", name="江苏省考试题库", purpose=BankPurpose.EXAM, organization=centre)
    db.session.add(bank)
    db.session.flush()
    write_items(bank, [item(1), item(2)], None, datetime(2026, 1, 5, tzinfo=UTC))
    db.session.commit()
    places = {Role.ENTERPRISE_ADMIN: ent, Role.LEARNER: ent, Role.TRAINER: ent, Role.QUESTION_EDITOR: centre,
              Role.EXAM_CENTRE_ADMIN: centre, Role.SCHOOL_TEACHER: school}
    for username, (role, _groups) in ROLES.items():
        make.account(username, role, org=places.get(role),
                     region_code="320200" if role is Role.REGULATOR else None,
                     person=person if role is Role.LEARNER else None)
    return ent


@pytest.fixture(params=list(LANGS))
def lang(request):
    return request.param


def open_as(browser, live_server, username: str, lang: str, width: int, *, javascript: bool = True):
    """A signed-in tab of the given width and browser language, on the dashboard."""
    context = browser.new_context(viewport={"width": width, "height": 900}, locale=LANGS[lang],
                                  java_script_enabled=javascript)
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto(live_server + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/dashboard")
    return page


def expanded(page, group: str) -> str | None:
    return page.get_attribute(f"#main-nav .nav-group-button[aria-controls='nav-menu-{group}']",
                              "aria-expanded")


def focused_control(page) -> str | None:
    """The menu id the focused element controls (a group button's), if any."""
    return page.evaluate("document.activeElement.getAttribute('aria-controls')")


def walk_a_group_by_keyboard(page, groups: list[str]) -> None:
    """Tab to the first group, Enter opens it, Tab and the arrows reach its links, Escape closes it."""
    page.locator("#main-nav .nav-top a").focus()
    page.keyboard.press("Tab")
    assert focused_control(page) == f"nav-menu-{groups[0]}"
    page.keyboard.press("Enter")
    assert expanded(page, groups[0]) == "true"
    assert page.locator(f"#nav-menu-{groups[0]} a").first.is_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.nav-menu').id") == f"nav-menu-{groups[0]}"
    links = page.locator(f"#nav-menu-{groups[0]} a").count()
    page.keyboard.press("End")
    assert page.evaluate(f"document.activeElement === document.querySelectorAll('#nav-menu-{groups[0]} a')"
                         f"[{links - 1}]")
    page.keyboard.press("Escape")
    assert expanded(page, groups[0]) == "false"
    assert not page.locator(f"#nav-menu-{groups[0]}").is_visible()
    assert focused_control(page) == f"nav-menu-{groups[0]}"
    page.keyboard.press("Space")
    assert expanded(page, groups[0]) == "true"
    page.keyboard.press("Escape")
    if len(groups) > 1:
        page.keyboard.press("ArrowRight")
        assert focused_control(page) == f"nav-menu-{groups[1]}"


@pytest.mark.parametrize("username", list(ROLES))
def test_wide_navigation_by_role(browser, live_server, world, username, lang, axe_check, shoot):
    groups = ROLES[username][1]
    page = open_as(browser, live_server, username, lang, 1280)
    assert page.evaluate(GROUP_IDS) == groups
    assert page.evaluate(FITS)
    assert page.locator("#main-nav .nav-top a").get_attribute("aria-current") == "page"
    assert not page.locator("#main-nav .nav-toggle").is_visible()
    shoot(page, f"home-{username}-{lang}")
    walk_a_group_by_keyboard(page, groups)
    # The drop-down of the last group stays on screen too.
    page.click(f"#main-nav .nav-group-button[aria-controls='nav-menu-{groups[-1]}']")
    assert page.evaluate(FITS)
    axe_check(page)
    shoot(page, f"nav-{username}-{lang}-open")
    page.context.close()


@pytest.mark.parametrize("username", list(ROLES))
def test_narrow_navigation_is_one_menu(browser, live_server, world, username, lang, axe_check, shoot):
    groups = ROLES[username][1]
    page = open_as(browser, live_server, username, lang, 390)
    toggle = page.locator("#main-nav .nav-toggle")
    assert toggle.is_visible() and not page.locator("#nav-list").is_visible()
    assert page.evaluate(FITS)
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Tab")  # the dashboard link
    page.keyboard.press("Tab")
    assert focused_control(page) == f"nav-menu-{groups[0]}"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.nav-menu').id") == f"nav-menu-{groups[0]}"
    assert page.evaluate(FITS)
    axe_check(page)
    shoot(page, f"home-{username}-{lang}-390")
    page.keyboard.press("Escape")
    assert expanded(page, groups[0]) == "false"
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.classList.contains('nav-toggle')")
    page.context.close()


def test_the_page_shown_is_marked_in_its_group(browser, live_server, world):
    page = open_as(browser, live_server, "enterprise_admin", "zh", 1280)
    page.click("#main-nav .nav-group-button[aria-controls='nav-menu-administration']")
    page.click("#nav-menu-administration a[href='/roster/']")
    page.wait_for_url("**/roster/")
    assert page.locator("#main-nav .nav-group.current .nav-menu").get_attribute("id") == \
        "nav-menu-administration"
    assert page.locator("#nav-menu-administration a[aria-current=page]").get_attribute("href") == "/roster/"
    page.context.close()


def test_without_javascript_every_link_is_listed_and_fits(browser, live_server, world, lang, shoot):
    page = open_as(browser, live_server, "system_admin", lang, 1280, javascript=False)
    shoot(page, f"nav-no-script-system_admin-{lang}")
    assert page.locator("#main-nav a[href='/rules']").is_visible()
    assert page.locator("#main-nav a[href='/exams/']").is_visible()
    assert page.evaluate(FITS)
    page.context.close()


def test_my_training_is_only_offered_to_an_account_with_a_person(browser, live_server, world):
    page = open_as(browser, live_server, "regulator", "zh", 1280)
    assert page.locator("#main-nav a[href='/courses/mine']").count() == 0
    page.context.close()
    page = open_as(browser, live_server, "learner", "zh", 1280)
    assert page.locator("#main-nav a[href='/courses/mine']").count() == 1
    page.context.close()
