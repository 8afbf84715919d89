"""Compliance exports: CSV and Excel contents (summary, people, definitions), masked ID numbers,
formula-looking names kept as text, the PDF audit report (text, picture, footer hash), the export
route (streaming, formats, scope, audit) and ``lms compliance report``."""

import csv
import io
import re
import subprocess
from datetime import date

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import select

from certificates.compliance import exports
from certificates.compliance.rates import Filters, overview
from certificates.compliance.report_pdf import build_report
from certificates.compliance.snapshots import snapshot_as_of, take_snapshot
from certificates.models import CertificateType
from lms.extensions import db
from lms.models import AuditEvent, Post
from lms.regions import region_by_code
from lms.roles import Role

from support import ARTIFACTS

EVIL = "=HYPERLINK(\"http://x\",\"y\")"
EN = {"Accept-Language": "en"}


@pytest.fixture
def world(on_day, make, make_cert, holder):
    """Wuxi: a high-risk welding firm in Liangxi (a certified welder, a welder without a certificate,
    a certified safety manager, an ordinary worker with a formula-looking name) and a machinery
    firm in Xinwu (a principal without a certificate); a Lu'an firm outside Wuxi."""
    firm = holder.employments[0].organization
    make_cert(holder, number="T-WELD-1")
    bare = make.person("李四", firm, Post.SPECIAL_OPERATIONS, subtype="2.1")
    manager = make.person("张安全", firm, Post.SAFETY_MANAGER)
    make_cert(manager, cert_type=CertificateType.SAFETY_QUALIFICATION, number="AQ-0001")
    evil = make.person(EVIL, firm, Post.OTHER)
    other = make.org("新吴机械有限公司", region_code="320214")
    boss = make.person("王老板", other, Post.PRINCIPAL, region_code="320214")
    luan = make.org("六安矿业有限公司", region_code="341502", high_risk=True)
    make.person("陈六", luan, Post.PRINCIPAL, region_code="341502")
    return {"firm": firm, "other": other, "luan": luan, "holder": holder, "bare": bare, "manager": manager,
            "evil": evil, "boss": boss, "today": on_day}


def _sections(text: str) -> list[list[list[str]]]:
    """The CSV's tables, split at blank lines."""
    assert text.startswith("\ufeff")
    tables, current = [], []
    for row in csv.reader(io.StringIO(text[1:])):
        if not row:
            tables.append(current)
            current = []
        else:
            current.append(row)
    tables.append(current)
    return tables


def _csv_text(scope, filters, on, today) -> str:
    out = io.BytesIO()
    about = exports.About(scope, filters, on)
    summary = exports.summary_rows(overview(scope, filters, on, today))
    exports.write_csv(exports.person_rows(scope, filters, on, today), out, about=about, summary=summary)
    return out.getvalue().decode("utf-8")


def test_summary_rows_count_the_region_and_its_districts(world):
    wuxi = region_by_code("320200")
    with force_locale("en"):
        rows = exports.summary_rows(overview(wuxi, Filters(), world["today"], world["today"]))
    assert [(r["kind"], r["code"], r["name"]) for r in rows] == [
        ("total", "320200", "Wuxi"), ("region", "320213", "Liangxi District"),
        ("region", "320214", "Xinwu District")]
    total, liangxi, xinwu = rows
    assert (total["on_job"], total["key_on_job"], total["certified"], total["not_certified"]) == (5, 4, 2, 2)
    assert total["certified_rate"] == 0.5
    assert (total["hr_on_job"], total["hr_passed"], total["pass_rate"]) == (4, 0, 0.0)
    assert (liangxi["key_on_job"], liangxi["certified"], liangxi["certified_rate"]) == (3, 2, 2 / 3)
    assert (xinwu["key_on_job"], xinwu["certified"], xinwu["certified_rate"]) == (1, 0, 0.0)


