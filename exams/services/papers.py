"""Assembling papers from a blueprint: single, make-up (avoiding seen questions) and whole sessions."""

from datetime import date, datetime

from sqlalchemy import select

from exams.assembly import Pool, derive_seed, freeze, load_pool, plan_paper, plan_session
from exams.models import Blueprint, Paper, PaperItem, PaperPurpose, QuestionBank
from exams.services.blueprints import terms_on
from lms.audit import record_event
from lms.clock import local_date, local_tz
from lms.extensions import db
from lms.models import Account


def _common(pool: Pool, blueprint: Blueprint, exam_date: date, purpose: PaperPurpose,
            session_ref: str | None) -> dict:
    """What every paper of one assembly shares: the blueprint's settings and the rules on the day."""
    return {**pool.settings, **terms_on(blueprint, exam_date), "purpose": purpose,
            "session_ref": session_ref}


def _exam_day(now: datetime, exam_date: date | None) -> date:
    return exam_date or local_date(now, local_tz())


def seen_questions(person_id: int | None, account_id: int | None, blueprint: Blueprint) -> frozenset[int]:
    """Questions already put in front of this candidate on papers of the blueprint."""
    owner = Paper.person_id == person_id if person_id else Paper.account_id == account_id
    return frozenset(db.session.scalars(
        select(PaperItem.question_id).join(Paper, PaperItem.paper_id == Paper.id)
        .where(owner, Paper.blueprint_id == blueprint.id)))


def assemble_one(blueprint: Blueprint, bank: QuestionBank, seed: int, now: datetime, *,
                 purpose: PaperPurpose = PaperPurpose.EXAM, person_id: int | None = None,
                 account_id: int | None = None, session_ref: str | None = None,
                 pool: Pool | None = None, exam_date: date | None = None) -> Paper:
    """One frozen paper; a make-up paper avoids what the candidate saw where the bank allows.

    The rules the paper carries are those in force on ``exam_date`` (by default the local date
    of ``now``); RulesChanged when the blueprint no longer fits them.
    """
    pool = pool or load_pool(blueprint, bank)
    avoid = (seen_questions(person_id, account_id, blueprint)
             if purpose in (PaperPurpose.MAKEUP, PaperPurpose.MOCK) else frozenset())
    plan = plan_paper(pool, seed, avoid)
    (paper_id,) = freeze([plan], _common(pool, blueprint, _exam_day(now, exam_date), purpose, session_ref),
                         [{"person_id": person_id, "account_id": account_id}], now)
    return db.session.get(Paper, paper_id)


def assemble_session(blueprint: Blueprint, bank: QuestionBank, session_ref: str, count: int,
                     now: datetime, actor: Account | None, person_ids: list[int] | None = None,
                     pool: Pool | None = None, exam_date: date | None = None) -> list[int]:
    """``count`` parallel forms for one session (one per candidate), balanced in difficulty, with
    the rules in force on ``exam_date`` (by default the local date of ``now``)."""
    pool = pool or load_pool(blueprint, bank)
    plans = plan_session(pool, derive_seed("session", blueprint.id, bank.id, session_ref), count)
    people = person_ids or [None] * count
    ids = freeze(plans, _common(pool, blueprint, _exam_day(now, exam_date), PaperPurpose.EXAM, session_ref),
                 [{"person_id": p, "account_id": None} for p in people], now)
    record_event("exams.papers.assembled", actor=actor, target=blueprint,
                 organization_id=bank.organization_id, bank=bank.code, session=session_ref,
                 papers=len(ids))
    return ids
