"""The compliance pages of a small hand-built world, read in English: the numbers shown, the drill-down
links, the filters, a past as-of day, a refused as-of text, the trend chart and who may see what.

Today is 2026-07-15.

甲化工 (Liangxi district of Wuxi; high-risk, hazardous chemicals)
  a1  welder 2.1, certificate issued 2026-02-01 (to 2032)       assessment passed 2026-03-10
  a2  welder 2.1, no certificate                                assessment failed 2026-03-10
  a3  safety manager, safety qualification certificate to 2026-08-01 (17 days left)
  a4  other post
乙机械 (Xinwu district of Wuxi; not high-risk, machinery)
  b1  principal, no certificate
  b2  electrician 1.2 holding a welding (2.1) certificate: wrong sub-type
  b3  welder 2.1, certificate to 2026-09-28 (75 days left)
丙矿业 (Jin'an district of Lu'an, Anhui; high-risk, non-coal mining)
  c1  welder 2.1, valid certificate

Today, Wuxi: key-post staff on the job a1 a2 a3 b1 b2 b3 = 6, certified a1 a3 b3 = 3 (50.0%);
high-risk staff a1..a4 = 4, passed a1 = 1 (25.0%); not certified 3; expiring within 30 days 1 (a3),
60 days 1, 90 days 2 (a3, b3).
On 2026-01-01 a1's certificate was not yet issued and no assessment was done: 2 of 6 (33.3%), 0 of 4.
"""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from certificates.compliance.snapshots import snapshot_as_of
from certificates.models import Certificate, CertificateStatus, CertificateType
from exams.assessments.models import Assessment, AssessmentAssignment, AssessmentPurpose
from exams.models import BankPurpose, BankTier, Blueprint, QuestionBank
from lms.clock import FixedClock, install_clock
from lms.extensions import db
from lms.models import Employment, Post
from lms.roles import Role

TODAY = date(2026, 7, 15)
EN = {"Accept-Language": "en"}


def noon(day: date) -> datetime:
    """04:00 UTC: noon in Beijing."""
    return datetime.combine(day, time(4), tzinfo=UTC)


@pytest.fixture
def clock(app):
    from lms.clock import _EXTENSION

    before = app.extensions.get(_EXTENSION)
    install_clock(app, FixedClock(noon(TODAY)))
    yield
    if before is None:
        app.extensions.pop(_EXTENSION, None)
    else:
        install_clock(app, before)


class Builder:
    """People with one employment each, their certificates and assessment results."""

    def __init__(self, make):
        self.make, self.jobs, self.count = make, {}, 0

    def job(self, label, org, post, subtype=None):
        person = self.make.person(f"员工{label}", region_code=org.region.code)
        category = subtype.split(".")[0] if subtype else None
        job = Employment(person=person, organization=org, post=post, start_date=date(2020, 1, 1),
                         operation_subtype=subtype, operation_category=category)
        db.session.add(job)
        db.session.commit()
        self.jobs[label] = job
        return job

    def cert(self, label, *, subtype="2.1", issued, expires):
        job = self.jobs[label]
        self.count += 1
        special = subtype is not None
        cert = Certificate(
            cert_type=CertificateType.SPECIAL_OPS if special else CertificateType.SAFETY_QUALIFICATION,
            status=CertificateStatus.ISSUED, number=f"NO{label.upper()}{self.count}", person_id=job.person_id,
            employment_id=job.id, post=Post.SPECIAL_OPERATIONS.value if special else job.post.value,
            operation_category=subtype.split(".")[0] if special else None, operation_subtype=subtype,
            pass_key=f"pages:{self.count}", issued_on=issued, expires_on=expires,
            issuing_authority="无锡市应急管理局", rule_versions={})
        db.session.add(cert)
        db.session.commit()
        return cert

    def assess(self, label, day, passed):
        job = self.jobs[label]
        self.count += 1
        bank = QuestionBank(code=f"PG{self.count}", name="题库", purpose=BankPurpose.PRACTICE,
                            tier=BankTier.PROVINCIAL, organization_id=job.organization_id)
        blueprint = Blueprint(code=f"PG-BP{self.count}", name="考核", exam_kind="custom",
                              organization_id=job.organization_id, duration_minutes=30, pass_mark=80,
                              points={})
        db.session.add_all([bank, blueprint])
        db.session.flush()
        assessment = Assessment(enterprise_id=job.organization_id, title="考核",
                                purpose=AssessmentPurpose.OTHER, bank_id=bank.id, blueprint_id=blueprint.id,
                                opens_at=noon(day) - timedelta(hours=2),
                                closes_at=noon(day) + timedelta(hours=4), time_limit_minutes=30,
                                pass_percent=80)
        db.session.add(assessment)
        db.session.flush()
        db.session.add(AssessmentAssignment(assessment_id=assessment.id, person_id=job.person_id,
                                            employment_id=job.id, score=90 if passed else 50, passed=passed,
                                            completed_at=noon(day)))
        db.session.commit()


