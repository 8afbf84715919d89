"""Admission tickets (准考证) as print-ready PDFs.

Each ticket fills half an A4 sheet (210 x 148.5 mm, the size of A5 landscape): a batch prints two
tickets on every A4 page with a dashed cut line between them, and a single ticket prints on the top
half of one A4 page, so every office printer takes both. Tickets are drawn straight onto the canvas
(no story of flowables is built for the whole batch), what every ticket of a session shares is
drawn once into a PDF form that each ticket reuses, and people, seats and rooms are loaded in
chunks, so a batch of thousands costs little more memory than the PDF itself.
"""

import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby, islice

from PIL import Image, ImageOps
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from exams.centres.labels import SESSION_KIND_LABELS, subtype_label
from exams.centres.models import ExamSession, Registration, Seat
from lms import pdf
from lms.clock import local_tz
from lms.extensions import db
from lms.i18n import _, _l, current_locale
from lms.models import Organization, Person
from lms.storage import current_store

TICKET_W, TICKET_H = A4[0], A4[1] / 2
#: Border of a ticket from the edges of its half sheet.
INSET = 8 * mm
PAD = 5 * mm
PHOTO_W, PHOTO_H = 25 * mm, 35 * mm
#: Photos are scaled to 300 dpi at the printed size: sharp on paper, small in the PDF.
PHOTO_PX = (300, 420)
QR_MM = 28
#: Registrations loaded per query while a batch is drawn.
CHUNK = 200

INK = colors.HexColor("#1a1a1a")
GREY = colors.HexColor("#555555")
RULE = colors.HexColor("#9aa5b1")

#: The rules of the exam room printed on every ticket (暂行办法 Arts. 21-22; domain reference 5.3).
ROOM_RULES = (
    _l("Arrive at the exam centre 30 minutes before the exam starts."),
    _l("Bring your resident ID card and this admission ticket; both are checked at the door."),
    _l("No phones, notes, books or other electronic devices at your seat."),
    _l("Follow the invigilators' instructions at all times."),
    _l("Misconduct leads to expulsion from the room and cancellation of this session's score."),
)


class PrintPhoto(ImageReader):
    """A JPEG for the canvas, freed as soon as nothing refers to it.

    ReportLab's ImageReader stores a bound method of itself on itself, so each decoded photo would
    wait for the cycle collector, which counts objects, not bytes: a batch of thousands of tickets
    grew by hundreds of MB that way.
    """

    def __init__(self, data: bytes):
        super().__init__(io.BytesIO(data))
        self.__dict__.pop("jpeg_fh", None)

    def jpeg_fh(self):
        """The JPEG bytes, passed into the PDF as they are."""
        return self._jpeg_fh()


@dataclass(frozen=True)
class Ticket:
    """Everything printed on one ticket, as text in the active language, plus the photo."""

    session_id: int
    body: str
    session_code: str
    ticket_number: str
    name: str
    masked_id: str
    exam: str
    session_title: str
    when: str
    address: str
    room: str
    seat: str
    photo: PrintPhoto | None


def ticket_pdf(registration: Registration) -> bytes:
    """One admission ticket on the top half of an A4 page (the registration must be active)."""
    if not registration.is_active:
        raise ValueError("a withdrawn registration has no admission ticket")
    return tickets_pdf([registration])


def tickets_pdf(registrations: Iterable[Registration]) -> bytes:
    """A print-ready PDF of the active registrations' tickets, two to an A4 page, in the given order."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1)
    canvas.setTitle(_("Admission tickets"))
    canvas.setSubject(_("Admission tickets"))
    rules = _rule_lines()
    layouts: dict[int, dict] = {}
    drawn = 0
    for ticket in _tickets(registrations):
        if ticket.session_id not in layouts:
            layouts[ticket.session_id] = _define_frame(canvas, ticket, rules)
        half = drawn % 2
        if half == 0 and drawn:
            canvas.showPage()
        _draw_ticket(canvas, ticket, layouts[ticket.session_id], TICKET_H * (1 - half))
        if half == 0:
            _cut_line(canvas)
        drawn += 1
    if not drawn:
        canvas.setFont(pdf.cjk_font(), 12)
        canvas.drawString(pdf.MARGIN, A4[1] - 30 * mm, _("No active registrations to print."))
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def session_exam(session: ExamSession) -> str:
    """What the session examines, e.g. "Special-operations theory · 1.2 低压电工作业"."""
    text = str(SESSION_KIND_LABELS.get(session.kind, session.kind))
    return f"{text} · {subtype_label(session.operation_subtype)}" if session.operation_subtype else text


def centre_address(centre: Organization) -> str:
    """The centre's name and its region from the province down, in the active language."""
    locale = current_locale()
    chain, region = [], centre.region
    while region is not None:
        chain.append(region.display_name(locale))
        region = region.parent
    if locale.startswith("en"):
        return f"{centre.name}, {', '.join(chain)}"
    return f"{centre.name}（{''.join(reversed(chain))}）"


