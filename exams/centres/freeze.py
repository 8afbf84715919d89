"""Closing registration: seats drawn at random with each enterprise's candidates spread apart, and
every candidate's paper assembled and frozen, so that starting the exam is a read and one update."""

import random
from collections import defaultdict
from datetime import datetime

from sqlalchemy import bindparam, select, update

from exams.assembly import derive_seed, freeze, load_pool, plan_session
from exams.centres.models import (
    ExamSession,
    Registration,
    RegistrationStatus,
    Room,
    Seat,
    SessionKind,
    SessionStatus,
)
from exams.models import Paper, PaperItem, PaperPurpose, QuestionBank
from exams.services.blueprints import terms_on
from lms.audit import record_event
from lms.clock import local_date, local_tz
from lms.extensions import db
from lms.i18n import _l
from lms.models import Account
from lms.transitions import change_or_raise


class CannotClose(ValueError):
    """Registration cannot be closed as things stand (not enough seats, no paper source)."""


def spread_order(candidates: list[tuple[int, int]], rng: random.Random) -> list[int]:
    """Registration ids in seating order: shuffled, never two of one enterprise side by side
    while another enterprise still has candidates to place.

    ``candidates`` holds (registration id, organization id). Each step places a candidate of the
    enterprise with the most left to place, other than the one just placed (ties drawn at random).
    """
    groups: dict[int, list[int]] = defaultdict(list)
    for reg_id, org_id in candidates:
        groups[org_id].append(reg_id)
    for members in groups.values():
        rng.shuffle(members)
    order, last = [], None
    tiebreak = {org: rng.random() for org in groups}
    while groups:
        choices = [org for org in groups if org != last] or list(groups)
        org = max(choices, key=lambda o: (len(groups[o]), tiebreak[o]))
        order.append(groups[org].pop())
        if not groups[org]:
            del groups[org]
        last = org
    return order


def session_seats(session: ExamSession) -> list[Seat]:
    """Seats in use in the session's rooms, room by room in the session's order, by label."""
    room_ids = [sr.room_id for sr in session.rooms]
    seats = db.session.scalars(select(Seat).join(Room).where(Seat.room_id.in_(room_ids), Seat.in_use)
                               .order_by(Seat.room_id, Seat.label)).all()
    rank = {room_id: i for i, room_id in enumerate(room_ids)}
    return sorted(seats, key=lambda s: (rank[s.room_id], s.label))


def _candidates(session: ExamSession) -> list[tuple[int, int, int]]:
    """(registration id, organization id, person id) of the active registrations, by id."""
    return list(db.session.execute(
        select(Registration.id, Registration.organization_id, Registration.person_id)
        .where(Registration.session_id == session.id, Registration.status == RegistrationStatus.ACTIVE)
        .order_by(Registration.id)))


def _seen(person_ids: list[int], blueprint_id: int) -> dict[int, frozenset[int]]:
    """Questions each person already had on papers of the blueprint (a make-up avoids them)."""
    seen: dict[int, set] = defaultdict(set)
    for first in range(0, len(person_ids), 500):
        rows = db.session.execute(
            select(Paper.person_id, PaperItem.question_id).join(Paper, PaperItem.paper_id == Paper.id)
            .where(Paper.person_id.in_(person_ids[first:first + 500]), Paper.blueprint_id == blueprint_id))
        for person_id, question_id in rows:
            seen[person_id].add(question_id)
    return {pid: frozenset(seen.get(pid, ())) for pid in person_ids}


def _freeze_papers(session: ExamSession, people: list[int], now: datetime) -> list[int]:
    """One frozen paper per candidate (in seating order: neighbours get different parallel forms)."""
    blueprint = session.blueprint
    bank = db.session.get(QuestionBank, session.bank_id)
    if blueprint is None or bank is None:
        raise CannotClose(_l("The session has no blueprint or exam bank to assemble papers from."))
    pool = load_pool(blueprint, bank)
    makeup = session.kind is SessionKind.MAKEUP
    seen = _seen(people, blueprint.id) if makeup else {}
    plans = plan_session(pool, derive_seed("session", session.id, session.seed), len(people),
                         [seen[p] for p in people] if makeup else None)
    exam_date = local_date(session.starts_at, local_tz())
    common = {**pool.settings, **terms_on(blueprint, exam_date),
              "purpose": PaperPurpose.MAKEUP if makeup else PaperPurpose.EXAM,
              "session_ref": session.code}
    return freeze(plans, common, [{"person_id": p, "account_id": None} for p in people], now)


def close_registration(session: ExamSession, actor: Account, now: datetime) -> int:
    """Close registration, draw the seats and freeze the papers; returns the number of candidates.

    The status moves first (published -> registration closed, in one conditional UPDATE), so no
    registration can slip in while seats and papers are made; all of it commits together.
    """
    change_or_raise(session, ExamSession.status == SessionStatus.PUBLISHED,
                    status=SessionStatus.REGISTRATION_CLOSED)
    candidates = _candidates(session)
    seats = session_seats(session)
    if len(candidates) > len(seats):
        raise CannotClose(_l("%(candidates)s candidates but only %(seats)s seats in use.",
                             candidates=len(candidates), seats=len(seats)))
    rng = random.Random(derive_seed("seats", session.id, session.seed))
    order = spread_order([(reg_id, org_id) for reg_id, org_id, _p in candidates], rng)
    person_of = {reg_id: person_id for reg_id, _o, person_id in candidates}
    people = [person_of[reg_id] for reg_id in order]
    papers = (_freeze_papers(session, people, now) if people and session.kind is not SessionKind.PRACTICAL
              else [None] * len(order))
    rows = [{"rid": reg_id, "seat": seat.id, "paper": paper}
            for reg_id, seat, paper in zip(order, seats, papers, strict=False)]
    if rows:
        table = Registration.__table__
        db.session.execute(update(table).where(table.c.id == bindparam("rid"))
                           .values(seat_id=bindparam("seat"), paper_id=bindparam("paper")), rows)
    change_or_raise(session, ExamSession.status == SessionStatus.REGISTRATION_CLOSED,
                    papers_frozen_at=now)
    db.session.expire_all()
    record_event("exams.session.registration_closed", actor=actor, target=session,
                 organization_id=session.centre_id, candidates=len(order),
                 papers=sum(1 for p in papers if p is not None))
    return len(order)