@pytest.fixture
def world(make, clock):
    make.rules()
    w = Builder(make)
    a = make.org("甲化工", "320213", industry="hazardous_chemicals", high_risk=True)
    b = make.org("乙机械", "320214", industry="machinery", high_risk=False)
    c = make.org("丙矿业", "341502", industry="non_coal_mining", high_risk=True)
    special = Post.SPECIAL_OPERATIONS
    w.job("a1", a, special, "2.1")
    w.cert("a1", issued=date(2026, 2, 1), expires=date(2032, 1, 31))
    w.assess("a1", date(2026, 3, 10), True)
    w.job("a2", a, special, "2.1")
    w.assess("a2", date(2026, 3, 10), False)
    w.job("a3", a, Post.SAFETY_MANAGER)
    w.cert("a3", subtype=None, issued=date(2023, 8, 2), expires=date(2026, 8, 1))
    w.job("a4", a, Post.OTHER)
    w.job("b1", b, Post.PRINCIPAL)
    w.job("b2", b, special, "1.2")
    w.cert("b2", issued=date(2024, 1, 10), expires=date(2030, 1, 9))
    w.job("b3", b, special, "2.1")
    w.cert("b3", issued=date(2020, 9, 29), expires=date(2026, 9, 28))
    w.job("c1", c, special, "2.1")
    w.cert("c1", issued=date(2024, 1, 10), expires=date(2030, 1, 9))
    make.account("wuxi", Role.REGULATOR, region_code="320200")
    make.account("luan", Role.REGULATOR, region_code="341500")
    make.account("jia_admin", Role.ENTERPRISE_ADMIN, org=a)
    make.account("learner", Role.LEARNER, org=a, person=w.jobs["a4"].person)
    w.orgs = {"a": a, "b": b, "c": c}
    return w


@pytest.fixture
def as_user(client, login):
    def sign_in(username):
        login(username)
        return client

    return sign_in


def page(client, url) -> str:
    response = client.get(url, headers=EN)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def test_landing_sends_a_regulator_to_the_region_and_an_admin_to_the_enterprise(world, app):
    for username, target in (("wuxi", "/compliance/region/320200"),
                             ("jia_admin", f"/compliance/enterprise/{world.orgs['a'].id}")):
        client = app.test_client()
        client.post("/login", data={"username": username, "password": "correct-horse-battery"})
        response = client.get("/compliance/", headers=EN)
        assert response.status_code == 302 and response.headers["Location"].endswith(target)