def exam_window(session: ExamSession) -> str:
    """Date and time window of the session in the deployment's local time."""
    tz = local_tz()
    start, end = session.starts_at.astimezone(tz), session.ends_at.astimezone(tz)
    if start.date() == end.date():
        return f"{start:%Y-%m-%d} {start:%H:%M}–{end:%H:%M}"
    return f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M}"


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _tickets(registrations: Iterable[Registration]) -> Iterator[Ticket]:
    """Ticket texts of the active registrations, loading people and seats a chunk at a time."""
    sessions: dict[int, dict] = {}
    for chunk in _chunks((r for r in registrations if r.is_active), CHUNK):
        people = {p.id: p for p in db.session.scalars(
            select(Person).where(Person.id.in_({r.person_id for r in chunk})))}
        seat_ids = {r.seat_id for r in chunk if r.seat_id is not None}
        seats = {s.id: s for s in db.session.scalars(
            select(Seat).options(joinedload(Seat.room)).where(Seat.id.in_(seat_ids)))} if seat_ids else {}
        for reg in chunk:
            about = sessions.get(reg.session_id) or sessions.setdefault(
                reg.session_id, _session_texts(reg.session_id))
            person = people[reg.person_id]
            seat = seats.get(reg.seat_id)
            yield Ticket(
                session_id=reg.session_id, body=about["body"], session_code=about["code"],
                ticket_number=reg.ticket_number,
                name=person.name, masked_id=person.masked_id, exam=about["exam"],
                session_title=about["title"], when=about["when"], address=about["address"],
                room=f"{seat.room.name} ({seat.room.code})" if seat else "—",
                seat=seat.label if seat else _("Seat assigned when registration closes"),
                photo=_photo(reg.photo_digest or person.photo_digest))


def _session_texts(session_id: int) -> dict:
    session = db.session.scalar(select(ExamSession).options(joinedload(ExamSession.centre))
                                .where(ExamSession.id == session_id))
    return {"body": session.centre.name, "code": session.code, "title": session.title,
            "exam": session_exam(session), "when": exam_window(session),
            "address": centre_address(session.centre)}


def _photo(digest: str | None) -> PrintPhoto | None:
    """The photo scaled for print, or None (a missing or unreadable file prints the placeholder)."""
    if digest is None:
        return None
    try:
        with current_store().open(digest) as fh, Image.open(fh) as image:
            # JPEG decodes straight at a fraction of its size: a phone photo costs a tenth.
            image.draft("RGB", PHOTO_PX)
            scaled = _on_white(ImageOps.exif_transpose(image))
            scaled.thumbnail(PHOTO_PX)
            out = io.BytesIO()
            scaled.save(out, "JPEG", quality=85)
    except (OSError, ValueError, SyntaxError):
        return None
    return PrintPhoto(out.getvalue())


def _on_white(image: Image.Image) -> Image.Image:
    """RGB, with any transparent parts of a PNG on white paper instead of black."""
    if image.mode not in ("RGBA", "LA", "P", "PA"):
        return image.convert("RGB")
    rgba = image.convert("RGBA")
    paper = Image.new("RGB", rgba.size, "white")
    paper.paste(rgba, mask=rgba.getchannel("A"))
    return paper


# --- drawing -------------------------------------------------------------------------------------

_TOKENS = re.compile(r"[A-Za-z0-9@#&'’.,:;!?()\-/_]+\s*|\s+|.")


