"""JSON API: banks and their questions for bank editors' tools; exam banks stay 404 to others."""

from flask import Blueprint, abort, g, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from exams import access
from exams.models import Question
from exams.permissions import BANK_EDIT
from lms.api.auth import api_error, token_required
from lms.authz import has_permission
from lms.extensions import db

SCOPE = "questions:read"
PAGE_SIZE = 200
MAX_PAGE = 1_000_000
api_bp = Blueprint("exams_api", __name__, url_prefix="/api/v1/exams")


@api_bp.get("/banks")
@token_required(SCOPE)
def banks():
    from exams.models import QuestionBank

    if not has_permission(g.api_account, BANK_EDIT):
        return jsonify({"banks": []})
    rows = db.session.scalars(select(QuestionBank).where(
        access.readable_banks_clause(g.api_account)).order_by(QuestionBank.code)).all()
    return jsonify({"banks": [{"code": b.code, "name": b.name, "purpose": b.purpose.value,
                               "tier": b.tier.value} for b in rows]})


@api_bp.get("/banks/<code>/questions")
@token_required(SCOPE)
def questions(code: str):
    if not has_permission(g.api_account, BANK_EDIT):
        abort(404)
    bank = access.bank_or_404(g.api_account, code=code)
    # Bounded above too: an offset past 64 bits makes the database driver raise (a 500, not a reply).
    page = min(max(1, request.args.get("page", 1, type=int)), MAX_PAGE)
    rows = db.session.scalars(select(Question).where(Question.bank_id == bank.id).order_by(Question.id)
                              .options(selectinload(Question.versions))
                              .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    return jsonify({"bank": bank.code, "page": page, "questions": [
        {"id": q.id, "type": q.qtype.value, "status": q.status.value, "difficulty": q.difficulty,
         "version": q.version_no, "stem": q.current.stem, "options": q.current.options,
         "key": q.current.key} for q in rows]})


@api_bp.errorhandler(404)
def not_found(_error):
    return api_error(404, "not_found", "No such resource.")