def test_city_page_shows_the_rates_gaps_and_children(world, as_user):
    html = page(as_user("wuxi"), "/compliance/region/320200")
    assert "Compliance: Wuxi" in html
    assert "Figures as of today, 2026-07-15." in html
    assert ">50.0%<" in html and "3 of 6 key-post employees on the job hold a valid certificate" in html
    assert ">25.0%<" in html and "1 of 4 employees on the job at high-risk enterprises" in html
    gap_counts = html.split('class="stats gap-counts"')[1].split("</div>\n</div>")[0]
    assert [int(n) for n in _between_all(gap_counts, '<span class="num">', "</span>")][:5] == [3, 0, 1, 1, 2]
    # Children: Liangxi 2 of 3, Xinwu 1 of 3; the link leads one level down.
    assert 'href="/compliance/region/320213"' in html and 'href="/compliance/region/320214"' in html
    liangxi = html.split('href="/compliance/region/320213"')[1].split("</tr>")[0]
    assert "66.7%" in liangxi and "(2/3)" in liangxi and "25.0%" in liangxi
    xinwu = html.split('href="/compliance/region/320214"')[1].split("</tr>")[0]
    assert "33.3%" in xinwu and "(1/3)" in xinwu
    assert "丙矿业" not in html and "Lu&#39;an" not in html
    # Furthest from 100%: 乙机械 (33.3%) before 甲化工 (66.7%).
    furthest = html.split('id="furthest-h"')[1].split("</section>")[0]
    assert furthest.index("乙机械") < furthest.index("甲化工")
    assert "<dt>Certified-on-the-job rate (持证上岗率)</dt>" in html
    assert "项目需求 合规" in html or "project" in html.lower()


def _between_all(text, start, end):
    parts = text.split(start)[1:]
    return [p.split(end)[0] for p in parts]


def test_breadcrumb_stops_at_the_regulators_region_and_leads_down_to_the_enterprise(world, as_user):
    client = as_user("wuxi")
    html = page(client, "/compliance/region/320213")
    crumbs = html.split('class="crumbs"')[1].split("</ol>")[0]
    assert 'href="/compliance/region/320200"' in crumbs and "Liangxi District" in crumbs
    assert "Jiangsu" not in crumbs
    a = world.orgs["a"].id
    assert f'href="/compliance/enterprise/{a}"' in html
    enterprise = page(client, f"/compliance/enterprise/{a}")
    assert 'href="/compliance/region/320213"' in enterprise and ">66.7%<" in enterprise


def test_filters_change_the_numbers(world, as_user):
    client = as_user("wuxi")
    machinery = page(client, "/compliance/region/320200?industry=machinery")
    assert "1 of 3 key-post employees" in machinery and ">33.3%<" in machinery
    principals = page(client, "/compliance/region/320200?post=principal")
    assert "0 of 1 key-post employees" in principals and ">0.0%<" in principals
    high_risk = page(client, "/compliance/region/320200?high_risk=yes")
    assert "2 of 3 key-post employees" in high_risk and ">66.7%<" in high_risk
    welders = page(client, "/compliance/region/320200?category=2")
    assert "2 of 3 key-post employees" in welders  # a1, a2, b3 (b2 works in category 1)
    # The children's links keep the filters.
    assert 'href="/compliance/region/320213?industry=machinery"' not in machinery  # Liangxi has none
    assert 'href="/compliance/region/320214?industry=machinery"' in machinery


def test_lowest_rate_first_puts_xinwu_before_liangxi(world, as_user):
    html = page(as_user("wuxi"), "/compliance/region/320200?sort=certified_rate")
    table = html.split('id="children-h"')[1]
    assert table.index("/compliance/region/320214") < table.index("/compliance/region/320213")


def test_past_day_shows_the_past_figures(world, as_user):
    html = page(as_user("wuxi"), "/compliance/region/320200?as_of=2026-01-01")
    assert "Figures as of 2026-01-01" in html
    assert "2 of 6 key-post employees" in html and ">33.3%<" in html
    assert "0 of 4 employees on the job at high-risk enterprises" in html
    assert "it is not available for other days" in html
    assert 'href="/compliance/region/320213?as_of=2026-01-01"' in html


@pytest.mark.parametrize("text", ["2026-13-40", "yesterday", "1990-01-01", "2030-01-01"])
def test_a_malformed_or_far_as_of_date_is_refused_and_today_is_shown(world, as_user, text):
    html = page(as_user("wuxi"), f"/compliance/region/320200?as_of={text}")
    assert "The as-of date must be a date written as YYYY-MM-DD between 2016-07-15 and 2027-07-16." in html
    assert 'role="alert"' in html
    assert "Figures as of today, 2026-07-15." in html and "3 of 6 key-post employees" in html


