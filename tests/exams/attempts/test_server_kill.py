"""An app server killed with SIGKILL in the middle of an exam under load, then restarted: every
acknowledged answer is in the database, every deadline is as it was, and at the deadline two
workers hand each attempt in exactly once. Runs against gunicorn on the tests' database (SQLite
file or PostgreSQL)."""

import http.client
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from attempts_world import registrations
from sqlalchemy import func, select

from exams.attempts.models import ExamAnswer, ExamAttempt
from lms.extensions import db
from lms.models import AuditEvent

from support import ROOT

BIN = Path(os.environ.get("VIRTUAL_ENV", ROOT / ".venv")) / "bin"
#: Saves per candidate, and after how many acknowledged saves in all the server is killed.
SAVES = 60
KILL_AFTER = 80
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|data-csrf="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn serving the app on the tests' database, started and killed on demand."""

    def __init__(self, app, tmp: Path):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
        self.env.update({"LMS_SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                         "LMS_SECRET_KEY": "kill-test-secret", "LMS_INSTANCE_PATH": str(tmp),
                         "LMS_SEAT_SIGN_IN_RATE_LIMIT": "100000 per minute",
                         "PYTHONPATH": str(ROOT)})
        self.log = tmp / "gunicorn.log"
        self.proc = None

    def start(self) -> None:
        cmd = [str(BIN / "gunicorn"), "--workers", "2", "--worker-class", "gthread", "--threads", "4",
               "--bind", f"127.0.0.1:{self.port}", "lms:create_app()"]
        with self.log.open("ab") as log:  # the child keeps its own copy of the descriptor
            self.proc = subprocess.Popen(cmd, env=self.env, cwd=ROOT, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        # Up to a minute: a loaded CI machine imports the app slowly.
        for _ in range(600):
            try:
                urllib.request.urlopen(self.base + "/login", timeout=2).read()
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        raise AssertionError("gunicorn did not start:\n" + self.log.read_text()[-2000:])

    def kill(self) -> None:
        """SIGKILL the whole process group: master and workers die mid-request."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)


class Candidate:
    """One browser at a seat, spoken to over HTTP with its own cookies."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.csrf = ""

    def get(self, path: str) -> str:
        page = self.opener.open(self.base + path, timeout=10).read().decode()
        found = CSRF.search(page)
        if found:
            self.csrf = found.group(1) or found.group(2)
        return page

    def post_form(self, path: str, fields: dict) -> str:
        data = urllib.parse.urlencode({"csrf_token": self.csrf, **fields}).encode()
        return self.opener.open(self.base + path, data=data, timeout=10).read().decode()

    def save(self, item: int, choice: list[int], seq: int) -> dict:
        request = urllib.request.Request(
            self.base + "/exam/attempt/answers", method="POST",
            data=json.dumps({"item": item, "choice": choice, "flagged": False, "seq": seq}).encode(),
            headers={"Content-Type": "application/json", "X-CSRFToken": self.csrf})
        return json.loads(self.opener.open(request, timeout=10).read())


def _seat_in(base: str, reg, code: str) -> Candidate:
    candidate = Candidate(base)
    candidate.get("/centre/seat")
    candidate.post_form("/centre/seat", {"ticket": reg.ticket_number, "id_number": reg.person.id_number,
                                         "access_code": code, "language": "zh_CN"})
    candidate.get("/centre/seat/ready")
    candidate.post_form("/exam/start", {})
    candidate.get("/exam/attempt")
    return candidate


@pytest.mark.timeout(300)
def test_sigkill_mid_exam_loses_no_acknowledged_answer_and_submits_once(app, exam, tmp_path):
    server = Server(app, tmp_path)
    server.start()
    try:
        regs = registrations(exam)
        items = {reg.id: [i.id for i in reg.paper.items] for reg in regs}
        code = exam.session.access_code
        candidates = [(reg.id, _seat_in(server.base, reg, code)) for reg in regs]
        db.session.expire_all()
        deadlines = {a.registration_id: a.deadline_at for a in db.session.scalars(select(ExamAttempt))}
        assert len(deadlines) == len(regs)
        acked: dict[tuple[int, int], int] = {}
        lock, acked_count = threading.Lock(), [0]
        killed = threading.Event()

        def answer(reg_id: int, candidate: Candidate) -> None:
            for seq in range(1, SAVES + 1):
                item = items[reg_id][seq % 20]
                while True:  # a browser resends an unacknowledged save until it is acknowledged
                    try:
                        reply = candidate.save(item, [seq % 2], seq)
                        break
                    # A reply cut off by the kill (even mid-body) is no acknowledgement: resend.
                    except (urllib.error.URLError, http.client.HTTPException, ConnectionError,
                            TimeoutError, OSError):
                        time.sleep(0.2)
                assert reply["ok"], reply
                with lock:
                    acked[(reg_id, item)] = max(acked.get((reg_id, item), 0), seq)
                    acked_count[0] += 1
                    if acked_count[0] == KILL_AFTER:
                        killed.set()

        threads = [threading.Thread(target=answer, args=pair) for pair in candidates]
        for thread in threads:
            thread.start()
        assert killed.wait(60)
        server.kill()
        time.sleep(1)
        server.start()
        for thread in threads:
            thread.join(120)
        assert acked_count[0] == SAVES * len(regs)
    finally:
        if server.proc and server.proc.poll() is None:
            server.kill()

    db.session.expire_all()
    registration_of = {a.id: a.registration_id for a in db.session.scalars(select(ExamAttempt))}
    stored = {(registration_of[a.attempt_id], a.paper_item_id): (a.seq, a.choice)
              for a in db.session.scalars(select(ExamAnswer))}
    for key, seq in acked.items():
        assert stored[key][0] >= seq and stored[key][1] == [stored[key][0] % 2], key
    assert {a.registration_id: a.deadline_at for a in db.session.scalars(select(ExamAttempt))} == deadlines

    # At the deadline two workers run at once; each attempt is handed in once.
    env = server.env
    late = max(deadlines.values())
    workers = [subprocess.Popen([str(BIN / "python"), "-c", WORKER.format(when=late.isoformat())], env=env,
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
               for _ in range(2)]
    outputs = [w.communicate(timeout=60)[0].decode() for w in workers]
    assert all(w.returncode == 0 for w in workers), outputs
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "exams.attempt.submitted")) == len(regs)
    assert all(a.submitted_by == "deadline" for a in db.session.scalars(select(ExamAttempt)))


#: One worker round at a given instant (the worker's clock is the app's: a FixedClock here).
WORKER = """
from datetime import datetime, timedelta
from lms import create_app
from lms.clock import FixedClock, install_clock
from exams.attempts.cli import run_once
app = create_app()
install_clock(app, FixedClock(datetime.fromisoformat("{when}") + timedelta(seconds=1)))
with app.app_context():
    print(run_once())
"""
