"""Compliance in Chromium: a Wuxi regulator opens Compliance, reads Wuxi's rates and trend, drills down
city > district > enterprise > the enterprise's gap list and downloads the PDF audit report; a Lu'an
regulator gets 404 for the Wuxi pages and sees nothing of Wuxi on their own."""

from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from browser_helpers import english, sign_in

from certificates.compliance.snapshots import snapshot_as_of
from certificates.models import Certificate, CertificateStatus, CertificateType
from lms.clock import FixedClock, install_clock
from lms.extensions import db
from lms.models import Post
from lms.roles import Role

pytestmark = pytest.mark.browser

TODAY = date(2026, 7, 15)


def certificate(person, subtype, issued, expires):
    job = person.employments[0]
    db.session.add(Certificate(
        cert_type=CertificateType.SPECIAL_OPS, status=CertificateStatus.ISSUED, number=f"J{person.id_number}",
        person_id=person.id, employment_id=job.id, post=Post.SPECIAL_OPERATIONS.value,
        operation_category=subtype.split(".")[0], operation_subtype=subtype, pass_key=f"journey:{person.id}",
        issued_on=issued, expires_on=expires, issuing_authority="无锡市应急管理局", rule_versions={}))
    db.session.commit()


@pytest.fixture
def regions(app, make):
    """Wuxi: 甲化工 (Liangxi) with two welders, one certified since February, and 乙机械 (Xinwu) with an
    uncertified principal; Lu'an: 丙矿业 with a certified welder. Snapshots on the first of January,
    April and July."""
    install_clock(app, FixedClock(datetime.combine(TODAY, time(4), tzinfo=UTC)))
    make.rules()
    a = make.org("甲化工", "320213", industry="hazardous_chemicals", high_risk=True)
    b = make.org("乙机械", "320214")
    c = make.org("丙矿业", "341502", industry="non_coal_mining", high_risk=True)
    certificate(make.person("张焊工", a, Post.SPECIAL_OPERATIONS, subtype="2.1"), "2.1",
                date(2026, 2, 1), date(2032, 1, 31))
    make.person("李焊工", a, Post.SPECIAL_OPERATIONS, subtype="2.1")
    make.person("王厂长", b, Post.PRINCIPAL)
    certificate(make.person("赵焊工", c, Post.SPECIAL_OPERATIONS, region_code="341502", subtype="2.1"), "2.1",
                date(2024, 1, 10), date(2030, 1, 9))
    for day in (date(2026, 1, 1), date(2026, 4, 1), date(2026, 7, 1)):
        snapshot_as_of(day)
    db.session.commit()
    make.account("wuxi_regulator", Role.REGULATOR, region_code="320200")
    make.account("luan_regulator", Role.REGULATOR, region_code="341500")
    yield {"a": a, "b": b, "c": c}
    app.extensions.pop("lms.clock", None)


def test_a_wuxi_regulator_drills_down_to_a_gap_list_and_lu_an_sees_no_wuxi(
        browser, live_server, regions, shoot, axe_check, nav):
    base = live_server
    context, page = english(browser, accept_downloads=True)
    sign_in(page, base, "wuxi_regulator")
    panel = page.locator("section.compliance-panel")
    assert "Compliance in Wuxi" in panel.inner_text() and "33.3%" in panel.inner_text()
    shoot(page, "compliance-dashboard")

    nav(page, "Compliance", exact=True).click()
    page.wait_for_url(base + "/compliance/region/320200")
    main = page.locator("main")
    assert "Compliance: Wuxi" in main.inner_text()
    assert "1 of 3 key-post employees on the job hold a valid certificate" in main.inner_text()
    assert page.get_by_role("img", name="Trend of the rates in Wuxi").is_visible()
    axe_check(page)
    shoot(page, "compliance-city")

    page.get_by_role("link", name="Liangxi District").click()
    page.wait_for_url(base + "/compliance/region/320213")
    assert "1 of 2 key-post employees" in main.inner_text()
    axe_check(page)
    shoot(page, "compliance-district")

    page.locator("#children-h + .table-scroll").get_by_role("link", name="甲化工").click()
    page.wait_for_url(f"{base}/compliance/enterprise/{regions['a'].id}")
    page.get_by_role("link", name="Not certified 1").click()
    rows = page.locator("table.gap-list tbody tr")
    assert rows.count() == 1
    assert "李焊工" in rows.first.inner_text() and "No certificate" in rows.first.inner_text()
    axe_check(page)
    shoot(page, "compliance-gap-list")

    with page.expect_download() as download:
        page.get_by_role("link", name="PDF audit report").click()
    assert Path(download.value.path()).read_bytes()[:4] == b"%PDF"
    context.close()

    context, page = english(browser)
    sign_in(page, base, "luan_regulator")
    for url in ("/compliance/region/320200", "/compliance/region/320213",
                f"/compliance/enterprise/{regions['a'].id}"):
        assert page.goto(base + url).status == 404, url
    page.goto(base + "/compliance/")
    page.wait_for_url(base + "/compliance/region/341500")
    text = page.locator("main").inner_text()
    assert "Compliance: Lu'an" in text and "1 of 1 key-post employees" in text
    assert not any(word in text for word in ("Wuxi", "甲化工", "乙机械", "Liangxi"))
    axe_check(page)
    shoot(page, "compliance-luan")
    context.close()