def test_trend_chart_is_an_svg_image_with_its_numbers_in_a_table(world, as_user):
    snapshot_as_of(date(2026, 1, 1))
    snapshot_as_of(date(2026, 6, 1))
    db.session.commit()
    html = page(as_user("wuxi"), "/compliance/region/320200")
    svg = html.split("<svg")[1].split("</svg>")[0]
    assert 'role="img"' in svg and 'aria-label="Trend of the rates in Wuxi"' in svg
    assert "<title" in svg and "<desc" in svg and "2026-01" in svg and "2026-06" in svg
    assert 'stroke-dasharray="8 5"' in svg  # the pass-rate line is dashed, the other solid
    assert "<circle" in svg and "<rect" in svg  # different markers
    assert "Certified-on-the-job rate" in svg and "Pass rate" in svg and "100%" in svg
    table = html.split("The numbers of the chart")[1].split("</table>")[0]
    rows = _between_all(table, "<tr><th scope=\"row\">", "</tr>")
    assert rows[0].startswith("2026-01-01")
    assert "33.3%" in rows[0] and "(2/6)" in rows[0] and "(0/4)" in rows[0]
    assert rows[1].startswith("2026-06-01")
    assert "50.0%" in rows[1] and "(3/6)" in rows[1] and "(1/4)" in rows[1]


def test_without_snapshots_the_page_says_so(world, as_user):
    html = page(as_user("wuxi"), "/compliance/region/320200")
    assert "<svg" not in html.split('id="trend-h"')[1]
    assert "No monthly snapshot has been taken yet" in html


def test_enterprise_gap_list_and_tabs(world, as_user):
    client = as_user("wuxi")
    b = world.orgs["b"].id
    html = page(client, f"/compliance/enterprise/{b}")
    assert "1 of 3 key-post employees" in html
    assert "No certificate" in html and "Certificate of another operation sub-type" in html
    b3 = html.split("员工b3")[1].split("</tr>")[0]
    assert "2026-09-28" in b3 and "75 days left" in b3 and "Valid, cover ends within 90 days" in b3
    id_number = world.jobs["b3"].person.id_number
    assert id_number not in html and id_number[:6] + "********" + id_number[-4:] in html
    assert "Not counted (not a high-risk enterprise)" in html
    not_certified = page(client, f"/compliance/enterprise/{b}?show=not_certified")
    body = not_certified.split('id="people-h"')[1]
    assert "员工b1" in body and "员工b2" in body and "员工b3" not in body
    expiring = page(client, f"/compliance/enterprise/{b}?show=expiring_30")
    assert "No one on the job here falls under this heading." in expiring


def test_enterprise_admin_sees_assessment_states_and_certificate_links(world, as_user, app):
    client = as_user("jia_admin")
    a = world.orgs["a"]
    html = page(client, f"/compliance/enterprise/{a.id}")
    a1 = html.split("员工a1")[1].split("</tr>")[0]
    assert "Passed, counts until 2027-03-09" in a1 and "Valid" in a1
    cert = db.session.query(Certificate).filter_by(person_id=world.jobs["a1"].person_id).one()
    assert f'href="/certificates/{cert.id}"' in a1  # the employer may open its employees' certificates
    a2 = html.split("员工a2")[1].split("</tr>")[0]
    assert "Latest assessment failed" in a2 and "No certificate" in a2
    a3 = html.split("员工a3")[1].split("</tr>")[0]
    assert "17 days left" in a3 and "Valid, cover ends within 30 days" in a3
    assert "Not worked out yet" in a3
    # A regulator sees the number but gets no link to a page it may not open.
    other = app.test_client()
    other.post("/login", data={"username": "wuxi", "password": "correct-horse-battery"})
    regulator = page(other, f"/compliance/enterprise/{a.id}")
    assert cert.number in regulator and f'href="/certificates/{cert.id}"' not in regulator


