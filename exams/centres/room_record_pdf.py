"""The exam-room record (考场记录) of one room in one session as an A4 PDF, for filing with the exam body.

It lists what the check-in pages hold: the room's candidates with their attendance, the incidents
noted, the invigilators and the sign-off. Rows come from the same queries as the check-in pages
(exams.centres.checkin), so paper and screen agree; a signed record prints its frozen counts.
"""

from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from exams.centres import checkin
from exams.centres.labels import ATTENDANCE_LABELS, INCIDENT_LABELS
from exams.centres.models import ExamSession, Room, RoomKind, SessionStaff, StaffDuty
from exams.centres.tickets import centre_address, exam_window, session_exam
from lms import pdf
from lms.clock import local_tz
from lms.i18n import _, _l, current_locale

DUTY_LABELS = {StaffDuty.INVIGILATOR: _l("Invigilator"), StaffDuty.EXAMINER: _l("Examiner")}
ROOM_KIND_LABELS = {RoomKind.THEORY: _l("Computer theory room"), RoomKind.PRACTICAL: _l("Practical room")}


def room_record_pdf(session: ExamSession, room: Room) -> bytes:
    """The room's record: details, candidates and attendance, incidents, invigilators, sign-off."""
    s = pdf.styles()
    rows = checkin.roster(session, room)
    record = checkin.room_record(session, room)
    story = [Paragraph(escape(_("Exam-room record")), s["title"]),
             _details(session, room), Spacer(1, 3 * mm),
             Paragraph(escape(_("Candidates")), s["h"]),
             Paragraph(escape(_tally(rows, record)), s["p"]), Spacer(1, 2 * mm),
             pdf.table([_("Seat"), _("Ticket number"), _("Name"), _("ID number"), _("Attendance"),
                        _("Checked in")], _candidate_rows(rows) or [[_("No candidates"), "", "", "", "",
                                                                    ""]],
                       [16, 32, 34, 40, 28, 30]),
             Paragraph(escape(_("Incidents")), s["h"]),
             pdf.table([_("Time"), _("Kind"), _("Candidate"), _("Note"), _("Recorded by")],
                       _incident_rows(session, room) or [[_("None recorded"), "", "", "", ""]],
                       [26, 26, 34, 62, 32]),
             Paragraph(escape(_("Invigilators")), s["h"]),
             Paragraph(escape(_staff_text(session, room)), s["p"]),
             Paragraph(escape(_("Sign-off")), s["h"]), *_sign_off(record, s)]
    return pdf.render(story, title=_("Exam-room record"),
                      footer_text=_("%(session)s · room %(room)s · exam-room record",
                                    session=session.code, room=room.code))


def _details(session: ExamSession, room: Room) -> Table:
    """Two-column facts about the session and the room."""
    s = pdf.styles()
    facts = [(_("Exam centre"), centre_address(session.centre)),
             (_("Session"), f"{session.title} ({session.code})"),
             (_("Exam"), session_exam(session)),
             (_("Date and time"), exam_window(session)),
             (_("Room"), f"{room.name} ({room.code}) · {ROOM_KIND_LABELS.get(room.kind, room.kind)}")]
    table = Table([[Paragraph(escape(k), s["small"]), Paragraph(escape(v), s["p"])] for k, v in facts],
                  colWidths=[30 * mm, 150 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
    return table


def _tally(rows: list, record) -> str:
    """Counts of the roster; a signed record prints the counts frozen at sign-off."""
    summary = (record.summary or {}) if record is not None else {}
    if {"registered", "present", "absent"} <= summary.keys():
        return _("At sign-off: %(registered)s registered, %(present)s present, %(absent)s absent.",
                 registered=summary["registered"], present=summary["present"], absent=summary["absent"])
    tally = checkin.counts(rows)
    return _("%(registered)s registered: %(present)s present, %(absent)s absent, %(expected)s not "
             "checked in yet.", registered=tally["registered"], present=tally["present"],
             absent=tally["absent"], expected=tally["expected"])


def _candidate_rows(rows: list) -> list[list[str]]:
    tz = local_tz()
    return [[escape(r.seat.label if r.seat else "—"), escape(r.ticket_number), escape(r.person.name),
             escape(r.person.masked_id), escape(str(ATTENDANCE_LABELS.get(r.attendance, r.attendance))),
             r.checked_in_at.astimezone(tz).strftime("%H:%M") if r.checked_in_at else ""]
            for r in rows]


def _incident_rows(session: ExamSession, room: Room) -> list[list[str]]:
    tz = local_tz()
    found = sorted(checkin.incidents(session, room), key=lambda i: (i.recorded_at, i.id))
    return [[i.recorded_at.astimezone(tz).strftime("%m-%d %H:%M"),
             escape(str(INCIDENT_LABELS.get(i.kind, i.kind))),
             escape(f"{i.registration.person.name} ({i.registration.ticket_number})"
                    if i.registration else "—"),
             escape(i.note), escape(i.recorded_by.display_name or i.recorded_by.username)]
            for i in found]


def _staff(session: ExamSession, room: Room) -> list[SessionStaff]:
    """Staff of the whole session or of this room."""
    return [s for s in session.staff if s.room_id is None or s.room_id == room.id]


def _staff_text(session: ExamSession, room: Room) -> str:
    names = [f"{s.account.display_name or s.account.username} ({DUTY_LABELS.get(s.duty, s.duty)})"
             for s in _staff(session, room)]
    separator = ", " if current_locale().startswith("en") else "、"
    return separator.join(names) if names else _("No invigilator assigned.")


def _sign_off(record, s: dict) -> list:
    if record is None:
        return [Paragraph(escape(_("Not signed off yet.")), s["p"]), Spacer(1, 10 * mm),
                Paragraph(escape(_("Invigilators' signatures:")) + " " + "_" * 24 + " " * 6 + "_" * 24,
                          s["p"])]
    who = record.signed_by.display_name or record.signed_by.username
    at = record.signed_at.astimezone(local_tz()).strftime("%Y-%m-%d %H:%M")
    return [Paragraph(escape(_("Signed off by %(name)s at %(time)s.", name=who, time=at)), s["p"]),
            Spacer(1, 2 * mm),
            Paragraph(escape(_("Remarks: %(remarks)s", remarks=record.remarks or "—")).replace("\n", "<br/>"),
                      s["p"])]
