"""Every courses page renders for the roles that use it."""

from datetime import date

import pytest

from lms.extensions import db
from lms.models import Post
from lms.roles import Role


@pytest.fixture
def setting(make, cf):
    make.rules()
    ent = make.org("无锡甲化工", high_risk=True, industry="hazardous_chemicals")
    person = make.person("李安全", org=ent, post=Post.SAFETY_MANAGER)
    course = cf.course(ent)
    enrollment = cf.enrol(course, person, ent, due=date(2030, 1, 1))
    make.account("learner", Role.LEARNER, org=ent, person=person)
    make.account("admin", Role.ENTERPRISE_ADMIN, org=ent)
    make.account("trainer", Role.TRAINER, org=ent)
    make.account("reg", Role.REGULATOR, region_code="320200")
    db.session.commit()
    return {"ent": ent, "person": person, "course": course, "enrollment": enrollment}


def test_learner_pages(client, login, setting):
    login("learner")
    course = setting["course"]
    for url in ["/courses/", f"/courses/{course.id}", f"/courses/lessons/{course.lessons[0].id}",
                "/courses/mine", "/courses/cases"]:
        response = client.get(url)
        assert response.status_code == 200, url
    archive = client.get("/courses/mine/archive.pdf")
    assert archive.data.startswith(b"%PDF-")


def test_admin_pages(client, login, setting):
    login("admin")
    ent, course, person = setting["ent"], setting["course"], setting["person"]
    for url in ["/courses/admin/assign", f"/courses/admin/progress?org={ent.id}",
                f"/courses/admin/progress?org={ent.id}&course={course.id}",
                f"/courses/admin/people/{person.id}", "/courses/admin/induction"]:
        response = client.get(url)
        assert response.status_code == 200, url
    assert client.get(f"/courses/admin/ledger.xlsx?org={ent.id}").data.startswith(b"PK")
    assert client.get(f"/courses/admin/people/{person.id}/archive.pdf").data.startswith(b"%PDF-")


def test_trainer_pages(client, login, setting):
    login("trainer")
    course = setting["course"]
    for url in ["/courses/author", f"/courses/author/{course.id}",
                f"/courses/author/lessons/{course.lessons[0].id}",
                f"/courses/author/lessons/{course.lessons[0].id}/preview"]:
        response = client.get(url)
        assert response.status_code == 200, url