def test_csv_holds_about_summary_and_people_with_masked_ids_and_defused_formulas(world):
    wuxi = region_by_code("320200")
    with force_locale("en"):
        text = _csv_text(wuxi, Filters(), world["today"], world["today"])
    about, summary, people = _sections(text)
    about = dict(about[1:])
    assert about["Compliance report"] == "Wuxi" and about["Region"] == "320200"
    assert about["As-of date"] == "2026-03-02" and about["Filters"] == "All"
    assert about["Rule compliance.assessment_valid_months"] == "项目需求 合规"
    assert "key-post employments on the job" in about["Certified-on-the-job rate (持证上岗率)"]
    assert summary[0][:3] == ["Level", "Code", "Name"] and "Certified-on-the-job rate (%)" in summary[0]
    rate = summary[0].index("Certified-on-the-job rate (%)")
    rates = [(r[1], r[rate]) for r in summary[1:]]
    assert rates == [("320200", "50.0"), ("320213", "66.7"), ("320214", "0.0")]
    header, lines = people[0], [dict(zip(people[0], r, strict=True)) for r in people[1:]]
    assert header[:3] == ["Enterprise", "Enterprise code", "Region code"]
    assert len(lines) == 5  # the Lu'an principal is outside Wuxi
    by_name = {line["Name"]: line for line in lines}
    welder = by_name["王小明"]
    assert welder["Certificate number"] == "T-WELD-1" and welder["Certificate in force until"] == "2028-01-10"
    assert welder["Operation sub-type"].startswith("2.1 ") and welder["Gap"] == ""
    assert by_name["李四"]["Gap"] == "No certificate of the required type"
    assert by_name["王老板"]["Region codes (province/city/district)"] == "320000/320200/320214"
    assert by_name["王老板"]["High-risk enterprise"] == "No" and welder["High-risk enterprise"] == "Yes"
    holder_id = world["holder"].id_number
    assert welder["ID number (masked)"] == holder_id[:6] + "********" + holder_id[-4:]
    for person in ("holder", "bare", "manager", "evil", "boss"):
        assert world[person].id_number not in text
    assert by_name.get(EVIL) is None and by_name["'" + EVIL]["Post"] == "Other employee"


def test_filters_and_an_enterprise_scope(world):
    wuxi = region_by_code("320200")
    today = world["today"]
    welders = list(exports.person_rows(wuxi, Filters(post="special_operations"), today, today))
    assert sorted(r["person"] for r in welders) == ["李四", "王小明"]
    high_risk = list(exports.person_rows(wuxi, Filters(high_risk=False), world["today"], world["today"]))
    assert [r["person"] for r in high_risk] == ["王老板"]
    firm = list(exports.person_rows(world["firm"], Filters(), world["today"], world["today"]))
    assert sorted(r["person"] for r in firm) == sorted(["王小明", "李四", "张安全", EVIL])
    assert exports.count_rows(wuxi, Filters(), world["today"], world["today"]) == 5


def test_a_past_day_is_worked_out_from_the_records(world):
    wuxi = region_by_code("320200")
    day = date(2025, 1, 1)  # both certificates were issued on 2025-01-10
    rows = list(exports.person_rows(wuxi, Filters(), day, world["today"]))
    assert len(rows) == 5
    assert {r["person"]: r["gap"] for r in rows if r["post"] != "other"} == {
        "王小明": "not_yet", "李四": "none", "张安全": "not_yet", "王老板": "none"}
    assert all(r["certificate_number"] == "" and r["training_behind"] is None for r in rows)
    # Enterprise by enterprise, in the same order as today's rows.
    today_rows = list(exports.person_rows(wuxi, Filters(), world["today"], world["today"]))
    assert [r["enterprise_code"] for r in rows] == [r["enterprise_code"] for r in today_rows]


def test_groups_of_enterprises_stream_in_batches(world, monkeypatch):
    monkeypatch.setattr(exports, "BATCH_ROWS", 1)  # every enterprise is a group of its own
    wuxi = region_by_code("320200")
    rows = exports.person_rows(wuxi, Filters(), world["today"], world["today"])
    assert not isinstance(rows, list)
    assert [r["enterprise_code"] for r in rows] == [world["firm"].code] * 4 + [world["other"].code]


