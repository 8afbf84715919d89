"""Helpers shared by the exams pages."""

from flask import request
from sqlalchemy import select

from exams.models import KnowledgePoint
from exams.services.questions import knowledge_tree
from lms.extensions import db


def kp_choices(blank_label=None) -> list[tuple[str, str]]:
    """Knowledge points as indented select choices, by code."""
    choices = [("", str(blank_label))] if blank_label is not None else []
    return choices + [(kp.code, "\u3000" * kp.depth + kp.name) for kp in knowledge_tree()]


def kp_by_code(code: str | None) -> KnowledgePoint | None:
    """A knowledge point by code, or None."""
    if not code:
        return None
    return db.session.scalar(select(KnowledgePoint).where(KnowledgePoint.code == code))


def int_arg(name: str) -> int | None:
    """An integer query argument, or None."""
    return request.args.get(name, type=int)
