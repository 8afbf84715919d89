"""`make run`'s demo data, walked in Chromium: every demo account reaches its main job from the menu."""

import pytest

from lms.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/dashboard")


def test_learner_studies_a_lesson_and_sits_a_mock_exam(demo_server, page, nav, shoot, axe_check):
    sign_in(page, demo_server, "learner")
    nav(page, "我的培训").click()
    page.locator("main table a").first.click()
    page.locator("main a[href*='/courses/lessons/']").first.click()
    page.locator("#lesson-time").wait_for()
    axe_check(page)
    nav(page, "练习").click()
    page.get_by_role("button", name="开始模拟考试").first.click()
    page.wait_for_url("**/exam/online/*")  # the mock runs on the attempt page, with its clock
    page.locator("#time-left").wait_for()
    assert page.locator("main .question").count() >= 50
    axe_check(page)
    shoot(page, "demo-learner-mock-zh")


def test_enterprise_admin_sees_progress_and_assigns_courses(demo_server, page, nav, shoot, axe_check):
    sign_in(page, demo_server, "ent_admin")
    nav(page, "培训进度").click()
    page.get_by_role("button", name="查看").click()
    assert page.locator("main tbody tr").count() >= 5
    axe_check(page)
    shoot(page, "demo-ent-admin-progress-zh")
    page.get_by_role("link", name="分配课程").click()
    page.get_by_role("button", name="分配").wait_for()
    axe_check(page)


def test_bank_editor_reads_a_bank_and_a_blueprint_the_bank_can_fill(demo_server, page, nav, axe_check):
    sign_in(page, demo_server, "bank_editor")
    nav(page, "题库", exact=True).click()
    page.locator("main table a").first.click()
    assert page.locator("input[name=ids]").count() >= 20
    nav(page, "组卷方案").click()
    page.locator("main table a").first.click()
    page.locator("#bank, select[name=bank]").first.wait_for()
    axe_check(page)


def test_trainer_school_teacher_and_regulators_reach_their_pages(demo_server, page, nav, axe_check):
    for username, link, expect in [("trainer", "课程编写", "main table a"),
                                   ("teacher", "演练结果", "main table tbody tr"),
                                   ("wujiang_regulator", "辖区演练情况", "main table tbody tr"),
                                   ("wuxi_regulator", "规则", "main table tbody tr")]:
        sign_in(page, demo_server, username)
        before = page.url
        nav(page, link).click()
        # Wait for the page the link leads to (under load the click returns before it has loaded).
        page.wait_for_url(lambda url, left=before: url != left)
        page.locator(expect).first.wait_for()
        assert page.locator(expect).count() >= 1, username
        axe_check(page)
        page.get_by_role("button", name="退出", exact=True).click()
        page.wait_for_url("**/")


def test_exam_centre_roles_and_the_admin_land_on_a_home_page_that_tells_the_truth(demo_server, page,
                                                                                  axe_check):
    # Every exam-day role has its pages: examiners score, certificate officers issue.
    for username, href in (("examiner", "/exam/practical/"), ("cert_officer", "/certificates/pending")):
        sign_in(page, demo_server, username)
        page.locator(f"#main-nav a[href='{href}']").wait_for(state="attached")
        axe_check(page)
        page.get_by_role("button", name="退出", exact=True).click()
        page.wait_for_url("**/")
    # The exam centre's admin and invigilators have their exam-day pages now.
    for username, link in (("centre_admin", "考试场次"), ("invigilator", "签到")):
        sign_in(page, demo_server, username)
        page.locator("#main-nav").get_by_role("link", name=link, exact=True,
                                              include_hidden=True).wait_for(state="attached")
        axe_check(page)
        page.get_by_role("button", name="退出", exact=True).click()
        page.wait_for_url("**/")
    sign_in(page, demo_server, "admin")
    page.goto(demo_server + "/audit")
    assert page.locator("main table tbody tr").count() >= 5
    axe_check(page)


def test_the_province_regulator_reads_the_demo_figures_and_drills_down_to_a_gap_list(demo_server, page, nav,
                                                                                     shoot, axe_check):
    sign_in(page, demo_server, "jiangsu_regulator")
    nav(page, "合规监管", exact=True).click()
    page.wait_for_url("**/compliance/region/320000*")
    assert page.locator("main table tbody tr").count() >= 2  # the cities below the province
    page.locator("main table a", has_text="无锡市").first.click()
    page.wait_for_url("**/compliance/region/320200*")
    assert page.locator("main svg[role=img]").count() >= 1  # the trend drawn from the demo's snapshots
    axe_check(page)
    shoot(page, "demo-compliance-wuxi-zh")
    page.locator("main a[href*='/compliance/enterprise/']").first.click()
    page.wait_for_url("**/compliance/enterprise/*")
    assert page.locator("main table tbody tr").count() >= 1
    axe_check(page)
    shoot(page, "demo-compliance-enterprise-zh")