def test_xlsx_has_summary_people_and_definitions_sheets(world, tmp_path):
    wuxi = region_by_code("320200")
    path = tmp_path / "wuxi.xlsx"
    with force_locale("en"):
        today = world["today"]
        exports.write_xlsx(exports.person_rows(wuxi, Filters(), today, today), path,
                           about=exports.About(wuxi, Filters(), today),
                           summary=exports.summary_rows(overview(wuxi, Filters(), today, today)))
    book = load_workbook(path)
    assert book.sheetnames == ["Summary", "People", "Definitions"]
    summary = list(book["Summary"].values)
    assert summary[1][:3] == ("Total", "320200", "Wuxi") and summary[1][7] == 50
    people = list(book["People"].iter_rows(min_row=2))
    names = [row[6] for row in people]
    evil = next(cell for cell in names if cell.value == EVIL)
    assert evil.data_type == "s" and evil.quotePrefix  # text, never a formula
    assert {c.value for c in names} == {"王小明", "李四", "张安全", EVIL, "王老板"}
    definitions = dict(book["Definitions"].values)
    assert definitions["As-of date"] == "2026-03-02" and "Training coverage" in definitions


def _snapshots(world):
    """Snapshots for a trend: three past months worked out from the records, and today's."""
    for day in (date(2025, 1, 1), date(2025, 6, 1), date(2025, 12, 1)):
        snapshot_as_of(day)
    take_snapshot(world["today"])
    db.session.commit()


def _pdf_text(body: bytes, tmp_path, name: str) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(body)
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return " ".join(text.split())  # a cell's wrapped lines read as one


def _png(body: bytes, tmp_path, name: str) -> list:
    """Render every page to build/screenshots/compliance-report-NAME-N.png; the images."""
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(body)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "80", str(path), str(ARTIFACTS / f"compliance-report-{name}")],
                   check=True)
    return sorted(ARTIFACTS.glob(f"compliance-report-{name}-*.png"))


def _hash(text: str) -> str:
    """The full content hash printed in the report (in any language: the only 64-hex-digit run)."""
    return re.search(r"\b([0-9a-f]{64})\b", text).group(1)


def test_region_report_shows_rates_children_trend_and_a_stable_hash(world, tmp_path, make_cert):
    _snapshots(world)
    wuxi = region_by_code("320200")
    today = world["today"]
    with force_locale("en"):
        body = build_report(wuxi, Filters(), today, today)
        again = build_report(wuxi, Filters(), today, today)
    text = _pdf_text(body, tmp_path, "region")
    assert "Compliance audit report: Wuxi" in text and "As of 2026-03-02" in text
    assert "50.0%" in text and "Liangxi District" in text and "66.7%" in text and "Xinwu District" in text
    assert "Monthly trend" in text and "2025-06" in text
    assert "compliance.assessment_valid_months" in text and "Page 1 of" in text
    digest = _hash(text)
    assert _hash(_pdf_text(again, tmp_path, "again")) == digest
    assert f"SHA-256 {digest[:16]}" in text  # in the footer too
    with force_locale("zh_CN"):
        assert _hash(_pdf_text(build_report(wuxi, Filters(), today, today), tmp_path, "zh")) == digest
    make_cert(world["bare"], number="T-WELD-2")  # the second welder is now certified
    with force_locale("en"):
        changed = _pdf_text(build_report(wuxi, Filters(), today, today), tmp_path, "changed")
    assert _hash(changed) != digest and "75.0%" in changed
    pages = _png(body, tmp_path, "region")
    assert pages
    image = Image.open(pages[0]).convert("L")
    assert image.getextrema()[0] < 100  # there is ink on the page


def test_enterprise_report_lists_the_gaps(world, tmp_path):
    today = world["today"]
    with force_locale("en"):
        body = build_report(world["firm"], Filters(), today, today)
    text = _pdf_text(body, tmp_path, "enterprise")
    assert "People with gaps" in text and "李四" in text and "No certificate of the required type" in text
    assert "No passed assessment in force" in text  # a high-risk firm without assessments
    assert world["bare"].masked_id in text and world["bare"].id_number not in text
    assert _png(body, tmp_path, "enterprise")


