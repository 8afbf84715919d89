"""Who may see which bank: exam banks only within an editor's scope, practice banks by province.

Anything a caller may not see answers 404, so an exam bank looks absent to a trainer (教考分离).
"""

from flask import abort
from sqlalchemy import and_, false, or_, select

from exams.models import BankPurpose, BankTier, QuestionBank
from exams.permissions import BANK_EDIT, EXAM_BANK, PRACTICE
from lms.authz import can_access_org, grants_with, has_permission, org_scope_clause
from lms.extensions import db
from lms.models import Account, Organization, Region
from lms.roles import Role


def _provinces(account: Account, perm: str) -> list[str]:
    """Path prefixes of the provinces the account's grants carrying ``perm`` lie in."""
    prefixes = set()
    for grant in grants_with(account, perm):
        region = grant.region or (grant.organization.region if grant.organization else None)
        if region is not None:
            prefixes.add("/" + region.path.strip("/").split("/")[0] + "/")
    return sorted(prefixes)


def _is_global(account: Account, perm: str) -> bool:
    return any(g.role == Role.SYSTEM_ADMIN for g in grants_with(account, perm))


def practice_clause(account: Account, perm: str):
    """Practice banks that are national, or provincial in a province of one of the grants."""
    if _is_global(account, perm):
        return QuestionBank.purpose == BankPurpose.PRACTICE
    provinces = _provinces(account, perm)
    if not provinces and not grants_with(account, perm):
        return false()
    regional = select(Organization.id).join(Region, Organization.region_id == Region.id).where(
        or_(*[Region.path.startswith(p) for p in provinces]) if provinces else false())
    return and_(QuestionBank.purpose == BankPurpose.PRACTICE,
                or_(QuestionBank.tier == BankTier.NATIONAL,
                    QuestionBank.organization_id.in_(regional)))


def exam_clause(account: Account):
    """Exam banks owned by an organization in the account's exam-bank scope."""
    return and_(QuestionBank.purpose == BankPurpose.EXAM,
                QuestionBank.organization_id.in_(
                    select(Organization.id).where(org_scope_clause(account, EXAM_BANK))))


def readable_banks_clause(account: Account, perm: str = BANK_EDIT):
    """Banks the account may read in the bank pages (``perm``) or practise on (PRACTICE)."""
    clauses = [practice_clause(account, perm)]
    if perm == BANK_EDIT and has_permission(account, EXAM_BANK):
        clauses.append(exam_clause(account))
    return or_(*clauses)


def can_read(account: Account, bank: QuestionBank, perm: str = BANK_EDIT) -> bool:
    """True when ``bank`` is readable for the account under ``perm``."""
    if bank.purpose is BankPurpose.EXAM:
        return perm == BANK_EDIT and can_access_org(account, EXAM_BANK, bank.organization)
    return db.session.scalar(select(QuestionBank.id).where(
        QuestionBank.id == bank.id, practice_clause(account, perm))) is not None


def can_edit(account: Account, bank: QuestionBank) -> bool:
    """Exam banks: editors in scope; practice banks: editors or trainers of the owning organization."""
    if bank.purpose is BankPurpose.EXAM:
        return can_access_org(account, EXAM_BANK, bank.organization)
    return can_access_org(account, BANK_EDIT, bank.organization)


def bank_or_404(account: Account, bank_id: int | None = None, *, code: str | None = None,
                edit: bool = False, perm: str = BANK_EDIT) -> QuestionBank:
    """The bank by id or code if the account may read it (or edit it), else 404."""
    if code is not None:
        bank = db.session.scalar(select(QuestionBank).where(QuestionBank.code == code))
    else:
        bank = db.session.get(QuestionBank, bank_id) if bank_id is not None else None
    if bank is None or not can_read(account, bank, perm) or (edit and not can_edit(account, bank)):
        abort(404)
    return bank


def practice_allowed(account: Account) -> bool:
    """Learners practise; used for the learner pages."""
    return has_permission(account, PRACTICE)
