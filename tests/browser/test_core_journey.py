"""A visitor opens the home page, switches language, signs in and out; axe checks every page."""

import pytest

from lms.roles import Role

from support import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def regulator(make):
    ent = make.org("无锡恒通化工有限公司", high_risk=True, industry="hazardous_chemicals")
    make.person("王安全", org=ent)
    make.rules()
    account = make.account("wuxi_regulator", Role.REGULATOR, region_code="320200")
    account.display_name = "无锡市应急管理局"
    from lms.extensions import db

    db.session.commit()
    return account


def test_home_language_switch_sign_in_and_out(live_server, page, regulator, shoot, axe_check, nav):
    page.goto(live_server + "/")
    assert page.locator("h1").inner_text() == "安全生产培训考试系统"
    assert axe_check(page) > 0
    shoot(page, "home-zh")

    page.get_by_role("button", name="English").click()
    page.wait_for_url("**/")
    assert page.locator("h1").inner_text() == "Work Safety Training"
    assert page.locator("html").get_attribute("lang") == "en"
    axe_check(page)
    shoot(page, "home-en")

    page.get_by_role("link", name="Sign in").first.click()
    page.get_by_label("Username").fill("wuxi_regulator")
    page.get_by_label("Password").fill(PASSWORD)
    axe_check(page)
    shoot(page, "login-en")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard")
    assert "Welcome" in page.locator("h1").inner_text()
    assert page.get_by_text("Regulator").first.is_visible()
    axe_check(page)
    shoot(page, "dashboard-en")

    page.get_by_role("button", name="中文").click()
    nav(page, "单位").click()
    page.wait_for_url("**/organizations")
    assert page.get_by_role("link", name="无锡恒通化工有限公司").is_visible()
    axe_check(page)
    shoot(page, "organizations-zh")

    nav(page, "规则").click()
    assert page.get_by_text("主要负责人和安全管理人员初次培训学时（高危行业）").first.is_visible()
    axe_check(page)
    shoot(page, "rules-zh")

    page.get_by_role("link", name=regulator.display_name).click()
    page.wait_for_url("**/account/security")
    assert page.get_by_role("heading", name="本账号的登录").is_visible()
    assert page.locator("tbody tr").count() == 1
    axe_check(page)
    shoot(page, "account-security-zh")
    cookie = next(c for c in page.context.cookies() if c["name"] == "session")

    page.get_by_role("button", name="退出", exact=True).click()
    page.wait_for_url("**/")
    assert page.get_by_text("您已退出登录。").is_visible()
    page.goto(live_server + "/dashboard")
    assert "/login" in page.url
    # The cookie as it was before signing out opens nothing either.
    page.context.add_cookies([cookie])
    page.goto(live_server + "/dashboard")
    assert "/login" in page.url