# -- the route -----------------------------------------------------------------------------------------

@pytest.fixture
def regulator(world, make, login):
    make.account("wuxi-regulator", Role.REGULATOR, region_code="320200")
    login("wuxi-regulator")


def test_csv_export_streams_and_is_recorded(world, regulator, client):
    response = client.get("/compliance/export?region=320200&format=csv", headers=EN)
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert 'filename="compliance-320200-2026-03-02.csv"' in disposition
    assert "filename*=UTF-8''compliance-320200-" in disposition
    _about, _summary, people = _sections(response.get_data(as_text=True))
    assert len(people) == 6
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "compliance.exported"))
    assert event.details == {"scope": "320200", "format": "csv", "as_of": "2026-03-02", "rows": 5}


def test_xlsx_and_pdf_exports_of_an_enterprise(world, regulator, client):
    response = client.get(f"/compliance/export?org={world['firm'].id}&format=xlsx", headers=EN)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book["People"].max_row == 5
    query = f"org={world['firm'].id}&format=pdf&as_of=2025-06-01"
    response = client.get(f"/compliance/export?{query}", headers=EN)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert response.headers["Content-Disposition"].startswith('attachment; filename="compliance-TEST')


@pytest.mark.parametrize(("query", "message"), [
    ("region=320200&format=doc", "Unknown format doc"),
    ("region=320200&as_of=2026-13-01", "as_of must be a date"),
    ("region=320200&high_risk=maybe", "high_risk must be yes or no"),
    ("region=320200&post=boss", "Unknown post boss"),
])
def test_bad_queries_answer_400_with_a_reason(world, regulator, client, query, message):
    response = client.get(f"/compliance/export?{query}", headers=EN)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_outside_the_region_looks_absent(world, regulator, client):
    assert client.get("/compliance/export?region=341500", headers=EN).status_code == 404
    assert client.get(f"/compliance/export?org={world['luan'].id}", headers=EN).status_code == 404
    assert client.get("/compliance/export?region=999999", headers=EN).status_code == 404


def test_an_account_without_the_permission_is_refused(world, make, login, client):
    make.account("learner", Role.LEARNER, org=world["firm"])
    login("learner")
    assert client.get("/compliance/export?region=320200", headers=EN).status_code == 403


# -- the command ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_report_command_writes_each_format(world, runner, tmp_path, fmt):
    out = tmp_path / f"wuxi.{fmt}"
    result = runner.invoke(args=["compliance", "report", "--region", "320200", "--format", fmt,
                                 "--lang", "en", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    if fmt == "csv":
        assert len(_sections(data.decode("utf-8"))[2]) == 6
        assert "5 people rows" in result.output
    elif fmt == "xlsx":
        assert load_workbook(io.BytesIO(data))["People"].max_row == 6
    else:
        assert data.startswith(b"%PDF")


def test_report_command_filters_and_an_enterprise(world, runner, tmp_path):
    out = tmp_path / "firm.csv"
    result = runner.invoke(args=["compliance", "report", "--org", str(world["firm"].id), "--post",
                                 "special_operations", "--as-of", "2025-06-01", "--lang", "en", str(out)])
    assert result.exit_code == 0, result.output
    people = _sections(out.read_bytes().decode("utf-8"))[2]
    assert sorted(r[6] for r in people[1:]) == ["李四", "王小明"]


@pytest.mark.parametrize(("args", "message"), [
    (["--region", "999999"], "No region with the code '999999'"),
    (["--region", "320200", "--format", "doc"], "Unknown format 'doc'"),
    (["--region", "320200", "--as-of", "yesterday"], "as_of must be a date"),
    ([], "Give either --region CODE or --org ID"),
])
def test_report_command_fails_clearly(world, runner, tmp_path, args, message):
    result = runner.invoke(args=["compliance", "report", *args, "--lang", "en", str(tmp_path / "x.csv")])
    assert result.exit_code == 1
    assert message in result.output
    assert not (tmp_path / "x.csv").exists()
