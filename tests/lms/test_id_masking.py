"""ID numbers are masked in every list (README: people and organizations): no page that lists or
shows people carries a full 18-digit number, for the enterprise admin nor for the regulator."""

import io
import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from courses.models import (
    Catalogue,
    Course,
    CourseModule,
    CourseStatus,
    Enrollment,
    InductionRecord,
    Lesson,
    StudyRecord,
    WorkAbsence,
)
from lms.audit import record_event
from lms.extensions import db
from lms.idcard import mask_id_number
from lms.models import Person, Post, RosterImport
from lms.roles import Role

from support import PASSWORD, roster_workbook, valid_id_number

#: An 18-character ID number anywhere in a page (the last character may be the check letter X).
FULL_ID = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")


@pytest.fixture
def staff(make):
    """A Wuxi enterprise with employees in every key post, their training records and a pending
    roster upload; its admin, a learner linked to an employee, and a Wuxi regulator."""
    make.rules()
    ent = make.org("无锡掩码化工", high_risk=True, industry="hazardous_chemicals")
    people = [make.person("张主要", org=ent, post=Post.PRINCIPAL),
              make.person("李安全", org=ent, post=Post.SAFETY_MANAGER),
              make.person("王电工", org=ent, post=Post.SPECIAL_OPERATIONS, subtype="1.2"),
              make.person("赵员工", org=ent, post=Post.OTHER)]
    course = _course(ent)
    for person in people:
        db.session.add(Enrollment(course_id=course.id, person_id=person.id, organization_id=ent.id,
                                  due_date=date(2030, 1, 1)))
        start = datetime(date.today().year, 1, 5, 2, 0, tzinfo=UTC)
        db.session.add(StudyRecord(person_id=person.id, lesson_id=course.lessons[0].id,
                                   course_id=course.id, started_at=start, ended_at=start, seconds=600))
        db.session.add(InductionRecord(person_id=person.id, organization_id=ent.id, level="factory",
                                       held_on=date(2025, 1, 5), trainer="王师傅", class_hours=8,
                                       content="厂级教育"))
    db.session.add(WorkAbsence(person_id=people[3].id, organization_id=ent.id,
                               left_on=date(2023, 1, 1), returned_on=date(2025, 3, 1)))
    admin = make.account("mask_admin", Role.ENTERPRISE_ADMIN, org=ent)
    make.account("mask_learner", Role.LEARNER, org=ent, person=people[1])
    make.account("mask_regulator", Role.REGULATOR, region_code="320200")
    record_event("roster.imported", actor=admin, organization_id=ent.id, rows=len(people))
    db.session.commit()
    return {"ent": ent, "people": people, "course": course, "admin": admin}


def _course(owner) -> Course:
    course = Course(title="掩码课程", summary="简介", catalogue=Catalogue.SAFETY_MANAGER,
                    owner_org_id=owner.id, status=CourseStatus.PUBLISHED)
    module = CourseModule(course=course, title="第一章", position=1)
    db.session.add_all([course, module])
    db.session.flush()
    db.session.add(Lesson(module=module, course_id=course.id, title="第一课", body_md="正文", minutes=45,
                          position=1))
    db.session.commit()
    return course


def _stage_roster(client, staff) -> RosterImport:
    """The admin uploads a roster: two new employees, one clash with a stored one, one bad row."""
    known = staff["people"][0]
    rows = [["钱新人", valid_id_number(seq=501), "安全管理人员", None, "安环部", date(2025, 2, 1)],
            ["孙新人", valid_id_number(seq=502), "其他从业人员", None, None, date(2025, 3, 1)],
            ["冒名者", known.id_number, "其他从业人员", None, None, date(2025, 3, 1)],
            ["周坏行", valid_id_number(seq=503), "不存在的岗位", None, None, date(2025, 3, 1)]]
    response = client.post("/roster/", data={"organization": staff["ent"].id,
                                              "file": (io.BytesIO(roster_workbook(rows)), "r.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    staged = db.session.scalar(select(RosterImport).order_by(RosterImport.id.desc()))
    assert len(staged.valid_rows) == 2 and len(staged.errors) == 2
    return staged


def pages_of(staff, staged: RosterImport | None) -> list[str]:
    """Every page that lists or shows the enterprise's people."""
    ent, course = staff["ent"].id, staff["course"].id
    people = [p.id for p in staff["people"]]
    urls = ["/organizations", f"/organizations/{ent}", "/audit", f"/courses/admin/progress?org={ent}",
            f"/courses/admin/progress?org={ent}&year=2025",
            f"/courses/admin/progress?org={ent}&course={course}"]
    urls += [f"/people/{p}" for p in people] + [f"/courses/admin/people/{p}" for p in people]
    if staged is not None:
        urls += [f"/courses/admin/assign?org={ent}", f"/courses/admin/induction?org={ent}",
                 f"/roster/imports/{staged.id}", "/accounts", f"/accounts/{staff['admin'].id}"]
    return urls


def numbers_on_record(staged: RosterImport | None) -> set[str]:
    """Every full ID number stored: the people's and the pending upload's."""
    numbers = set(db.session.scalars(select(Person.id_number)))
    if staged is not None:
        numbers |= {row["id_number"] for row in staged.valid_rows}
    return numbers


@pytest.mark.parametrize("username", ["mask_admin", "mask_regulator"])
def test_no_page_listing_people_shows_a_full_id_number(client, staff, username):
    client.post("/login", data={"username": username, "password": PASSWORD})
    # Only the admin uploads rosters; the review lists the upload's people before they are stored.
    staged = _stage_roster(client, staff) if username == "mask_admin" else None
    numbers = numbers_on_record(staged)
    assert len(numbers) == (6 if staged else 4)
    shown_masked = set()
    for url in pages_of(staff, staged):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert not FULL_ID.findall(html), (url, FULL_ID.findall(html))
        assert not [n for n in numbers if n in html.upper()], url
        shown_masked |= {n for n in numbers if mask_id_number(n) in html}
    # The pages do show the people, masked: the check above is not passing on empty pages.
    assert shown_masked == numbers


def test_the_learners_own_pages_show_no_full_id_number(client, staff):
    client.post("/login", data={"username": "mask_learner", "password": PASSWORD})
    for url in ["/dashboard", "/courses/mine", "/account/security"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert not FULL_ID.findall(response.get_data(as_text=True)), url
