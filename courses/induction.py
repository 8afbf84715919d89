"""Three-level induction records and absences, kept by the enterprise admin."""

from datetime import date, datetime

from courses.models import InductionLevel, InductionRecord, WorkAbsence
from lms.audit import record_event
from lms.extensions import db
from lms.models import Account, Organization


class InductionRefused(ValueError):
    """The record is not acceptable."""


def record_induction(actor: Account, org: Organization, person_id: int, *, level: str,
                     held_on: date, trainer: str, class_hours: float, content: str,
                     today: date) -> InductionRecord:
    """Record one induction level for an employee of ``org``."""
    if level not in {lv.value for lv in InductionLevel}:
        raise InductionRefused("level")
    if held_on > today:
        raise InductionRefused("future")
    record = InductionRecord(person_id=person_id, organization_id=org.id, level=level,
                             held_on=held_on, trainer=trainer, class_hours=class_hours,
                             content=content, recorded_by_id=actor.id)
    db.session.add(record)
    db.session.flush()
    record_event("courses.induction_recorded", actor=actor, target=record, organization_id=org.id,
                 level=level, class_hours=class_hours)
    return record


def confirm_induction(actor: Account, record: InductionRecord, now: datetime) -> None:
    """The employee confirms (signs) their own induction record."""
    if record.confirmed_at is None:
        record.confirmed_at = now
        record_event("courses.induction_confirmed", actor=actor, target=record,
                     organization_id=record.organization_id)


def record_absence(actor: Account, org: Organization, person_id: int, left_on: date,
                   returned_on: date) -> WorkAbsence:
    """Record a stretch away from work (it may trigger retraining)."""
    if returned_on <= left_on:
        raise InductionRefused("dates")
    absence = WorkAbsence(person_id=person_id, organization_id=org.id, left_on=left_on,
                          returned_on=returned_on, recorded_by_id=actor.id)
    db.session.add(absence)
    db.session.flush()
    record_event("courses.absence_recorded", actor=actor, target=absence, organization_id=org.id)
    return absence
