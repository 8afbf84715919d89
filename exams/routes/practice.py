"""Learner pages: practice with instant feedback, the wrong-answer book, mock exams."""

import random

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select

from exams import access
from exams.models import (
    BankPurpose,
    Blueprint,
    Question,
    QuestionBank,
    QuestionStatus,
    QuestionVersion,
)
from exams.permissions import PRACTICE
from exams.routes import bp
from exams.routes.common import kp_by_code
from exams.services.blueprints import RulesChanged, validate
from exams.services.practice import (
    answer_practice,
    kp_counts,
    mock_attempt,
    mock_sitting,
    my_attempts,
    next_question,
    practice_attempt,
    start_mock,
    wrong_book,
)
from exams.services.questions import knowledge_tree
from lms.auth.forms import EmptyForm
from lms.authz import has_permission, requires, signed_in
from lms.clock import now
from lms.extensions import db
from lms.models import Organization, OrgKind, Region


def _practice_bank(bank_id: int) -> QuestionBank:
    if not has_permission(current_user, PRACTICE):
        abort(404)
    bank = access.bank_or_404(current_user, bank_id, perm=PRACTICE)
    if bank.purpose is not BankPurpose.PRACTICE:
        abort(404)
    return bank


def _mock_blueprints():
    """Blueprints of exam centres in the learner's provinces (their names are not confidential)."""
    provinces = access._provinces(current_user, PRACTICE)
    if not provinces:
        return []
    # Exam centres' compositions only: an enterprise's own, for its assessments, is not a mock exam.
    orgs = select(Organization.id).join(Region, Organization.region_id == Region.id).where(
        Organization.kind == OrgKind.EXAM_CENTRE, or_(*[Region.path.startswith(p) for p in provinces]))
    return db.session.scalars(select(Blueprint).where(Blueprint.organization_id.in_(orgs))
                              .order_by(Blueprint.name)).all()


@bp.get("/practice")
@requires(PRACTICE)
def practice_home():
    banks = db.session.scalars(select(QuestionBank).where(access.practice_clause(current_user, PRACTICE))
                               .order_by(QuestionBank.name)).all()
    counts = {b.id: kp_counts(b) for b in banks}
    return render_template("exams/practice_home.html", banks=banks, counts=counts, tree=knowledge_tree(),
                           blueprints=_mock_blueprints(), attempts=my_attempts(current_user),
                           form=EmptyForm())


@bp.route("/practice/<int:bank_id>", methods=["GET", "POST"])
@signed_in
def practise(bank_id: int):
    bank = _practice_bank(bank_id)
    kp = kp_by_code(request.args.get("kp"))
    if request.method == "POST" and EmptyForm().validate_on_submit():
        version = db.session.get(QuestionVersion, request.form.get("version", type=int) or 0)
        if version is None or version.question.bank_id != bank.id or (
                version.question.status is not QuestionStatus.PUBLISHED):
            abort(404)
        chosen = sorted({int(c) for c in request.form.getlist("choice") if c.isdigit()})
        attempt = practice_attempt(current_user, bank, kp, now())
        answer = answer_practice(attempt, current_user, version, chosen, now())
        db.session.commit()
        return render_template("exams/practise.html", bank=bank, kp=kp, version=version,
                               answer=answer, form=EmptyForm())
    question = _chosen_question(bank) or next_question(current_user, bank, kp, random.Random())
    return render_template("exams/practise.html", bank=bank, kp=kp, form=EmptyForm(),
                           version=question.current if question else None, answer=None)


def _chosen_question(bank: QuestionBank) -> Question | None:
    wanted = request.args.get("question", type=int)
    if wanted is None:
        return None
    question = db.session.get(Question, wanted)
    if question is None or question.bank_id != bank.id or question.status is not QuestionStatus.PUBLISHED:
        abort(404)
    return question


@bp.get("/practice/wrong-answers")
@requires(PRACTICE)
def wrong_answers():
    entries = wrong_book(current_user, include_resolved=request.args.get("all") == "1")
    return render_template("exams/wrong_book.html", entries=entries)


@bp.post("/practice/<int:bank_id>/mock")
@signed_in
def mock_start(bank_id: int):
    bank = _practice_bank(bank_id)
    blueprint = db.session.get(Blueprint, request.form.get("blueprint", type=int) or 0)
    if blueprint is None or blueprint not in _mock_blueprints() or not EmptyForm().validate_on_submit():
        abort(404)
    if validate(blueprint, bank):
        return render_template("exams/mock_unavailable.html", bank=bank, blueprint=blueprint), 409
    try:
        attempt = start_mock(current_user, bank, blueprint, now())
    except RulesChanged:
        db.session.rollback()
        return render_template("exams/mock_unavailable.html", bank=bank, blueprint=blueprint), 409
    db.session.commit()
    return redirect(url_for("exams.mock", attempt_id=attempt.id))


@bp.get("/mock/<int:attempt_id>")
@signed_in
def mock(attempt_id: int):
    """A handed-in mock with its marking; a running one goes to its page on the attempt engine."""
    attempt = mock_attempt(attempt_id)
    if attempt is None or attempt.account_id != current_user.id or attempt.paper is None:
        abort(404)
    if attempt.submitted_at is None:
        sitting = mock_sitting(attempt, now())
        db.session.commit()
        return redirect(url_for("attempts.online_page", attempt_id=sitting.id))
    answers = {a.paper_item_id: a for a in attempt.answers}
    return render_template("exams/mock.html", attempt=attempt, paper=attempt.paper, answers=answers)
