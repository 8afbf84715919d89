"""An enterprise admin downloads the template, uploads a roster with a bad row and imports the rest."""

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.models import Employment
from lms.roles import Role

from support import PASSWORD, roster_workbook, valid_id_number

pytestmark = pytest.mark.browser


def test_roster_upload_review_and_confirm(live_server, page, make, shoot, axe_check, tmp_path, nav):
    ent = make.org("无锡恒通化工有限公司", high_risk=True, industry="hazardous_chemicals")
    make.account("ent_admin", Role.ENTERPRISE_ADMIN, org=ent)
    workbook = tmp_path / "花名册.xlsx"
    workbook.write_bytes(roster_workbook([
        ["王建国", valid_id_number(seq=101), "主要负责人", None, "总经办", "2023-01-05"],
        ["李娜", valid_id_number(seq=102), "安全管理人员", None, "安环部", "2024-02-01"],
        ["张伟", "320213199005170011", "特种作业人员", "1.2", "设备部", "2022-07-01"],
    ]))

    page.goto(live_server + "/login")
    page.get_by_label("用户名").fill("ent_admin")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    nav(page, "花名册导入").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载模板").click()
    assert download.value.suggested_filename == "roster-template.xlsx"
    axe_check(page)
    shoot(page, "roster-upload-zh")

    page.get_by_label("花名册文件（.xlsx）").set_input_files(str(workbook))
    page.get_by_role("button", name="检查花名册").click()
    page.wait_for_url("**/roster/imports/*")
    assert page.get_by_role("cell", name="身份证号校验码不正确。").is_visible()
    axe_check(page)
    shoot(page, "roster-review-zh")
    assert db.session.scalar(select(func.count(Employment.id))) == 0

    page.get_by_role("button", name="导入 2 条有效记录").click()
    page.wait_for_url(f"**/organizations/{ent.id}")
    assert page.get_by_text("已将 2 名从业人员加入花名册。").is_visible()
    axe_check(page)
    shoot(page, "roster-imported-zh")
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Employment.id))) == 2
