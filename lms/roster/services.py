"""Stage a roster upload for review, then write the confirmed rows as people and employments."""

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from lms.accounts import create_account
from lms.audit import record_event
from lms.extensions import db
from lms.i18n import _l
from lms.idcard import birth_date_of
from lms.models import Account, Employment, ImportStatus, Organization, Person, Post, RosterImport
from lms.roles import Role
from lms.roster.parser import parse_roster
from lms.signals import employment_started
from lms.staging import leave_pending


def stage_roster(org: Organization, uploader: Account, filename: str, data: bytes,
                 *, today: date, create_logins: bool = False) -> RosterImport:
    """Parse and check an upload and keep it pending; nothing reaches the roster yet."""
    parsed = parse_roster(data, today=today)
    errors = list(parsed.errors)
    valid = []
    for row in parsed.rows:
        reason = conflict_reason(org, row)
        if reason:
            errors.append({"row": row["row"], "reason": str(reason)})
        else:
            valid.append(row)
    staged = RosterImport(organization_id=org.id, uploaded_by_id=uploader.id,
                          filename=filename[:255], valid_rows=valid,
                          errors=sorted(errors, key=lambda e: e["row"]), create_logins=create_logins)
    db.session.add(staged)
    db.session.flush()
    return staged


def conflict_reason(org: Organization, row: dict):
    """Why a checked row clashes with what is already stored, or None."""
    person = db.session.scalar(select(Person).where(Person.id_number == row["id_number"]))
    if person is None:
        return None
    if person.name != row["name"]:
        return _l("This ID number is registered under another name.")
    current = db.session.scalar(select(Employment.id).where(
        Employment.person_id == person.id, Employment.organization_id == org.id,
        Employment.post == row["post"], Employment.end_date.is_(None),
        Employment.operation_subtype.is_(None) if row["operation_subtype"] is None
        else Employment.operation_subtype == row["operation_subtype"]))
    return _l("Already on the roster in this post.") if current else None


def confirm_roster(staged: RosterImport, actor: Account, *, now: datetime) -> list[Employment]:
    """Write the valid rows of a pending upload; rows that now clash are skipped and reported.

    :raises AlreadyChanged: the upload is no longer pending; nothing is written.
    """
    leave_pending(staged, ImportStatus.CONFIRMED)
    org = db.session.get(Organization, staged.organization_id)
    added, skipped = [], []
    for row in staged.valid_rows:
        if conflict_reason(org, row):
            skipped.append(row["row"])
            continue
        added.append(_add_employment(org, row))
    db.session.flush()
    for employment in added:
        employment_started.send(employment, actor=actor, now=now)
    record_event("roster.imported", actor=actor, target=staged, organization_id=org.id,
                 added=len(added), skipped_rows=skipped, rejected_rows=len(staged.errors),
                 employment_ids=[e.id for e in added])
    return added


def _add_employment(org: Organization, row: dict) -> Employment:
    person = db.session.scalar(select(Person).where(Person.id_number == row["id_number"]))
    if person is None:
        person = Person(id_number=row["id_number"], name=row["name"],
                        birth_date=birth_date_of(row["id_number"]))
        db.session.add(person)
    employment = Employment(person=person, organization_id=org.id, post=Post(row["post"]),
                            operation_category=row["operation_category"],
                            operation_subtype=row["operation_subtype"],
                            department=row["department"],
                            start_date=date.fromisoformat(row["start_date"]))
    db.session.add(employment)
    db.session.flush()
    return employment


def cancel_roster(staged: RosterImport, actor: Account) -> None:
    """Discard a pending upload; raises AlreadyChanged when it is no longer pending."""
    leave_pending(staged, ImportStatus.CANCELLED)
    record_event("roster.cancelled", actor=actor, target=staged,
                 organization_id=staged.organization_id)


#: Initial passwords: no look-alike characters, since they are read off a printed list.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PASSWORD_LENGTH = 12


@dataclass(frozen=True)
class InitialLogin:
    """A login made for an imported person, with the password to hand over (never stored)."""

    name: str
    username: str
    password: str


def create_learner_logins(org: Organization, employments: list[Employment],
                          actor: Account) -> list[InitialLogin]:
    """Learner logins for the people of ``employments`` who have none; each must change its password."""
    made = []
    for person in dict.fromkeys(e.person for e in employments):
        if db.session.scalar(select(Account.id).where(Account.person_id == person.id)) is not None:
            continue  # already signs in: keep that login and its password
        password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))
        account = create_account(actor, username=_free_username(person), display_name=person.name[:64],
                                 password=password, role=Role.LEARNER, org=org, person=person)
        account.must_change_password = True
        made.append(InitialLogin(person.name, account.username, password))
    db.session.flush()
    return made


def _free_username(person: Person) -> str:
    # Not the ID number: usernames show in lists and logs, ID numbers are masked everywhere.
    base = f"p{person.id:06d}"
    candidate, n = base, 1
    while db.session.scalar(select(Account.id).where(Account.username == candidate)) is not None:
        n += 1
        candidate = f"{base}-{n}"
    return candidate
