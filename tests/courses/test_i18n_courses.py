"""Courses pages rendered in Chinese show no untranslated English."""

import importlib.util
from datetime import UTC, date, datetime

import pytest

from courses.models import Catalogue, InductionRecord, WarningCase
from lms.extensions import db
from lms.models import Post
from lms.roles import Role

from support import ROOT

_spec = importlib.util.spec_from_file_location("core_i18n", ROOT / "tests" / "lms" / "test_i18n.py")
core_i18n = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(core_i18n)


@pytest.fixture
def pages(make, cf):
    make.rules()
    ent = make.org("无锡演示化工", high_risk=True, industry="hazardous_chemicals")
    person = make.person("周安全", org=ent, post=Post.SAFETY_MANAGER)
    person.employments[0].start_date = date(date.today().year, 1, 5)
    course = cf.course(ent, title="危险化学品安全管理")
    cf.course(ent, title="公众安全常识", catalogue=Catalogue.PUBLIC)
    cf.enrol(course, person, ent, due=date(2020, 1, 1))
    cf.study(person, course.lessons[0], datetime.now(UTC), 600)
    db.session.add(InductionRecord(person_id=person.id, organization_id=ent.id, level="factory",
                                   held_on=date(2025, 1, 2), trainer="王师傅", class_hours=8,
                                   content="厂级教育"))
    db.session.add(WarningCase(title="案例", summary="经过", causes="原因", lessons_learned="教训",
                               industries=["hazardous_chemicals"], posts=["safety_manager"]))
    admin = make.account("root", Role.SYSTEM_ADMIN, person=person)
    admin.display_name = "管理员"
    db.session.commit()
    return {"ent": ent, "course": course, "person": person}


URLS = ["/courses/", "/courses/?catalogue=public", "/courses/{course}", "/courses/lessons/{lesson}",
        "/courses/mine", "/courses/cases", "/courses/cases/1", "/courses/admin/assign",
        "/courses/admin/progress?org={ent}", "/courses/admin/progress?org={ent}&course={course}",
        "/courses/admin/people/{person}", "/courses/admin/induction", "/courses/author",
        "/courses/author/{course}", "/courses/author/lessons/{lesson}",
        "/courses/author/lessons/{lesson}/preview"]


@pytest.mark.parametrize("url", URLS)
def test_courses_pages_in_chinese_show_no_untranslated_text(client, login, pages, url):
    login("root")
    path = url.format(course=pages["course"].id, lesson=pages["course"].lessons[0].id,
                      ent=pages["ent"].id, person=pages["person"].id)
    response = client.get(path, headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'lang="zh-CN"' in html
    # The page's own content; navigation entries belong to every package and are checked in lms.
    main = html[html.index('<main id="main">'):html.index("</main>")]
    assert core_i18n.untranslated_words(main) == []