def wrap(text: str, font: str, size: float, width: float, max_lines: int = 2) -> list[str]:
    """Break ``text`` into lines no wider than ``width``: between any two Chinese characters, at
    spaces in Latin text; the last allowed line ends in an ellipsis when text is left over."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if stringWidth(text, font, size) <= width:
        return [text] if text else []
    lines, line = [], ""
    for token in _TOKENS.findall(text):
        if line and stringWidth(line + token.rstrip(), font, size) > width:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
        while stringWidth(line.rstrip(), font, size) > width and len(line) > 1:
            # A single Latin token wider than the line is cut where it overflows.
            cut = len(line) - 1
            while cut > 1 and stringWidth(line[:cut], font, size) > width:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
    if line.strip():
        lines.append(line.rstrip())
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and stringWidth(last + "…", font, size) > width:
            last = last[:-1]
        lines = lines[:max_lines - 1] + [last + "…"]
    return lines


def _rule_lines() -> list[list[str]]:
    """The room rules wrapped once per batch (they are the same on every ticket)."""
    width = TICKET_W - 2 * INSET - 2 * PAD - 5 * mm
    return [wrap(str(rule), pdf.cjk_font(), 7.5, width, 2) for rule in ROOM_RULES]


def _cut_line(canvas: Canvas) -> None:
    canvas.saveState()
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.4)
    canvas.setDash(3, 3)
    canvas.line(4 * mm, TICKET_H, TICKET_W - 4 * mm, TICKET_H)
    canvas.restoreState()


# Geometry of a ticket, in points from the lower-left corner of its half sheet.
_LEFT, _RIGHT = INSET, TICKET_W - INSET
_BOTTOM, _TOP = INSET, TICKET_H - INSET
_BODY_TOP = _TOP - 23 * mm
_PHOTO_X = _LEFT + PAD
_QR_X = _RIGHT - PAD - QR_MM * mm
_LABEL_X = _PHOTO_X + PHOTO_W + 6 * mm
_VALUE_X = _LABEL_X + 22 * mm
_VALUE_W = _QR_X - 5 * mm - _VALUE_X
#: Rows of the ticket: key, point size, and whether the value is the same for the whole session.
_ROWS = (("ticket", 13, False), ("name", 12, False), ("id", 10, False), ("exam", 9.5, True),
         ("session", 9.5, True), ("when", 10, True), ("address", 9.5, True), ("room", 10, False),
         ("seat", 10, False))


def _row_captions() -> dict[str, str]:
    return {"ticket": _("Ticket number"), "name": _("Name"), "id": _("ID number"), "exam": _("Exam"),
            "session": _("Session"), "when": _("Date and time"), "address": _("Exam centre"),
            "room": _("Room"), "seat": _("Seat")}


def _session_values(t: Ticket) -> dict[str, str]:
    return {"exam": t.exam, "session": f"{t.session_title} ({t.session_code})", "when": t.when,
            "address": t.address}


def _define_frame(canvas: Canvas, t: Ticket, rules: list[list[str]]) -> dict:
    """Draw what every ticket of ``t``'s session shares into a PDF form, once; return its name and
    the baseline of every row (session values may wrap, candidates' values never do)."""
    font = pdf.cjk_font()
    name = f"ticket-frame-{t.session_id}"
    sizes = {key: size for key, size, _same in _ROWS}
    shared = {key: wrap(value, font, sizes[key], _VALUE_W, 2)
              for key, value in _session_values(t).items()}
    baselines, y = {}, _BODY_TOP - 4 * mm
    for key, size, _same in _ROWS:
        baselines[key] = y
        y -= size * 1.2 * len(shared.get(key, [""])) + 2.8 * mm
    canvas.beginForm(name, 0, 0, TICKET_W, TICKET_H)
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.8)
    canvas.roundRect(_LEFT, _BOTTOM, _RIGHT - _LEFT, _TOP - _BOTTOM, 3 * mm)
    canvas.setFillColor(GREY)
    canvas.setFont(font, 8.5)
    canvas.drawString(_LEFT + PAD, _TOP - 6 * mm, t.body)
    canvas.drawRightString(_RIGHT - PAD, _TOP - 6 * mm, t.session_code)
    canvas.setFillColor(INK)
    canvas.setFont(font, 18)
    canvas.drawCentredString(TICKET_W / 2, _TOP - 14.5 * mm, _("Admission ticket"))
    canvas.setLineWidth(0.5)
    canvas.line(_LEFT + PAD, _TOP - 18.5 * mm, _RIGHT - PAD, _TOP - 18.5 * mm)
    canvas.setFillColor(GREY)
    canvas.setFont(font, 7)
    canvas.drawCentredString(_QR_X + QR_MM * mm / 2, _BODY_TOP - QR_MM * mm - 3.5 * mm,
                             _("Scan at check-in"))
    captions = _row_captions()
    for key, size, _same in _ROWS:
        canvas.setFillColor(GREY)
        canvas.setFont(font, 8)
        canvas.drawString(_LABEL_X, baselines[key], captions[key])
        canvas.setFillColor(INK)
        canvas.setFont(font, size)
        for index, line in enumerate(shared.get(key, [])):
            canvas.drawString(_VALUE_X, baselines[key] - index * size * 1.2, line)
    _draw_rules(canvas, rules, _LEFT + PAD, _RIGHT - PAD, _BOTTOM + 4 * mm)
    canvas.endForm()
    return {"form": name, "baselines": baselines}


