"""Suspension, reinstatement, revocation and cancellation of an issued certificate.

Each is one conditional UPDATE on the recorded state (a double click acts once), an event on the
certificate with the rule version applied, and an audit record. A revocation for false information
or improper means also bars the holder from applying again for the rule's years.
"""

from dataclasses import dataclass
from datetime import date, datetime

from certificates.dates import years_later
from certificates.models import Certificate, CertificateEvent, CertificateStatus
from exams.centres.models import BarReason, ExamBar
from lms.audit import record_event
from lms.extensions import db
from lms.i18n import _l
from lms.models import Account
from lms.rules import rule_at
from lms.transitions import change_or_raise

REVOCATION_RULE_VERSION = "令30号 第30条"
BAN_RULE = "special_ops.reapply_ban_years_after_fraud"


@dataclass(frozen=True)
class Ground:
    """A ground for revocation the rules name; ``bars`` when it also bars reapplying."""

    code: str
    label: object
    bars: bool = False


#: 令30号 第30条 (1)-(5).
REVOCATION_GROUNDS = (
    Ground("not_reviewed", _l("Validity passed without review or extension")),
    Ground("unfit", _l("No longer physically fit for the operation")),
    Ground("accident", _l("Responsible for a production-safety accident")),
    Ground("false_information", _l("The certificate records false information"), bars=True),
    Ground("improper_means", _l("Obtained by deception, bribery or other improper means"), bars=True),
)
GROUNDS = {g.code: g for g in REVOCATION_GROUNDS}


class LifecycleRefused(ValueError):
    """The change is not allowed; the message says why."""


def note_event(cert: Certificate, kind: str, actor: Account, on: date, now: datetime, reason: str,
               versions: dict | None = None, **data) -> None:
    """Add the event to the certificate's history and the audit log."""
    db.session.add(CertificateEvent(certificate_id=cert.id, kind=kind, on=on, at=now, actor_id=actor.id,
                                    reason=reason, rule_versions=versions or {}, data=data))
    record_event(f"certificates.{kind}", actor=actor, target=cert,
                 organization_id=cert.employment.organization_id if cert.employment else None,
                 number=cert.number, person=cert.person.name, reason=reason,
                 rule=", ".join(f"{k} ({v})" for k, v in sorted((versions or {}).items())), **data)


def _reason(reason: str) -> str:
    if not reason or not reason.strip():
        raise LifecycleRefused(str(_l("Give the reason.")))
    return reason.strip()


def suspend(cert: Certificate, actor: Account, on: date, now: datetime, reason: str) -> None:
    """Suspend an issued certificate (暂扣) while a matter is settled."""
    reason = _reason(reason)
    change_or_raise(cert, Certificate.status == CertificateStatus.ISSUED, status=CertificateStatus.SUSPENDED,
                    status_reason=reason)
    note_event(cert, "suspended", actor, on, now, reason)


def reinstate(cert: Certificate, actor: Account, on: date, now: datetime, reason: str) -> None:
    """Lift a suspension."""
    reason = _reason(reason)
    change_or_raise(cert, Certificate.status == CertificateStatus.SUSPENDED, status=CertificateStatus.ISSUED,
                    status_reason=None)
    note_event(cert, "reinstated", actor, on, now, reason)


def revoke(cert: Certificate, actor: Account, on: date, now: datetime, ground: str, reason: str) -> None:
    """Revoke (撤销) on one of the rules' grounds; false information or improper means bar the
    holder from applying again for the rule's years."""
    reason = _reason(reason)
    if ground not in GROUNDS:
        raise LifecycleRefused(str(_l("Choose a ground for revocation from the rules.")))
    change_or_raise(cert, Certificate.status.in_([CertificateStatus.ISSUED, CertificateStatus.SUSPENDED]),
                    status=CertificateStatus.REVOKED, status_reason=reason, revocation_ground=ground)
    versions = {"revocation": REVOCATION_RULE_VERSION}
    if GROUNDS[ground].bars:
        region = cert.employment.organization.region if cert.employment else None
        ban = rule_at(BAN_RULE, on, region)
        versions[ban.key] = ban.version
        db.session.add(ExamBar(person_id=cert.person_id, reason=BarReason.FRAUD_REVOCATION, starts_on=on,
                               ends_on=years_later(on, int(ban.value)), rule_version=ban.version,
                               note=f"{cert.number}: {reason}", created_by_id=actor.id))
    note_event(cert, "revoked", actor, on, now, reason, versions, ground=ground)


def cancel(cert: Certificate, actor: Account, on: date, now: datetime, reason: str) -> None:
    """Cancel (注销): the holder died or asked for it (令30号 第31条)."""
    reason = _reason(reason)
    change_or_raise(cert, Certificate.status.in_([CertificateStatus.ISSUED, CertificateStatus.SUSPENDED]),
                    status=CertificateStatus.CANCELLED, status_reason=reason)
    note_event(cert, "cancelled", actor, on, now, reason, {"cancellation": "令30号 第31条"})