def test_scope(world, as_user, app):
    a, b, c = (world.orgs[k].id for k in "abc")
    wuxi = as_user("wuxi")
    for url in ("/compliance/region/341500", "/compliance/region/320000", f"/compliance/enterprise/{c}",
                "/compliance/region/999999"):
        assert wuxi.get(url).status_code == 404, url
    luan = app.test_client()
    luan.post("/login", data={"username": "luan", "password": "correct-horse-battery"})
    for url in ("/compliance/region/320200", "/compliance/region/320213", f"/compliance/enterprise/{a}"):
        assert luan.get(url).status_code == 404, url
    luan_page = luan.get("/compliance/region/341500", headers=EN).get_data(as_text=True)
    assert "1 of 1 key-post employees" in luan_page and 'href="/compliance/region/341502"' in luan_page
    assert not any(text in luan_page for text in ("甲化工", "乙机械", "Wuxi", "3202"))
    admin = app.test_client()
    admin.post("/login", data={"username": "jia_admin", "password": "correct-horse-battery"})
    assert admin.get("/compliance/region/320213").status_code == 404
    assert admin.get(f"/compliance/enterprise/{b}").status_code == 404
    assert admin.get(f"/compliance/enterprise/{a}").status_code == 200
    learner = app.test_client()
    learner.post("/login", data={"username": "learner", "password": "correct-horse-battery"})
    for url in ("/compliance/", "/compliance/region/320200", f"/compliance/enterprise/{a}"):
        assert learner.get(url).status_code == 403, url


def test_dashboard_panels(world, as_user, app):
    html = page(as_user("wuxi"), "/dashboard")
    panel = html.split("Compliance in Wuxi")[1].split("</section>")[0]
    assert "50.0%" in panel and "(3/6)" in panel and "25.0%" in panel
    assert panel.index("乙机械") < panel.index("甲化工")
    assert f'href="/compliance/enterprise/{world.orgs["b"].id}"' in panel
    admin = app.test_client()
    admin.post("/login", data={"username": "jia_admin", "password": "correct-horse-battery"})
    mine = admin.get("/dashboard", headers=EN).get_data(as_text=True)
    panel = mine.split("Compliance of 甲化工")[1].split("</section>")[0]
    assert "66.7%" in panel and "(2/3)" in panel and "Open the gap list" in panel
    assert f"/compliance/enterprise/{world.orgs['a'].id}?show=not_certified" in panel
    learner = app.test_client()
    learner.post("/login", data={"username": "learner", "password": "correct-horse-battery"})
    assert "Compliance" not in learner.get("/dashboard", headers=EN).get_data(as_text=True).split("<main")[1]


def test_navigation_entry(world, as_user):
    html = page(as_user("wuxi"), "/dashboard")
    assert 'href="/compliance/"' in html


def test_export_links_carry_the_scope_filters_and_day(world, as_user):
    html = page(as_user("wuxi"), "/compliance/region/320200?industry=machinery&as_of=2026-01-01")
    for fmt in ("csv", "xlsx", "pdf"):
        assert (f'href="/compliance/export?format={fmt}&amp;industry=machinery&amp;as_of=2026-01-01'
                f'&amp;region=320200"') in html
    b = world.orgs["b"].id
    enterprise = page(as_user("wuxi"), f"/compliance/enterprise/{b}?post=principal")
    assert f'href="/compliance/export?format=pdf&amp;post=principal&amp;org={b}"' in enterprise


def test_pages_render_in_the_default_language(world, as_user):
    client = as_user("wuxi")
    for url in ("/compliance/region/320200", f"/compliance/enterprise/{world.orgs['a'].id}", "/dashboard"):
        response = client.get(url)
        assert response.status_code == 200 and '<html lang="zh-CN">' in response.get_data(as_text=True)


def test_a_system_admin_chooses_among_the_provinces(world, make, app):
    make.account("root", Role.SYSTEM_ADMIN)
    client = app.test_client()
    client.post("/login", data={"username": "root", "password": "correct-horse-battery"})
    html = page(client, "/compliance/")
    assert 'href="/compliance/region/320000">Jiangsu Province</a>' in html
    assert 'href="/compliance/region/340000">Anhui Province</a>' in html