def _draw_ticket(canvas: Canvas, t: Ticket, layout: dict, y0: float) -> None:
    """Draw ``t`` on the half sheet whose bottom edge is at ``y0``: the session's frame, then what
    is the candidate's own."""
    font = pdf.cjk_font()
    canvas.saveState()
    canvas.translate(0, y0)
    canvas.doForm(layout["form"])
    _draw_photo(canvas, t.photo, _PHOTO_X, _BODY_TOP - PHOTO_H)
    draw_qr(canvas, t.ticket_number, _QR_X, _BODY_TOP - QR_MM * mm, QR_MM * mm)
    canvas.setFillColor(INK)
    own = {"ticket": t.ticket_number, "name": t.name, "id": t.masked_id, "room": t.room, "seat": t.seat}
    for key, size, same in _ROWS:
        if not same:
            fitted, fitted_size = fit(own[key], font, size, _VALUE_W)
            canvas.setFont(font, fitted_size)
            canvas.drawString(_VALUE_X, layout["baselines"][key], fitted)
    canvas.restoreState()


def fit(text: str, font: str, size: float, width: float, smallest: float = 7) -> tuple[str, float]:
    """``text`` at ``size`` points, smaller down to ``smallest`` if it is too wide, and cut with an
    ellipsis if even that is too wide."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    wide = stringWidth(text, font, size)
    if not text or wide <= width:
        return text, size
    smaller = max(smallest, size * width / wide)
    if stringWidth(text, font, smaller) <= width:
        return text, smaller
    return wrap(text, font, smaller, width, 1)[0], smaller


def draw_qr(canvas: Canvas, text: str, x: float, y: float, side: float) -> None:
    """The QR code of ``text`` as ``lms.pdf.qr_code`` draws it (same encoder, error level M and
    4-module quiet zone), ``side`` wide with its lower-left corner at (x, y).

    Drawn as one path of rectangles straight onto the canvas: the Drawing that qr_code returns
    encodes the text twice and builds a shape object per run of modules, several times the cost,
    which a batch of thousands of tickets notices.
    """
    widget = QrCodeWidget(text, barLevel="M")
    widget.qr.make()
    modules = widget.qr.modules
    border = widget.barBorder
    box = side / (len(modules) + 2 * border)
    path = canvas.beginPath()
    for r, row in enumerate(modules):
        top = y + side - (r + border + 1) * box
        c = 0
        for dark, run in groupby(bool(m) for m in row):
            count = len(list(run))
            if dark:
                path.rect(x + (c + border) * box, top, count * box, box)
            c += count
    canvas.setFillColor(colors.black)
    canvas.drawPath(path, stroke=0, fill=1)


def _draw_photo(canvas: Canvas, photo: PrintPhoto | None, x: float, y: float) -> None:
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.6)
    if photo is None:
        canvas.setFillColor(colors.HexColor("#f4f6f8"))
        canvas.rect(x, y, PHOTO_W, PHOTO_H, fill=1, stroke=1)
        canvas.setFillColor(GREY)
        canvas.setFont(pdf.cjk_font(), 10)
        canvas.drawCentredString(x + PHOTO_W / 2, y + PHOTO_H / 2 - 1.5 * mm, _("Photo"))
        return
    canvas.drawImage(photo, x, y, PHOTO_W, PHOTO_H, preserveAspectRatio=True, anchor="c")
    canvas.rect(x, y, PHOTO_W, PHOTO_H, fill=0, stroke=1)


def _draw_rules(canvas: Canvas, rules: list[list[str]], x: float, x_end: float, y_bottom: float) -> None:
    """The rules of the room, numbered, in a shaded box at the foot of the ticket."""
    font = pdf.cjk_font()
    line_h = 3.5 * mm
    count = sum(len(lines) for lines in rules)
    height = count * line_h + 8 * mm
    canvas.setFillColor(colors.HexColor("#f4f6f8"))
    canvas.roundRect(x, y_bottom, x_end - x, height, 1.5 * mm, fill=1, stroke=0)
    canvas.setFillColor(INK)
    canvas.setFont(font, 8.5)
    y = y_bottom + height - 4.5 * mm
    canvas.drawString(x + 2.5 * mm, y, _("Rules of the exam room"))
    canvas.setFont(font, 7.5)
    for number, lines in enumerate(rules, start=1):
        for index, line in enumerate(lines):
            y -= line_h
            if index == 0:
                canvas.drawString(x + 2.5 * mm, y, f"{number}.")
            canvas.drawString(x + 6.5 * mm, y, line)
