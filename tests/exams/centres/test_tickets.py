"""Admission tickets and the exam-room record as PDFs: what they print, that they render, that the QR
code carries the ticket number, that equal inputs give equal bytes, and who may download them."""

import io
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from centres_world import add_room
from PIL import Image, ImageDraw
from reportlab.graphics.barcode.qr import QrCodeWidget
from sqlalchemy import select

from exams.centres.models import (
    Attendance,
    Incident,
    IncidentKind,
    Registration,
    RegistrationStatus,
    RoomRecord,
)
from exams.centres.photos import save_photo
from exams.centres.room_record_pdf import room_record_pdf
from exams.centres.tickets import ticket_pdf, tickets_pdf
from lms.audit import AuditEvent
from lms.extensions import db
from lms.i18n import _

#: Where the lead looks at one rendered ticket and one room record.
SHOTS = Path("/tmp/centres-shots")
DPI = 150


def portrait(fmt: str = "PNG", size=(300, 420)) -> bytes:
    """A plain head-and-shoulders picture standing in for a candidate's photo."""
    image = Image.new("RGB", size, (214, 228, 240))
    draw = ImageDraw.Draw(image)
    w, h = size
    draw.ellipse((w * 0.3, h * 0.18, w * 0.7, h * 0.55), fill=(90, 90, 100))
    draw.ellipse((w * 0.1, h * 0.6, w * 0.9, h * 1.3), fill=(60, 70, 90))
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def enrol(day, person, number: str, *, seat=None, photo: str | None = None,
          status=RegistrationStatus.ACTIVE) -> Registration:
    """A registration of ``person`` for the day's session, committed."""
    employment = day.employment(person)
    reg = Registration(session=day.session, person=person, employment=employment,
                       organization_id=employment.organization_id, ticket_number=number,
                       registered_by_id=day.accounts["centre_admin"].id, seat=seat,
                       photo_digest=photo, status=status,
                       health_commitment_at=datetime(2026, 12, 1, tzinfo=UTC))
    db.session.add(reg)
    db.session.commit()
    return reg


def run(*command) -> str:
    return subprocess.run([str(c) for c in command], capture_output=True, text=True, check=True).stdout


def pages(path: Path) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", run("pdfinfo", path), re.M).group(1))


def pdf_text(path: Path) -> str:
    return run("pdftotext", "-layout", path, "-")


def to_png(data: bytes, path: Path, page: int = 1) -> Path:
    """Write the PDF next to ``path`` and render one page of it to ``path`` (PNG)."""
    source = path.with_suffix(".pdf")
    source.write_bytes(data)
    run("pdftoppm", "-png", "-r", DPI, "-f", page, "-l", page, "-singlefile", source, path.with_suffix(""))
    return path


def keep(path: Path, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, SHOTS / name)


def qr_modules(text: str) -> list[list[bool]]:
    """The module matrix ReportLab encodes ``text`` into (what the ticket must show)."""
    widget = QrCodeWidget(text, barLevel="M")
    widget.qr.make()
    return [[bool(m) for m in row] for row in widget.qr.modules]


def read_qr(png: Path, box_mm: tuple[float, float, float, float], size: int) -> list[list[bool]]:
    """Sample the ``size`` x ``size`` modules of the QR code drawn inside ``box_mm`` (left, top,
    right, bottom in mm from the page's top-left) of the rendered page."""
    image = Image.open(png).convert("L")
    px = DPI / 25.4
    left, top, right, bottom = (round(v * px) for v in box_mm)
    crop = image.crop((left, top, right, bottom))
    dark = [(x, y) for y in range(crop.height) for x in range(crop.width) if crop.getpixel((x, y)) < 100]
    x0, y0 = min(x for x, _ in dark), min(y for _, y in dark)
    x1, y1 = max(x for x, _ in dark), max(y for _, y in dark)
    step_x, step_y = (x1 - x0 + 1) / size, (y1 - y0 + 1) / size
    return [[crop.getpixel((int(x0 + (c + 0.5) * step_x), int(y0 + (r + 0.5) * step_y))) < 128
             for c in range(size)] for r in range(size)]


