"""Training history before the system: the first record year, and training done elsewhere entered with
a proof, counted in the statutory hours, shown in the ledger and the archive, audited and scoped."""

import io
import re
import subprocess
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from courses.models import ExternalTraining
from courses.requirements import Calculator
from lms.audit import AuditEvent
from lms.clock import FixedClock, install_clock, local_tz
from lms.extensions import db
from lms.i18n import _
from lms.models import Post
from lms.roles import Role

from support import PASSWORD

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def history(app, make):
    """A high-risk enterprise's special-operations worker employed since 2023-04-01, its admin, and
    another enterprise's admin; the clock stands on 2025-06-15."""
    make.rules()
    install_clock(app, FixedClock(datetime(2025, 6, 15, 4, 0, tzinfo=UTC)))
    ent = make.org("无锡甲化工", high_risk=True, industry="hazardous_chemicals")
    other = make.org("无锡乙机械")
    worker = make.person("钱电工", org=ent, post=Post.SPECIAL_OPERATIONS, subtype="1.2")
    worker.employments[0].start_date = date(2023, 4, 1)
    db.session.commit()
    make.account("ext_admin", Role.ENTERPRISE_ADMIN, org=ent)
    make.account("other_admin", Role.ENTERPRISE_ADMIN, org=other)
    make.account("ext_reg", Role.REGULATOR, region_code="320200")
    yield {"ent": ent, "worker": worker}
    app.extensions.pop("lms.clock")
    app.config.pop("COURSES_FIRST_RECORD_YEAR", None)


def post_external(client, history, proof: bytes = PDF, **changes):
    data = {"organization": history["ent"].id, "provider": "无锡市安全生产培训中心",
            "title": "低压电工复审培训", "started_on": "2024-03-04", "ended_on": "2024-03-05",
            "class_hours": "20", "proof": (io.BytesIO(proof), "certificate.pdf"), **changes}
    return client.post(f"/courses/admin/people/{history['worker'].id}/external", data=data,
                       content_type="multipart/form-data")


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "archive.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True, timeout=60).stdout


def archive_years(client, history, tmp_path) -> tuple[set[int], str]:
    """The years with requirement rows in the worker's archive, and the archive's text."""
    response = client.get(f"/courses/admin/people/{history['worker'].id}/archive.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data, tmp_path)
    before = _("Before the records in this system")
    judged = [line for line in text.splitlines() if before not in line]
    return {int(y) for line in judged for y in re.findall(r"^\s*(20\d\d)\s", line)}, text


def test_external_training_counts_towards_the_requirement_and_is_audited(history, client, login):
    worker = history["worker"]
    before = {r.kind: r.done for r in Calculator(local_tz()).for_person(worker, 2024)}
    login("ext_admin")
    page = client.get(f"/courses/admin/people/{worker.id}")
    assert f"/courses/admin/people/{worker.id}/external" in page.get_data(as_text=True)
    response = post_external(client, history)
    assert response.status_code == 302
    record = db.session.scalar(select(ExternalTraining))
    assert (record.class_hours, record.proof_mime) == (20, "application/pdf")
    assert record.ended_on == date(2024, 3, 5)
    annual = {r.kind: r for r in Calculator(local_tz()).for_person(worker, 2024)}["annual"]
    assert annual.done == before["annual"] + 20 and annual.external == 20 and annual.met
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "courses.external_training_recorded"))
    assert event is not None and event.actor_id is not None
    with client.get(f"/courses/admin/external/{record.id}/proof") as proof:
        assert proof.status_code == 200 and proof.get_data() == PDF


def test_an_image_proof_is_accepted_and_anything_else_refused(history, client, login):
    login("ext_admin")
    assert post_external(client, history, proof=PNG).status_code == 302
    refused = post_external(client, history, proof=b"PK\x03\x04 not a certificate" + b"\x00" * 64)
    assert refused.status_code == 200
    assert "PDF" in refused.get_data(as_text=True)
    later = post_external(client, history, started_on="2025-06-01", ended_on="2025-07-01")
    assert later.status_code == 200
    assert db.session.query(ExternalTraining).count() == 1


def test_external_training_shows_in_the_ledger_and_the_archive(history, client, login, tmp_path):
    login("ext_admin")
    post_external(client, history)
    book = load_workbook(io.BytesIO(client.get(
        f"/courses/admin/ledger.xlsx?org={history['ent'].id}&start=2024-01-01&end=2024-12-31").data))
    rows = [[c.value for c in r] for r in book.worksheets[0].iter_rows(min_row=2)]
    assert any(str(r[4]).startswith(_("External training")) and "无锡市安全生产培训中心" in r[4]
               and r[6] == 20 for r in rows), rows
    _years, text = archive_years(client, history, tmp_path)
    assert _("Training done elsewhere") in text and "无锡市安全生产培训中心" in text
    assert "低压电工复审培训" in text


def test_the_archive_starts_with_the_employment_and_the_first_record_year(app, history, client, login,
                                                                          tmp_path):
    login("ext_admin")
    years, _text = archive_years(client, history, tmp_path)
    assert min(years) == 2023 and years <= {2023, 2024, 2025}
    app.config["COURSES_FIRST_RECORD_YEAR"] = 2024
    years, text = archive_years(client, history, tmp_path)
    assert years == {2024, 2025}
    assert re.search(r"2023\s+" + re.escape(_("Before the records in this system")), text)


def test_persons_of_other_enterprises_answer_404(app, history, client, login):
    login("ext_admin")
    post_external(client, history)
    record = db.session.scalar(select(ExternalTraining))
    client = app.test_client()
    client.post("/login", data={"username": "other_admin", "password": PASSWORD})
    assert client.get(f"/courses/admin/people/{history['worker'].id}/external").status_code == 404
    assert post_external(client, history).status_code == 404
    assert client.get(f"/courses/admin/external/{record.id}/proof").status_code == 404
    client = app.test_client()
    client.post("/login", data={"username": "ext_reg", "password": PASSWORD})
    # A regulator reads progress in the region but enters nothing.
    with client.get(f"/courses/admin/external/{record.id}/proof") as proof:
        assert proof.status_code == 200
    assert client.get(f"/courses/admin/people/{history['worker'].id}/external").status_code == 403
    assert db.session.query(ExternalTraining).count() == 1
