"""A lean WSGI path for heartbeats that carry a study ticket.

Every learner with a lesson open sends a beat every few seconds, so beats are most of the
application's traffic. A ticket beat needs no session, cookie, CSRF token, locale, rate limit or
URL routing: this middleware recognises it, checks the ticket, has the beat written by the group
commit (courses.beat_committer; the same ledger code and audit as the Flask view) and answers
directly, which roughly halves the server time per beat. Anything else, including a malformed
or cookie-authenticated beat, goes on to Flask unchanged, so errors keep their usual handling.
"""

import json
from collections.abc import Callable, Iterable

from flask import Flask

from courses.beat_committer import BeatCommitter
from courses.routes.study import BeatAnswer, read_beat, reply_for
from lms.wsgi_json import answer_json, put_back, small_json_body

#: A genuine beat is about 200 bytes; a larger body is left to Flask and its limits.
MAX_BODY = 4096


class TicketBeatGateway:
    """WSGI middleware answering ticket heartbeats at ``path`` before Flask sees them."""

    def __init__(self, app: Flask, wrapped: Callable, path: str, committer: BeatCommitter):
        self.app = app
        self.wrapped = wrapped
        self.path = path
        self.committer = committer

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != self.path or environ.get("REQUEST_METHOD") != "POST":
            return self.wrapped(environ, start_response)
        data = self._ticket_body(environ)
        if data is None:
            return self.wrapped(environ, start_response)
        payload, status = self._credit(data, environ.get("REMOTE_ADDR"))
        return answer_json(start_response, status, json.dumps(payload, separators=(",", ":")).encode())

    @staticmethod
    def _ticket_body(environ: dict) -> dict | None:
        """The parsed JSON body if it is a ticket beat; otherwise None, with the body put back."""
        raw = small_json_body(environ, MAX_BODY)
        if raw is None:
            return None
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):  # deep nesting: not a beat, Flask answers it
            data = None
        if isinstance(data, dict) and "ticket" in data:
            return data
        put_back(environ, raw)  # not ours: Flask reads the body as if untouched
        return None

    def _credit(self, data: dict, ip: str | None) -> tuple[dict, int]:
        """Check the ticket here, then hand the beat to the group commit and wait for it."""
        with self.app.app_context():
            try:
                beat, _actor = read_beat(data, ip)
            except BeatAnswer as answer:
                return answer.reply
        return reply_for(self.committer.submit(beat))


def install(app: Flask, endpoint: str) -> None:
    """Put the gateway in front of the app for the URL of ``endpoint``."""
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    committer = BeatCommitter(app, app.config["COURSES_BEAT_BATCH"],
                              app.config["COURSES_BEAT_WAIT_SECONDS"])
    app.wsgi_app = TicketBeatGateway(app, app.wsgi_app, rule.rule, committer)