def decode_qr(png: Path) -> list[str] | None:
    """Payloads a QR reader finds on the page, or None when the machine has no reader."""
    if shutil.which("zbarimg"):
        found = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True)
        return found.stdout.split()
    return None


@pytest.fixture
def seated(day):
    """A candidate with a seat and a photo, and one without either."""
    digest = save_photo(io.BytesIO(portrait()))
    with_all = enrol(day, day.employees[0], "202612150001", seat=day.room.seats[4], photo=digest)
    bare = enrol(day, day.employees[1], "202612150002")
    return with_all, bare


def test_a_ticket_prints_the_candidate_the_session_and_the_room_in_the_cjk_font(ctx, day, seated,
                                                                                tmp_path):
    reg, _bare = seated
    path = tmp_path / "ticket.pdf"
    path.write_bytes(ticket_pdf(reg))
    fonts = run("pdffonts", path)
    line = next(row for row in fonts.splitlines() if "MicroHei" in row)
    assert "+" in line.split()[0] and " yes yes " in line  # embedded as a subset
    text = pdf_text(path)
    person = day.employees[0]
    for expected in (_("Admission ticket"), "202612150001", person.name, person.masked_id,
                     "低压电工作业理论考试", "WX-20261215-1.2", "低压电工作业", "2026-12-15 09:00–11:00",
                     "无锡考点", "梁溪区", "第R101考场", "A05", _("Rules of the exam room")):
        assert expected in text, expected
    assert person.id_number not in text
    assert pages(path) == 1


def test_the_rendered_ticket_shows_the_photo_and_a_qr_code_of_exactly_the_ticket_number(ctx, day,
                                                                                       seated, tmp_path):
    reg, _bare = seated
    png = to_png(ticket_pdf(reg), tmp_path / "ticket.png")
    keep(png, "ticket.png")
    image = Image.open(png).convert("RGB")
    assert image.size[0] == pytest.approx(210 / 25.4 * DPI, abs=1)  # one A4 page
    # The photo's blue background sits in the photo box (left of the fields, below the title).
    px = DPI / 25.4
    assert image.getpixel((round(15 * px), round(33 * px))) == pytest.approx((214, 228, 240), abs=12)
    # QR box: 28 mm square, 13 mm from the right edge, 31 mm from the top (tickets module layout).
    expected = qr_modules("202612150001")
    assert read_qr(png, (169 - 1, 31 - 1, 197 + 1, 59 + 1), len(expected)) == expected
    decoded = decode_qr(png)
    if decoded is not None:
        assert decoded == ["202612150001"]


def test_a_ticket_without_seat_or_photo_says_when_the_seat_comes_and_draws_a_photo_box(ctx, day,
                                                                                      seated, tmp_path):
    _reg, bare = seated
    path = tmp_path / "bare.pdf"
    path.write_bytes(ticket_pdf(bare))
    text = pdf_text(path)
    assert _("Seat assigned when registration closes") in text and _("Photo") in text
    png = to_png(path.read_bytes(), tmp_path / "bare.png")
    keep(png, "ticket-no-photo.png")


def test_same_inputs_give_the_same_bytes(ctx, day, seated):
    reg, bare = seated
    assert ticket_pdf(reg) == ticket_pdf(reg)
    assert tickets_pdf([reg, bare]) == tickets_pdf([reg, bare])
    assert room_record_pdf(day.session, day.room) == room_record_pdf(day.session, day.room)


