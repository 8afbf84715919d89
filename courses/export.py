"""Enterprise training ledger for a period as an Excel workbook."""

from datetime import date
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import func, select

from courses.labels import LEVEL_LABELS, label
from courses.models import Course, Enrollment, ExternalTraining, InductionRecord, StudyRecord
from lms.clock import period_bounds
from lms.extensions import db
from lms.i18n import _
from lms.idcard import mask_id_number
from lms.labels import POST_LABELS
from lms.models import Employment, Organization, Person
from lms.rules import rule_at
from lms.spreadsheets import append_row, save_workbook


def build_ledger(org: Organization, start: date, end: date, tz: ZoneInfo) -> bytes:
    """Study per employee and course, and induction records, for local dates start .. end."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Study hours")
    minutes = float(rule_at("hours.class_hour_minutes", end, org.region).value)
    append_row(sheet, [_("Name"), _("ID number"), _("Post"), _("Department"), _("Course"),
                       _("Minutes credited"), _("Class hours"), _("Due date")])
    for row in _study_rows(org, start, end, tz):
        name, id_number, post, department, title, seconds, due = row
        # Names, departments and titles are typed in by enterprise users: append_row keeps a
        # planted "=HYPERLINK(...)" from running in the reader's Excel.
        # Masked like every list: a ledger file travels by e-mail and USB stick.
        append_row(sheet, [name, mask_id_number(id_number), label(POST_LABELS, post), department or "", title,
                           round(seconds / 60, 1), round(seconds / 60 / minutes, 2),
                           due.isoformat() if due else ""])
    for name, id_number, post, department, record in _external_rows(org, start, end):
        # Marked as such: these hours were not studied here, the proof is on the person's page.
        title = f"{_('External training')}: {record.provider} · {record.title}"
        append_row(sheet, [name, mask_id_number(id_number), label(POST_LABELS, post) if post else "",
                           department or "", title, round(record.class_hours * minutes, 1),
                           record.class_hours, ""])
    _induction_sheet(workbook.create_sheet(_("Induction")), org, start, end)
    for ws in workbook.worksheets:
        for cell in ws[1]:
            cell.font = Font(bold=True)
    return save_workbook(workbook)


def _study_rows(org: Organization, start: date, end: date, tz: ZoneInfo):
    lo, hi = period_bounds(start, end, tz)
    staff = (select(Employment.person_id, func.min(Employment.post).label("post"),
                    func.min(Employment.department).label("department"))
             .where(Employment.organization_id == org.id).group_by(Employment.person_id).subquery())
    query = (select(Person.name, Person.id_number, staff.c.post, staff.c.department, Course.title,
                    func.sum(StudyRecord.seconds), func.max(Enrollment.due_date))
             .join(staff, staff.c.person_id == StudyRecord.person_id)
             .join(Person, Person.id == StudyRecord.person_id)
             .join(Course, Course.id == StudyRecord.course_id)
             .outerjoin(Enrollment, (Enrollment.person_id == StudyRecord.person_id)
                        & (Enrollment.course_id == StudyRecord.course_id))
             .where(StudyRecord.started_at >= lo, StudyRecord.started_at < hi)
             .group_by(Person.id, Person.name, Person.id_number, staff.c.post, staff.c.department,
                       Course.id, Course.title)
             .order_by(Person.name, Course.title))
    return db.session.execute(query).all()


def _induction_sheet(sheet, org: Organization, start: date, end: date) -> None:
    append_row(sheet, [_("Name"), _("Level"), _("Date"), _("Trainer"), _("Class hours"), _("Content"),
                       _("Confirmed")])
    records = db.session.execute(
        select(InductionRecord, Person.name).join(Person, Person.id == InductionRecord.person_id)
        .where(InductionRecord.organization_id == org.id, InductionRecord.held_on >= start,
               InductionRecord.held_on <= end).order_by(InductionRecord.held_on)).all()
    for record, name in records:
        append_row(sheet, [name, label(LEVEL_LABELS, record.level), record.held_on.isoformat(),
                           record.trainer, record.class_hours, record.content,
                           _("Yes") if record.confirmed_at else _("No")])



def _external_rows(org: Organization, start: date, end: date):
    """Training done elsewhere that ended in the period, as this enterprise entered it."""
    staff = (select(Employment.person_id, func.min(Employment.post).label("post"),
                    func.min(Employment.department).label("department"))
             .where(Employment.organization_id == org.id).group_by(Employment.person_id).subquery())
    query = (select(Person.name, Person.id_number, staff.c.post, staff.c.department, ExternalTraining)
             .join(Person, Person.id == ExternalTraining.person_id)
             .outerjoin(staff, staff.c.person_id == ExternalTraining.person_id)
             .where(ExternalTraining.organization_id == org.id, ExternalTraining.ended_on >= start,
                    ExternalTraining.ended_on <= end)
             .order_by(Person.name, ExternalTraining.ended_on))
    return db.session.execute(query).all()
