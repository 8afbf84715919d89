"""A lean WSGI path for the autosaves of seat sittings that carry a save ticket.

During an exam every candidate's page saves each answer as it is given, so saves are most of the
exam day's traffic. The gateway answers only the happy path: a genuine ticket
(exams.attempts.save_tickets), a well-formed body, option positions the item has, and a save the
group commit (exams.attempts.save_committer) reports as written; no session cookie, CSRF token,
locale or URL routing is needed for that. Everything else (no ticket, a forged or stale ticket, a
paused or ended attempt, an older sequence number, a malformed body, a write that failed) goes on
to the Flask view with its body put back, so refusals keep their messages, status codes and audit
records, and sittings without tickets (online assessments, mock exams) are untouched.
"""

import json
from collections.abc import Callable, Iterable

from flask import Flask
from sqlalchemy import select

from exams.attempts.save_committer import SAVED, SaveCommitter, SaveJob
from exams.attempts.save_tickets import read_save_ticket
from exams.models import PaperItem
from lms.clock import now
from lms.extensions import db
from lms.lru import LRUCache
from lms.wsgi_json import answer_json, put_back, small_json_body

#: A genuine save is about 150 bytes; a larger body is left to Flask and its limits.
MAX_BODY = 2048
#: Item shapes remembered per process (about 100 bytes each).
SHAPE_CACHE_SIZE = 65536
#: Configuration defaults; deployments and tests override them.
DEFAULTS = {
    #: Answer ticket saves in the gateway ahead of Flask; off, the Flask view answers them all.
    "EXAMS_SAVE_GATEWAY": True,
    #: Most saves written in one transaction by the gateway's group commit.
    "EXAMS_SAVE_BATCH": 64,
    #: Longest a save waits for its transaction before the Flask view is asked to answer it.
    "EXAMS_SAVE_WAIT_SECONDS": 10,
    #: Writer threads per process on a server database (SQLite always has one); 0: each request
    #: writes its own save in its own transaction, which on PostgreSQL beat handing saves to writer
    #: threads (the database merges concurrent commits' flushes itself).
    "EXAMS_SAVE_WRITERS": 0,
}


class ItemShapes:
    """(qtype, option count) of paper items, a bounded in-process cache.

    A paper item's type and options never change once the paper is frozen, so a stale entry cannot
    exist; a miss loads every item of the same paper, which the candidate saves to next.
    """

    def __init__(self, size: int = SHAPE_CACHE_SIZE):
        self._shapes = LRUCache(size)

    def get(self, item_id: int) -> tuple[str, int] | None:
        """The item's shape, or None when there is no such item."""
        shape = self._shapes.get(item_id)
        if shape is not None:
            return shape
        paper = select(PaperItem.paper_id).where(PaperItem.id == item_id).scalar_subquery()
        with db.engine.connect() as conn:
            rows = conn.execute(select(PaperItem.id, PaperItem.qtype, PaperItem.option_order)
                                .where(PaperItem.paper_id == paper)).all()
        for row_id, qtype, order in rows:
            self._shapes.put(row_id, (qtype, len(order) if order else 2))
            if row_id == item_id:
                shape = (qtype, len(order) if order else 2)
        return shape


def _is_int(value, low: int, high: int) -> bool:
    return type(value) is int and low <= value <= high


def picked(choice: list, shape: tuple[str, int]) -> list[int] | None:
    """The choice as sorted positions (as services.check_choice has it), or None when not plainly valid."""
    qtype, count = shape
    if not all(_is_int(c, 0, count - 1) for c in choice):
        return None
    positions = sorted(set(choice))
    return positions if qtype == "multiple" or len(positions) <= 1 else None


class SaveGateway:
    """WSGI middleware answering ticket saves at ``path`` before Flask sees them."""

    def __init__(self, app: Flask, wrapped: Callable, path: str, committer: SaveCommitter,
                 shapes: ItemShapes | None = None):
        self.app = app
        self.wrapped = wrapped
        self.path = path
        self.committer = committer
        self.shapes = shapes or ItemShapes()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != self.path or environ.get("REQUEST_METHOD") != "POST":
            return self.wrapped(environ, start_response)
        raw = small_json_body(environ, MAX_BODY)
        job = self._job(raw) if raw is not None else None
        if job is None or self.committer.submit(job) != SAVED:
            if raw is not None:
                put_back(environ, raw)  # Flask answers as it always does
            return self.wrapped(environ, start_response)
        return answer_json(start_response, 200, b'{"ok":true,"outcome":"saved","seq":%d,"stored_seq":%d}'
                           % (job.seq, job.seq))

    def _job(self, raw: bytes) -> SaveJob | None:
        """The save a ticket body describes, when every check the gateway makes passes."""
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):  # deep nesting: not a save, Flask answers it
            return None
        if not isinstance(data, dict) or "ticket" not in data:
            return None
        item, choice, seq, flagged = data.get("item"), data.get("choice"), data.get("seq"), \
            data.get("flagged", False)
        if not (_is_int(item, 1, 2**31 - 1) and _is_int(seq, 1, 2**31 - 1) and isinstance(choice, list)
                and len(choice) <= 16 and type(flagged) is bool):
            return None
        with self.app.app_context():
            ids = read_save_ticket(data["ticket"])
            if ids is None:
                return None
            shape = self.shapes.get(item)
            positions = picked(choice, shape) if shape is not None else None
            if positions is None:
                return None
            return SaveJob(attempt_id=ids[0], sign_in_id=ids[1], item_id=item, choice=positions,
                           flagged=flagged, seq=seq, now=now())


def install(app: Flask, endpoint: str) -> None:
    """Put the gateway in front of the app for the URL of ``endpoint``."""
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    sqlite = app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    committer = SaveCommitter(app, app.config["EXAMS_SAVE_BATCH"], app.config["EXAMS_SAVE_WAIT_SECONDS"],
                              writers=1 if sqlite else app.config["EXAMS_SAVE_WRITERS"])
    app.wsgi_app = SaveGateway(app, app.wsgi_app, rule.rule, committer)
