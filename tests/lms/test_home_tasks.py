"""Dashboard task tiles: each role sees its counts, and each count leads to the page that handles it."""

import re
from datetime import UTC, date, datetime

import pytest

from courses.models import Catalogue, Course, CourseStatus, Enrollment
from exams.demo import add_knowledge_tree
from exams.models import BankPurpose, QuestionBank
from exams.services.questions import write_items
from lms.extensions import db
from lms.models import ImportStatus, OrgKind, Post, RosterImport
from lms.roles import Role
from lms.web.templating import NAV_GROUPS, NAV_ITEMS, add_nav_item

TILE = re.compile(r'<a class="task" href="([^"]+)"><span class="num">(\d+)</span><span>([^<]+)</span>')


def tiles(client) -> dict[str, tuple[int, str]]:
    """Label -> (count, url) of the dashboard's task tiles, read in English."""
    html = client.get("/dashboard", headers={"Accept-Language": "en"}).get_data(as_text=True)
    return {label: (int(count), url) for url, count, label in TILE.findall(html)}


def item(n: int, status: str = "draft") -> dict:
    return {"qtype": "true_false", "stem": f"判断题{n}", "options": [], "key": [0], "explanation": "",
            "knowledge_point": "fire.class", "difficulty": 3, "posts": [], "operation_codes": [],
            "status": status, "image": None}


@pytest.fixture
def world(make):
    make.rules()
    ent = make.org("无锡甲化工", high_risk=True, industry="hazardous_chemicals")
    centre = make.org("无锡考点", kind=OrgKind.EXAM_CENTRE, industry=None)
    person = make.person("甲员工", org=ent, post=Post.SAFETY_MANAGER)
    draft = Course(title="草稿课程", summary="", catalogue=Catalogue.SAFETY_MANAGER, owner_org_id=ent.id,
                   status=CourseStatus.DRAFT)
    published = Course(title="已发布课程", summary="", catalogue=Catalogue.SAFETY_MANAGER,
                       owner_org_id=ent.id, status=CourseStatus.PUBLISHED)
    db.session.add_all([draft, published])
    db.session.flush()
    db.session.add(Enrollment(course_id=published.id, person_id=person.id, organization_id=ent.id,
                              due_date=date(2020, 1, 1)))
    add_knowledge_tree()
    bank = QuestionBank(code="JS-EXAM", name="考试题库", purpose=BankPurpose.EXAM, organization=centre)
    db.session.add(bank)
    db.session.flush()
    write_items(bank, [item(1), item(2), item(3, "published")], None, datetime(2026, 1, 5, tzinfo=UTC))
    make.account("learner", Role.LEARNER, org=ent, person=person)
    admin = make.account("ent_admin", Role.ENTERPRISE_ADMIN, org=ent)
    make.account("trainer", Role.TRAINER, org=ent)
    make.account("editor", Role.QUESTION_EDITOR, org=centre)
    make.account("centre_admin", Role.EXAM_CENTRE_ADMIN, org=centre)
    make.account("examiner", Role.PRACTICAL_EXAMINER, org=centre)
    make.account("regulator", Role.REGULATOR, region_code="320200")
    db.session.add(RosterImport(organization_id=ent.id, uploaded_by_id=admin.id, filename="a.xlsx",
                                valid_rows=[], errors=[], status=ImportStatus.PENDING))
    db.session.commit()
    return {"ent": ent, "draft": draft, "bank": bank}


def test_learner_counts_the_unfinished_course_and_it_leads_to_my_training(client, login, world):
    login("learner")
    found = tiles(client)
    assert found["Courses to finish"] == (1, "/courses/mine")
    assert client.get("/courses/mine").status_code == 200


def test_trainer_counts_draft_courses_and_practice_banks(client, login, world):
    login("trainer")
    found = tiles(client)
    assert found["Courses in draft"] == (1, "/courses/author")
    assert "草稿课程" in client.get("/courses/author").get_data(as_text=True)
    # The exam bank is never counted for a trainer (教考分离).
    assert found["Question banks"] == (0, "/exams/")
    assert "Draft questions in your banks" not in found


def test_editor_counts_draft_questions_in_the_exam_bank(client, login, world):
    login("editor")
    found = tiles(client)
    assert found["Draft questions in your banks"] == (2, "/exams/")
    assert "考试题库" in client.get("/exams/").get_data(as_text=True)


def test_enterprise_admin_sees_the_pending_upload_and_the_employee_behind(client, login, world):
    login("ent_admin")
    found = tiles(client)
    staged = db.session.query(RosterImport).one()
    assert found["Roster uploads awaiting your confirmation"] == (1, f"/roster/imports/{staged.id}")
    assert client.get(found["Roster uploads awaiting your confirmation"][1]).status_code == 200
    count, url = found["Employees with overdue training"]
    assert url == "/courses/admin/progress" and count in {0, 1}
    assert found["Organizations in your scope"] == (1, "/organizations")


def test_exam_centre_admin_sees_the_exam_day_tiles_and_no_waiting_line(client, login, world):
    login("centre_admin")
    html = client.get("/dashboard", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Upcoming exam sessions" in html
    assert "Your exam-day pages arrive with the exam sessions" not in html
    assert "Key-post employees on the job" not in html


def test_a_practical_examiner_has_the_scoring_page_instead_of_the_waiting_line(client, login, world):
    login("examiner")
    html = client.get("/dashboard", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Your exam-day pages arrive with the exam sessions" not in html
    assert 'href="/exam/practical/"' in html


def test_my_training_is_hidden_from_an_account_without_a_person(client, login, world):
    login("regulator")
    html = client.get("/dashboard").get_data(as_text=True)
    assert 'href="/courses/mine"' not in html
    assert 'href="/courses/"' in html  # the catalogue stays
    client.post("/logout")
    login("learner")
    assert 'href="/courses/mine"' in client.get("/dashboard").get_data(as_text=True)


def test_groups_without_a_visible_item_are_left_out(client, login, world):
    login("learner")
    html = client.get("/dashboard", headers={"Accept-Language": "en"}).get_data(as_text=True)
    nav = html[html.index('<nav class="main-nav"'):html.index("</nav>")]
    assert 'id="nav-menu-training"' in nav
    for key in ("question_bank", "exams", "certificates", "compliance", "administration"):
        assert f'id="nav-menu-{key}"' not in nav


def test_registering_into_an_unknown_group_is_refused():
    with pytest.raises(ValueError):
        add_nav_item("sports", "web.home", "x", None)
    assert {i.group for i in NAV_ITEMS} <= set(NAV_GROUPS)


def test_favicon_answers(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/x-icon"
    assert 'rel="icon"' in client.get("/").get_data(as_text=True)