def test_a_batch_prints_two_tickets_a_page_and_leaves_withdrawn_ones_out(ctx, day, seated, tmp_path):
    reg, bare = seated
    third = enrol(day, day.employees[2], "202612150003", seat=day.room.seats[0])
    gone = enrol(day, day.employees[3], "202612150004", status=RegistrationStatus.WITHDRAWN)
    path = tmp_path / "batch.pdf"
    path.write_bytes(tickets_pdf([reg, bare, third, gone]))
    assert pages(path) == 2
    text = pdf_text(path)
    assert all(n in text for n in ("202612150001", "202612150002", "202612150003"))
    assert "202612150004" not in text
    png = to_png(path.read_bytes(), tmp_path / "batch.png")
    keep(png, "tickets-batch-page1.png")
    with pytest.raises(ValueError):
        ticket_pdf(gone)


def test_the_ticket_speaks_the_active_language_and_wraps_long_values(app, day, seated, tmp_path):
    reg, _bare = seated
    day.session.title = "Low-voltage electrical work: safety-technology theory exam for the " \
                        "December sitting of the Wuxi exam centre, morning group"
    db.session.commit()
    with app.test_request_context():
        from flask import session
        session["lang"] = "en"
        path = tmp_path / "en.pdf"
        path.write_bytes(ticket_pdf(db.session.get(Registration, reg.id)))
    text = pdf_text(path)
    assert "Admission ticket" in text and "Low-voltage" in text and "Liangxi District" in text
    assert "December sitting" in text  # the title wrapped onto a second line, not cut off
    keep(to_png(path.read_bytes(), tmp_path / "en.png"), "ticket-en.png")


def test_the_room_record_lists_candidates_incidents_invigilators_and_sign_off(ctx, day, seated,
                                                                             tmp_path):
    reg, bare = seated
    reg.attendance = Attendance.PRESENT
    reg.checked_in_at = datetime(2026, 12, 15, 0, 41, tzinfo=UTC)
    third = enrol(day, day.employees[2], "202612150003", seat=day.room.seats[0])
    third.attendance = Attendance.ABSENT
    elsewhere = enrol(day, day.employees[3], "202612150009", seat=add_room(day.centre, "R102").seats[0])
    db.session.add(Incident(session_id=day.session.id, room_id=day.room.id, registration_id=reg.id,
                            kind=IncidentKind.TECHNICAL, note="工作站死机，已更换到备用机",
                            recorded_by_id=day.accounts["invigilator"].id,
                            recorded_at=datetime(2026, 12, 15, 1, 20, tzinfo=UTC)))
    db.session.commit()
    path = tmp_path / "record.pdf"
    path.write_bytes(room_record_pdf(day.session, day.room))
    text = pdf_text(path)
    for expected in (_("Exam-room record"), "WX-20261215-1.2", "第R101考场", "202612150001",
                     "202612150003", day.employees[0].masked_id, "工作站死机", "08:41",
                     day.accounts["invigilator"].display_name, _("Not signed off yet.")):
        assert expected in text, expected
    assert elsewhere.ticket_number not in text
    assert _("%(session)s · room %(room)s · exam-room record", session="WX-20261215-1.2",
             room="R101") in text  # the footer, with the page number beside it
    png = to_png(path.read_bytes(), tmp_path / "record.png")
    keep(png, "room-record.png")

    db.session.add(RoomRecord(session_id=day.session.id, room_id=day.room.id, remarks="考场秩序良好",
                              signed_by_id=day.accounts["invigilator"].id,
                              signed_at=datetime(2026, 12, 15, 3, 5, tzinfo=UTC),
                              summary={"registered": 3, "present": 1, "absent": 2, "incidents": 1}))
    db.session.commit()
    path.write_bytes(room_record_pdf(day.session, day.room))
    text = pdf_text(path)
    assert "考场秩序良好" in text and "2026-12-15 11:05" in text and _("Not signed off yet.") not in text
    assert pages(path) == 1
    keep(to_png(path.read_bytes(), tmp_path / "record-signed.png"), "room-record-signed.png")


# --- routes --------------------------------------------------------------------------------------


