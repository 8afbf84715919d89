"""A teacher reads the class drill results and common mistakes; a regulator reads the region overview."""

import random
from datetime import date

import pytest
from playwright.sync_api import expect

from courses.drills.demo import add_demo_results
from lms.extensions import db
from lms.models import OrgKind
from lms.roles import Role

from support import PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page, live_server, username):
    page.goto(live_server + "/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


@pytest.fixture
def demo_school(make):
    school = make.org("吴江区实验小学", region_code="320509", kind=OrgKind.SCHOOL, industry=None)
    make.org("吴江区第二小学", region_code="320509", kind=OrgKind.SCHOOL, industry=None)
    make.account("teacher", Role.SCHOOL_TEACHER, org=school)
    make.account("wujiang", Role.REGULATOR, region_code="320509")
    add_demo_results(None, rng=random.Random(7), today=date.today())
    db.session.commit()
    return school


def test_teacher_reads_class_results_and_common_mistakes(live_server, page, demo_school, shoot,
                                                         axe_check, nav):
    sign_in(page, live_server, "teacher")
    nav(page, "演练结果").click()
    expect(page.get_by_role("heading", name="演练结果")).to_be_visible()
    by_class = page.locator("table").first
    for name in ("三年级一班", "五年级二班", "六年级一班"):
        assert by_class.get_by_role("link", name=name).is_visible()
    mistakes = page.locator("table").nth(1)
    assert mistakes.locator("tbody tr").count() >= 3
    assert "%" in mistakes.locator("tbody tr").first.inner_text()
    axe_check(page)
    shoot(page, "courses-drills-results-zh")

    by_class.get_by_role("link", name="三年级一班").click()
    expect(page.locator("#class")).to_have_value("三年级一班")
    runs = page.locator("table").nth(2)
    assert runs.locator("tbody tr").count() == 8
    runs.locator("tbody tr a").first.click()
    expect(page.get_by_role("heading", name="火灾逃生自救")).to_be_visible()
    axe_check(page)
    shoot(page, "courses-drills-run-zh")


def test_regulator_reads_participation_in_the_region(live_server, page, demo_school, shoot, axe_check,
                                                     nav):
    sign_in(page, live_server, "wujiang")
    nav(page, "辖区演练情况").click()
    expect(page.get_by_role("heading", name="辖区演练情况")).to_be_visible()
    rows = page.locator("tbody tr")
    assert rows.filter(has_text="吴江区实验小学").count() == 1
    assert "24" in rows.filter(has_text="吴江区实验小学").inner_text()
    assert rows.filter(has_text="吴江区第二小学").count() == 1
    axe_check(page)
    shoot(page, "courses-drills-region-zh")
