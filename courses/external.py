"""Training done elsewhere: entered by the enterprise admin with a proof file, counted in the hours."""

from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from courses.models import ExternalTraining
from lms.audit import record_event
from lms.extensions import db
from lms.models import Account, Organization
from lms.storage import IMAGE_TYPES, current_store

#: A proof is a certificate or sign-in sheet: a PDF or a photo / scan of one (decided by content).
PROOF_TYPES = frozenset({"application/pdf"}) | IMAGE_TYPES
PROOF_MAX_BYTES = 20 * 1024 * 1024


class ExternalRefused(ValueError):
    """The dates are not acceptable (``args[0]``: ``"order"`` or ``"future"``)."""


@dataclass(frozen=True)
class ExternalEntry:
    """What the admin typed about one training held elsewhere."""

    provider: str
    title: str
    started_on: date
    ended_on: date
    class_hours: float


def record_external(actor: Account, org: Organization, person_id: int, entry: ExternalEntry,
                    proof: BinaryIO, today: date) -> ExternalTraining:
    """Store the proof (PDF or image, else lms.storage.FileRefused) and the record; audited."""
    if entry.ended_on < entry.started_on:
        raise ExternalRefused("order")
    if entry.ended_on > today:
        raise ExternalRefused("future")
    stored = current_store().put(proof, limit=PROOF_MAX_BYTES, accept=PROOF_TYPES)
    record = ExternalTraining(person_id=person_id, organization_id=org.id, provider=entry.provider,
                              title=entry.title, started_on=entry.started_on, ended_on=entry.ended_on,
                              class_hours=entry.class_hours, proof_sha256=stored.digest,
                              proof_mime=stored.mime, recorded_by_id=actor.id)
    db.session.add(record)
    db.session.flush()
    record_event("courses.external_training_recorded", actor=actor, target=record,
                 organization_id=org.id, person=person_id, class_hours=entry.class_hours,
                 ended_on=entry.ended_on.isoformat(), proof=stored.digest)
    return record
