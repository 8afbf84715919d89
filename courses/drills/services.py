"""Use cases of drill results: store a reported run once, whoever retries it."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from courses.drills import perms
from courses.drills.models import DrillResult
from lms.audit import record_event
from lms.authz import can_access_org, grants_with
from lms.extensions import db
from lms.models import Account, Organization


class ReportRefused(Exception):
    """The account may not report this result; carries the HTTP status and a stable code."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def reporting_organization(account: Account, org_code: str | None) -> Organization:
    """The organization a result from ``account`` belongs to.

    :raises ReportRefused: the account holds no reporting role (403), names an organization
        outside its grants, or holds several and names none (422).
    """
    grants = grants_with(account, perms.REPORT)
    if not grants:
        raise ReportRefused(403, "forbidden", "This account may not report drill results.")
    if org_code:
        org = db.session.scalar(select(Organization).where(Organization.code == org_code))
        if org is None or not can_access_org(account, perms.REPORT, org):
            # One answer for "unknown" and "not yours", so codes of others cannot be probed.
            raise ReportRefused(422, "unknown_organization",
                                "org_code does not name an organization this account reports for.")
        return org
    org_ids = {g.organization_id for g in grants if g.organization_id is not None}
    if len(org_ids) != 1:
        raise ReportRefused(422, "org_code_required",
                            "This account reports for several organizations; send org_code.")
    return db.session.get(Organization, org_ids.pop())


def find_result(run_id: str) -> DrillResult | None:
    """The stored result with this run id, if any."""
    return db.session.scalar(select(DrillResult).where(DrillResult.run_id == run_id))


def record_result(account: Account, payload: dict[str, Any], *,
                  now: datetime) -> tuple[DrillResult, bool]:
    """Store a validated payload; return (result, created). A known run id stores nothing new."""
    org = reporting_organization(account, payload.get("org_code"))
    existing = find_result(payload["run_id"])
    if existing is not None:
        return existing, False
    result = DrillResult(
        organization_id=org.id, class_name=(payload.get("class_name") or "").strip() or None,
        participant=(payload.get("participant") or "").strip() or None, drill=payload["drill"],
        drill_version=payload["version"], seed=int(payload["seed"]), run_id=payload["run_id"],
        started_at=parse_instant(payload["started_at"]), duration_s=float(payload["duration_s"]),
        score=int(payload["score"]), max_score=int(payload["max_score"]), passed=payload["passed"],
        language=payload["lang"], outcome=payload["outcome"], outcome_text=payload["outcome_text"],
        decisions=payload["decisions"], details=payload["details"], received_at=now,
        reported_by_id=account.id)
    db.session.add(result)
    db.session.flush()
    record_event("drill_result.recorded", actor=account, target=result, organization_id=org.id,
                 run_id=result.run_id, drill=result.drill, passed=result.passed)
    return result, True


def parse_instant(value: str) -> datetime:
    """An RFC 3339 date-time (already validated) as an aware UTC datetime."""
    return datetime.fromisoformat(value.upper().replace("Z", "+00:00")).astimezone(UTC)
