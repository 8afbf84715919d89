"""The per-person training archive (一人一档) as a PDF: courses, hours, induction, results."""

from datetime import date
from zoneinfo import ZoneInfo

from flask import current_app
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer
from sqlalchemy import func, select

from courses.labels import LEVEL_LABELS, REQUIREMENT_LABELS, REQUIREMENT_STATUS, label
from courses.models import Course, ExternalTraining, InductionRecord, StudyRecord
from courses.requirements import Calculator
from courses.signals import archive_rows_wanted, collect
from lms import pdf
from lms.catalog import citation
from lms.clock import local_date
from lms.extensions import db
from lms.i18n import _
from lms.labels import POST_LABELS
from lms.models import Person


def course_rows(person: Person, tz: ZoneInfo) -> list[list]:
    """One row per course studied: title, seconds, first and last day."""
    rows = (select(Course.title, func.sum(StudyRecord.seconds), func.min(StudyRecord.started_at),
                   func.max(StudyRecord.ended_at))
            .join(Course, Course.id == StudyRecord.course_id)
            .where(StudyRecord.person_id == person.id)
            .group_by(Course.id, Course.title).order_by(func.min(StudyRecord.started_at)))
    result = []
    for title, seconds, first, last in db.session.execute(rows):
        result.append([title, f"{(seconds or 0) / 60:.0f}", local_date(first, tz), local_date(last, tz)])
    return result


def build_archive(person: Person, today: date, tz: ZoneInfo) -> bytes:
    """Render the archive of ``person`` up to ``today``."""
    s = pdf.styles()
    story = [Paragraph(_("Training archive"), s["title"]),
             Paragraph(_("Name: %(name)s · ID number: %(id)s · printed %(day)s", name=person.name,
                         id=person.masked_id, day=today.isoformat()), s["p"]), Spacer(1, 4 * mm)]
    story.append(Paragraph(_("Posts"), s["h"]))
    story.append(pdf.table([_("Enterprise"), _("Post"), _("Start date"), _("End date")],
                        [[e.organization.name, label(POST_LABELS, e.post), e.start_date,
                          e.end_date or ""] for e in person.employments], [70, 45, 30, 30]))
    story.append(Paragraph(_("Courses studied"), s["h"]))
    story.append(pdf.table([_("Course"), _("Minutes credited"), _("First study"), _("Last study")],
                        course_rows(person, tz) or [[_("None yet"), "", "", ""]], [80, 30, 32, 32]))
    story.append(Paragraph(_("Requirements"), s["h"]))
    story.append(pdf.table([_("Year"), _("Requirement"), _("Required"), _("Done"), _("Status"),
                         _("Rule version")], _requirement_rows(person, today, tz),
                        [14, 52, 20, 20, 22, 46]))
    records = db.session.scalars(select(InductionRecord).where(
        InductionRecord.person_id == person.id).order_by(InductionRecord.held_on)).all()
    story.append(Paragraph(_("Three-level induction"), s["h"]))
    story.append(pdf.table([_("Level"), _("Date"), _("Trainer"), _("Class hours"), _("Confirmed")],
                        [[label(LEVEL_LABELS, r.level), r.held_on, r.trainer, r.class_hours,
                          _("Yes") if r.confirmed_at else _("No")] for r in records]
                        or [[_("None yet"), "", "", "", ""]], [35, 30, 45, 25, 25]))
    story.append(Paragraph(_("Training done elsewhere"), s["h"]))
    story.append(pdf.table([_("Training provider"), _("Course or subject"), _("First day"), _("Last day"),
                            _("Class hours")], _external_rows(person) or [[_("None yet"), "", "", "", ""]],
                           [45, 60, 25, 25, 20]))
    story.append(Paragraph(_("Quiz and exam results"), s["h"]))
    results = [[r["date"], r["kind"], r["title"], r["result"]]
               for rows in collect(archive_rows_wanted, person) for r in rows]
    story.append(pdf.table([_("Date"), _("Kind"), _("Title"), _("Result")],
                        results or [[_("None yet"), "", "", ""]], [30, 30, 80, 34]))
    return pdf.render(story, title=_("Training archive"),
                      footer_text=_("%(name)s · training archive · printed %(day)s", name=person.name,
                                    day=today.isoformat()))


def _external_rows(person: Person) -> list[list]:
    records = db.session.scalars(select(ExternalTraining).where(ExternalTraining.person_id == person.id)
                                 .order_by(ExternalTraining.ended_on)).all()
    return [[r.provider, r.title, r.started_on, r.ended_on, r.class_hours] for r in records]


def first_record_year(person: Person) -> int | None:
    """The first year this deployment has records of (COURSES_FIRST_RECORD_YEAR, unset: none), or
    earlier when training done elsewhere was entered for an earlier year."""
    configured = current_app.config.get("COURSES_FIRST_RECORD_YEAR")
    if not configured:
        return None
    external = db.session.scalar(select(func.min(ExternalTraining.ended_on)).where(
        ExternalTraining.person_id == person.id))
    return min(int(configured), external.year) if external is not None else int(configured)


def requirement_years(person: Person, today: date) -> tuple[range, range]:
    """(years before the records, years judged): nothing before the first employment starts."""
    employed = min((e.start_date.year for e in person.employments), default=today.year)
    first = max(employed, min(first_record_year(person) or employed, today.year))
    return range(employed, first), range(first, today.year + 1)


def _requirement_rows(person: Person, today: date, tz: ZoneInfo) -> list[list]:
    before, judged = requirement_years(person, today)
    # Years without records would all read "overdue, 0 hours": the system cannot know them.
    rows = [[f"{before[0]}–{before[-1]}" if len(before) > 1 else before[0],
             _("Before the records in this system"), "", "", "", ""]] if before else []
    calculator = Calculator(tz)
    for year in judged:
        for r in calculator.for_person(person, year):
            done = (_("%(done)s (%(external)s elsewhere)", done=r.done, external=r.external)
                    if r.external else r.done)
            rows.append([year, label(REQUIREMENT_LABELS, r.kind), r.required, done,
                         label(REQUIREMENT_STATUS, r.status(today)), citation(r.rule.version)])
    return rows or [["", _("None yet"), "", "", "", ""]]
