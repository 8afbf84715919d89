"""Counts behind the question bank's dashboard tiles."""

from sqlalchemy import func, select

from exams import access
from exams.models import Question, QuestionBank, QuestionStatus
from exams.permissions import EXAM_BANK
from lms.authz import has_permission
from lms.extensions import db


def edits_exam_banks(account) -> bool:
    """Question-bank editors (exam banks in scope), as opposed to trainers."""
    return has_permission(account, EXAM_BANK)


def edits_practice_banks_only(account) -> bool:
    """Trainers: practice banks of their organization and nothing of an exam bank."""
    return not has_permission(account, EXAM_BANK)


def draft_questions(account) -> int:
    """Draft questions in the banks the editor may read, waiting to be reviewed and published."""
    return db.session.scalar(select(func.count()).select_from(Question).join(
        QuestionBank, Question.bank_id == QuestionBank.id).where(
        access.readable_banks_clause(account), Question.status == QuestionStatus.DRAFT))


def banks(account) -> int:
    """Question banks listed on the bank page for the account."""
    return db.session.scalar(select(func.count()).select_from(QuestionBank)
                             .where(access.readable_banks_clause(account)))