def test_an_enterprise_admin_gets_their_candidates_ticket_and_another_enterprise_gets_404(
        client, login, day, seated):
    reg, _bare = seated
    login("ent_admin")
    response = client.get(f"/centre/registrations/{reg.id}/ticket.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-") and "no-store" in response.headers["Cache-Control"]
    client.post("/logout")
    login("other_admin")
    assert client.get(f"/centre/registrations/{reg.id}/ticket.pdf").status_code == 404
    assert client.get("/centre/registrations/999999/ticket.pdf").status_code == 404


def test_centre_staff_print_any_ticket_but_not_a_withdrawn_one(client, login, day, seated):
    reg, _bare = seated
    gone = enrol(day, day.employees[3], "202612150004", status=RegistrationStatus.WITHDRAWN)
    login("centre_admin")
    assert client.get(f"/centre/registrations/{reg.id}/ticket.pdf").status_code == 200
    assert client.get(f"/centre/registrations/{gone.id}/ticket.pdf").status_code == 404
    client.post("/logout")
    login("invigilator")  # checks candidates in, registers no one
    assert client.get(f"/centre/registrations/{reg.id}/ticket.pdf").status_code == 403


def test_an_enterprise_admins_session_pdf_holds_only_their_candidates(client, login, day, seated,
                                                                      tmp_path):
    enrol(day, day.employees[6], "202612150007")  # 钳工0 of the other enterprise
    login("ent_admin")
    response = client.get(f"/centre/sessions/{day.session.id}/tickets.pdf")
    assert response.status_code == 200
    path = tmp_path / "mine.pdf"
    path.write_bytes(response.data)
    text = pdf_text(path)
    assert "202612150001" in text and "202612150002" in text
    assert "202612150007" not in text and "钳工0" not in text
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "exams.tickets.printed"))
    assert event.details["count"] == 2 and event.target_id == day.session.id


def test_centre_staff_print_the_whole_session_or_one_enterprise(client, login, day, seated, tmp_path):
    enrol(day, day.employees[6], "202612150007")
    login("centre_admin")
    path = tmp_path / "all.pdf"
    path.write_bytes(client.get(f"/centre/sessions/{day.session.id}/tickets.pdf").data)
    text = pdf_text(path)
    assert all(n in text for n in ("202612150001", "202612150002", "202612150007"))
    path.write_bytes(client.get(f"/centre/sessions/{day.session.id}/tickets.pdf"
                                f"?organization={day.other_enterprise.id}").data)
    text = pdf_text(path)
    assert "202612150007" in text and "202612150001" not in text
    counts = sorted(e.details["count"] for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "exams.tickets.printed")))
    assert counts == [1, 3]


def test_invigilators_download_the_room_record_of_their_sessions_rooms_only(client, login, day, seated):
    other_room = add_room(day.centre, "R201")
    db.session.commit()
    url = f"/centre/sessions/{day.session.id}/rooms/{{}}/record.pdf"
    login("invigilator")
    response = client.get(url.format(day.room.id))
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    assert client.get(url.format(other_room.id)).status_code == 404  # not a room of the session
    client.post("/logout")
    login("ent_admin")
    assert client.get(url.format(day.room.id)).status_code == 403


def test_the_photo_is_served_to_registering_and_checking_staff_in_scope(client, login, day, seated):
    reg, bare = seated
    for username in ("ent_admin", "centre_admin", "invigilator"):
        login(username)
        with client.get(f"/centre/registrations/{reg.id}/photo") as response:
            assert response.status_code == 200 and response.mimetype == "image/png", username
        assert client.get(f"/centre/registrations/{bare.id}/photo").status_code == 404
        client.post("/logout")
    login("other_admin")
    assert client.get(f"/centre/registrations/{reg.id}/photo").status_code == 404


def test_the_persons_photo_stands_in_when_the_registration_has_none(client, login, day, seated):
    _reg, bare = seated
    bare.person.photo_digest = save_photo(io.BytesIO(portrait("JPEG")))
    db.session.commit()
    login("invigilator")
    with client.get(f"/centre/registrations/{bare.id}/photo") as response:
        assert response.status_code == 200 and response.mimetype == "image/jpeg"
