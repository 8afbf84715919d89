#!/usr/bin/env python3
"""Security probe behind ``make security``: judges the running app from the outside.

Run with the project's virtualenv (``.venv/bin/python .ci/security_probe.py``). It

* builds a throwaway instance in a temporary folder (``LMS_INSTANCE_PATH``, SQLite there):
  ``lms db upgrade``, ``lms reference-data``, ``lms demo``; API tokens for demo accounts are
  issued with the app's own ``lms.api.tokens.issue_token`` inside an app context;
* serves it with gunicorn as ``make run`` does, on 127.0.0.1 and a free port;
* runs the checks below, printing what each one looked at and found, one line
  ``CHECK <name>: ok`` or ``CHECK <name>: FAIL <what>`` per check, then a summary;
* always stops the server (and any sqlmap still running) and removes the temporary folder; exits 1
  when any check fails.

Checks: bandit over the application packages; sqlmap against the login form (with real CSRF
handling: sqlmap reads a fresh ``csrf_token`` from /login before every request), the filters of
signed-in pages and the JSON API; security headers; CSRF refusal; the session cookie after
sign-out and after a password change; spreadsheet bombs against both importers with the worker's
memory watched; deeply nested JSON against the API; and that ``GET /lang/en`` changes nothing.

Configuration of the probe's server, on purpose: inherited ``LMS_*`` variables are dropped so the
instance is always the same (SQLite in the temporary folder, demo data), and the sign-in throttles
are raised (``LMS_LOGIN_RATE_LIMIT``, ``LMS_LOGIN_MAX_FAILURES``, ``LMS_LOGIN_FREE_FAILURES``) so
that sqlmap's few hundred failed sign-ins reach the account lookup instead of being answered by the
throttle; the throttles themselves are covered by the test suite. sqlmap runs without update
checks, with ``--ignore-proxy`` and proxy variables removed, and only ever talks to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import html
import io
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.client import HTTPConnection, HTTPMessage
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PACKAGES = ["lms", "courses", "exams", "certificates", "simulations"]
DEMO_PASSWORD = "Demo-2026-safety"  # every demo account's password (README)
HOST = "127.0.0.1"

#: Every HTTP request the probe makes gives up after this many seconds.
REQUEST_TIMEOUT = 15.0
#: The whole run should stay within about five minutes; sqlmap gets what is left of this.
TOTAL_BUDGET_S = 290.0
#: Spreadsheet bombs: a refusal must come within this time and this much extra worker memory.
BOMB_MAX_SECONDS = 5.0
BOMB_MAX_EXTRA_MB = 300
#: ... and the probe stops waiting (and stops that worker) at these, to keep the machine usable.
BOMB_ABORT_SECONDS = 12.0
BOMB_KILL_EXTRA_MB = 2 * BOMB_MAX_EXTRA_MB
#: sqlmap: per-run time limit and how many runs at once (two cores, two gunicorn workers).
SQLMAP_RUN_LIMIT_S = 150
SQLMAP_PARALLEL = 3

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "ftp_proxy")


class ProbeError(Exception):
    """A step the checks depend on did not work (sign-in, setup ...)."""


# --------------------------------------------------------------------------------------------
# Output


def say(line: str = "") -> None:
    print(line, flush=True)


def detail(line: str) -> None:
    say("    " + line)


@dataclass
class Outcome:
    name: str
    ok: bool
    what: str = ""
    seconds: float = 0.0


# --------------------------------------------------------------------------------------------
# HTTP: a tiny browser with a cookie jar, timeouts on every request, no redirects followed


@dataclass
class Response:
    status: int
    headers: HTTPMessage
    body: bytes
    elapsed: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    @property
    def location(self) -> str:
        return self.headers.get("Location") or ""

    @property
    def content_type(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()


class Browser:
    """One client: keeps its own cookies, sends every request to 127.0.0.1:<port> only."""

    def __init__(self, port: int, label: str = "anonymous") -> None:
        self.port = port
        self.label = label
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, *, form: dict | None = None, body: bytes | None = None,
                headers: dict[str, str] | None = None, timeout: float = REQUEST_TIMEOUT) -> Response:
        sent = {"User-Agent": "lms-security-probe", "Accept-Language": "zh-CN,zh;q=0.9",
                "Accept": "text/html,application/json;q=0.9,*/*;q=0.5"}
        if form is not None:
            body = urlencode(form, doseq=True).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        sent.update(headers or {})
        conn = HTTPConnection(HOST, self.port, timeout=timeout)
        started = time.monotonic()
        try:
            conn.request(method, path, body=body, headers=sent)
            reply = conn.getresponse()
            data = reply.read()
        finally:
            conn.close()
        self._keep_cookies(reply.headers.get_all("Set-Cookie") or [])
        return Response(reply.status, reply.headers, data, time.monotonic() - started)

    def get(self, path: str, **kw) -> Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw) -> Response:
        return self.request("POST", path, **kw)

    def _keep_cookies(self, set_cookies: list[str]) -> None:
        for line in set_cookies:
            first, *attrs = [part.strip() for part in line.split(";")]
            name, _, value = first.partition("=")
            attrs_lower = [a.lower().replace(" ", "") for a in attrs]
            expired = "max-age=0" in attrs_lower or any(
                a.startswith("expires=") and "1970" in a for a in attrs_lower)
            if expired or value in ("", '""'):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value


# --------------------------------------------------------------------------------------------
# HTML helpers

_INPUT = re.compile(r"<input\b[^>]*>", re.I)
_ATTR = re.compile(r'([\w:-]+)\s*=\s*"([^"]*)"')
_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.I | re.S)
_TAGS = re.compile(r"<[^>]+>")


def attrs_of(tag: str) -> dict[str, str]:
    return {k.lower(): html.unescape(v) for k, v in _ATTR.findall(tag)}


def csrf_token_in(page: str) -> str | None:
    for tag in _INPUT.findall(page):
        a = attrs_of(tag)
        if a.get("name") == "csrf_token":
            return a.get("value")
    return None


def html_lang(page: str) -> str | None:
    m = re.search(r"<html\b[^>]*\blang=\"([^\"]+)\"", page, re.I)
    return m.group(1) if m else None


def plain(fragment: str) -> str:
    return " ".join(html.unescape(_TAGS.sub(" ", fragment)).split())


def error_message(resp: Response) -> str | None:
    """The message a refused upload or form shows the user (field errors, flashes, error pages)."""
    if resp.content_type == "application/json":
        try:
            err = json.loads(resp.body).get("error", {})
            return str(err.get("message") or err) or None
        except (ValueError, AttributeError):
            return None
    page = resp.text
    found = [plain(li) for ul in re.findall(r'<ul class="errors"[^>]*>(.*?)</ul>', page, re.S)
             for li in re.findall(r"<li>(.*?)</li>", ul, re.S)]
    found += [plain(m) for m in re.findall(r'<div class="flash error"[^>]*>(.*?)</div>', page, re.S)]
    if not found and resp.status >= 400:
        main = re.search(r"<main\b[^>]*>(.*?)</main>", page, re.S)
        found = [plain(main.group(1))] if main else []
    return "; ".join(f for f in found if f) or None


def select_options(page: str, name: str) -> list[str]:
    m = re.search(rf'<select\b[^>]*name="{re.escape(name)}"[^>]*>(.*?)</select>', page, re.S)
    return [html.unescape(v) for v in re.findall(r'<option\b[^>]*value="([^"]*)"', m.group(1))] if m else []


def short(text: str, n: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


# --------------------------------------------------------------------------------------------
# The throwaway instance and its gunicorn


def _die_with_probe() -> None:
    """In a child before exec: get SIGTERM when the probe dies, even by SIGKILL (Linux)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def child_env(instance: Path) -> dict[str, str]:
    """Environment for everything the probe starts: this work tree, the temporary instance."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("LMS_") and k.lower() not in PROXY_VARIABLES}
    env.update({
        "LMS_INSTANCE_PATH": str(instance),
        "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
        "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
        # sqlmap's failed sign-ins must reach the account lookup, not the throttle (see the top).
        "LMS_LOGIN_RATE_LIMIT": "100000 per minute",
        "LMS_LOGIN_MAX_FAILURES": "1000000",
        "LMS_LOGIN_FREE_FAILURES": "1000000",
        "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy",
    })
    return env


class Server:
    """gunicorn serving ``lms:create_app()`` as ``make run`` does; always stopped by ``stop``."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env, self.log_path = env, log_path
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self._log = None

    def start(self) -> None:
        self._log = open(self.log_path, "ab")  # noqa: SIM115 (closed in stop)
        cmd = [str(BIN / "gunicorn"), "--workers", "2", "--worker-class", "gthread", "--threads", "4",
               "--bind", f"{HOST}:{self.port}", "--graceful-timeout", "5", "--access-logfile", "-",
               "lms:create_app()"]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL,
                                     stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
                                     preexec_fn=_die_with_probe)
        self.wait_ready(60)

    def wait_ready(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ProbeError(f"gunicorn exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                if Browser(self.port).get("/", timeout=5).status < 500 and len(self.workers()) >= 2:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise ProbeError(f"the server did not answer within {seconds:.0f} s:\n{self.log_tail()}")

    def workers(self) -> list[int]:
        """Process ids of the gunicorn workers (children of the master)."""
        if self.proc is None:
            return []
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    status = (entry / "status").read_text()
                except OSError:
                    continue
                m = re.search(r"^PPid:\s+(\d+)", status, re.M)
                if m and int(m.group(1)) == self.proc.pid:
                    found.append(int(entry.name))
        return sorted(found)

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join("        | " + line for line in text[-lines:])

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            workers = self.workers()
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
            if self.proc.poll() is None:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(5)
            for pid in workers:  # a worker stuck on a bomb could outlive its master
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        if self._log:
            self._log.close()
            self._log = None


def rss_mb(pid: int) -> float | None:
    try:
        m = re.search(r"^VmRSS:\s+(\d+)\s+kB", Path(f"/proc/{pid}/status").read_text(), re.M)
    except OSError:
        return None
    return int(m.group(1)) / 1024 if m else None


def cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0
    return int(fields[11]) + int(fields[12])


class WorkerWatch:
    """Polls the workers' RSS while a request runs; stops a worker that grows past the kill line."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.base: dict[int, float] = {}
        self.peak: dict[int, float] = {}
        self.ticks: dict[int, int] = {}
        self.killed: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> WorkerWatch:
        for pid in self.server.workers():
            self.base[pid] = self.peak[pid] = rss_mb(pid) or 0.0
            self.ticks[pid] = cpu_ticks(pid)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(2)

    def _run(self) -> None:
        while not self._stop.is_set():
            for pid, base in self.base.items():
                now = rss_mb(pid)
                if now is None:
                    continue
                self.peak[pid] = max(self.peak[pid], now)
                if now - base > BOMB_KILL_EXTRA_MB and pid not in self.killed:
                    self.kill(pid, f"passed +{BOMB_KILL_EXTRA_MB} MB")
            self._stop.wait(0.05)

    def kill(self, pid: int, reason: str) -> None:
        self.killed[pid] = reason
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def busiest(self) -> int | None:
        if not self.base:
            return None
        return max(self.base, key=lambda pid: cpu_ticks(pid) - self.ticks.get(pid, 0))

    def growth(self) -> tuple[int | None, float, float, float | None]:
        """(pid, RSS before, peak, RSS now) of the worker that grew the most."""
        if not self.base:
            return None, 0.0, 0.0, None
        pid = max(self.base, key=lambda p: self.peak[p] - self.base[p])
        return pid, self.base[pid], self.peak[pid], rss_mb(pid)


# --------------------------------------------------------------------------------------------
# Facts from the instance, through the app itself


class Instance:
    """The temporary instance: CLI setup, then an app object for tokens and read-only look-ups."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder, self.env = folder, env
        self.app = None

    def cli(self, *args: str, timeout: float = 180) -> str:
        started = time.monotonic()
        done = subprocess.run([str(BIN / "lms"), *args], cwd=ROOT, env=self.env, capture_output=True,
                              text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            raise ProbeError(f"`lms {' '.join(args)}` failed ({done.returncode}):\n"
                             + "\n".join("        | " + ln for ln in
                                         (done.stdout + done.stderr).strip().splitlines()[-25:]))
        detail(f"lms {' '.join(args)}: {time.monotonic() - started:.1f} s")
        return done.stdout

    def setup(self) -> None:
        self.cli("db", "upgrade")
        self.cli("reference-data")
        self.cli("demo")
        # The probe's own app object (tokens, look-ups) reads the same LMS_* settings as the server.
        for key in [k for k in os.environ if k.startswith("LMS_")]:
            del os.environ[key]
        os.environ.update({k: v for k, v in self.env.items() if k.startswith("LMS_")})
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        from lms.app import create_app

        self.app = create_app()

    def context(self):
        return self.app.app_context()

    def issue_token(self, username: str, scopes: list[str]) -> str:
        from sqlalchemy import select

        from lms.api.tokens import issue_token
        from lms.extensions import db
        from lms.models import Account

        with self.context():
            account = db.session.scalar(select(Account).where(Account.username == username))
            if account is None:
                raise ProbeError(f"demo account {username} is missing")
            _token, clear = issue_token(account, "security probe", scopes, 1)
            db.session.commit()
            return clear

    def token_count(self, username: str) -> int:
        from sqlalchemy import func, select

        from lms.extensions import db
        from lms.models import Account, ApiToken

        with self.context():
            return db.session.scalar(select(func.count()).select_from(ApiToken).join(
                Account, Account.id == ApiToken.account_id).where(Account.username == username))

    def locale_of(self, username: str) -> str | None:
        from sqlalchemy import select

        from lms.extensions import db
        from lms.models import Account

        with self.context():
            return db.session.scalar(select(Account.locale).where(Account.username == username))

    def form_routes(self) -> list[str]:
        """Paths without arguments that answer both GET and POST (pages holding a form)."""
        return sorted(r.rule for r in self.app.url_map.iter_rules()
                      if not r.arguments and {"GET", "POST"} <= (r.methods or set()))

    def facts(self) -> dict:
        """Ids and codes of demo objects the checks use (with safe fallbacks where optional)."""
        from sqlalchemy import select

        from lms.extensions import db
        from lms.models import Account

        found: dict = {}
        with self.context():
            from exams.models import BankPurpose, KnowledgePoint, Question, QuestionBank

            bank = db.session.scalar(select(QuestionBank).where(QuestionBank.purpose == BankPurpose.EXAM)
                                     .order_by(QuestionBank.id))
            if bank is None:
                raise ProbeError("the demo data has no exam bank")
            found["bank_id"], found["bank_code"] = bank.id, bank.code
            kp = db.session.scalar(select(KnowledgePoint).join(Question, Question.knowledge_point_id
                                                               == KnowledgePoint.id)
                                   .where(Question.bank_id == bank.id).limit(1))
            found["kp"] = kp.code if kp else ""
            teacher = db.session.scalar(select(Account).where(Account.username == "teacher"))
            orgs = [g.organization for g in teacher.grants if g.organization is not None]
            found["teacher_org"] = orgs[0].code if orgs else ""
            admin = db.session.scalar(select(Account).where(Account.username == "ent_admin"))
            orgs = [g.organization for g in admin.grants if g.organization is not None]
            found["ent_org_id"] = orgs[0].id if orgs else 0
            try:
                from courses.drills.models import DrillResult

                found["class_name"] = db.session.scalar(select(DrillResult.class_name).where(
                    DrillResult.class_name.is_not(None)).limit(1)) or "三年级一班"
            except Exception:  # noqa: BLE001 (optional: a filter value for sqlmap)
                found["class_name"] = "三年级一班"
            try:
                from courses.models import Catalogue

                found["catalogue"] = next(iter(Catalogue)).value
            except Exception:  # noqa: BLE001
                found["catalogue"] = "public"
        return found


# --------------------------------------------------------------------------------------------
# Sign-in helpers


def sign_in(port: int, username: str, password: str = DEMO_PASSWORD) -> Browser:
    b = Browser(port, username)
    page = b.get("/login")
    token = csrf_token_in(page.text)
    if page.status != 200 or not token:
        raise ProbeError(f"GET /login answered {page.status} without a csrf_token field")
    r = b.post("/login", form={"csrf_token": token, "username": username, "password": password,
                               "next": ""})
    if r.status not in (302, 303) or "/login" in urlsplit(r.location).path:
        raise ProbeError(f"sign-in as {username} failed: HTTP {r.status} "
                         f"{error_message(r) or short(plain(r.text))}")
    return b


def signed_in_state(resp: Response) -> str:
    """'signed in', or how the app refused (redirect to the login page, 401)."""
    if resp.status == 200:
        return "signed in (200)"
    if resp.status in (301, 302, 303, 307) and "/login" in resp.location:
        return "signed out (redirect to the login page)"
    if resp.status == 401:
        return "signed out (401)"
    return f"unexpected answer {resp.status} {resp.location}"


def csrf_from(b: Browser, path: str) -> str:
    r = b.get(path)
    token = csrf_token_in(r.text)
    if not token:
        raise ProbeError(f"{path} ({r.status}) carries no csrf_token for {b.label}")
    return token


# --------------------------------------------------------------------------------------------
# Check 1: bandit

_NOSEC = re.compile(r"#\s*nosec\b:?\s*(?P<ids>B\d{3}(?:\s*,\s*B\d{3})*)?\s*[:\-–—]?\s*(?P<reason>.*)$")


def nosec_on(lines: list[str], numbers: list[int], test_id: str) -> tuple[bool, str]:
    """Whether one of the lines carries '# nosec <test_id>' followed by a reason; and what was seen."""
    seen = ""
    for n in numbers:
        if not 1 <= n <= len(lines):
            continue
        m = _NOSEC.search(lines[n - 1])
        if not m:
            continue
        ids = {i.strip() for i in (m.group("ids") or "").split(",") if i.strip()}
        reason = m.group("reason").strip()
        if test_id in ids and len(reason) >= 3:
            return True, reason
        if not ids:
            seen = "bare '# nosec' without a test id"
        elif test_id not in ids:
            seen = f"'# nosec {', '.join(sorted(ids))}' names other tests"
        else:
            seen = f"'# nosec {test_id}' without a reason"
    return False, seen


def check_bandit() -> tuple[bool, str]:
    cmd = [str(BIN / "bandit"), "-r", *PACKAGES, "-x", "tests,*/tests/*", "--ignore-nosec",
           "-f", "json", "-q"]
    detail("bandit " + " ".join(cmd[1:]) + "  (every finding, then '# nosec' judged here)")
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=180,
                          stdin=subprocess.DEVNULL)
    try:
        report = json.loads(done.stdout)
    except ValueError:
        return False, f"bandit gave no JSON report (exit {done.returncode}): {short(done.stderr)}"
    if report.get("errors"):
        for err in report["errors"]:
            detail(f"bandit could not scan {err.get('filename')}: {err.get('reason')}")
    failing, annotated, low = [], [], []
    cache: dict[str, list[str]] = {}
    for r in sorted(report.get("results", []), key=lambda r: (r["filename"], r["line_number"])):
        where = f"{r['filename']}:{r['line_number']}"
        label = f"{r['test_id']} {where} [{r['issue_severity'].lower()}/{r['issue_confidence'].lower()}]"
        if r["issue_severity"] not in ("MEDIUM", "HIGH"):
            low.append(f"{label} {short(r['issue_text'], 90)}")
            continue
        lines = cache.setdefault(r["filename"], (ROOT / r["filename"]).read_text().splitlines())
        ok, seen = nosec_on(lines, sorted(set(r.get("line_range") or []) | {r["line_number"]}),
                            r["test_id"])
        if ok:
            annotated.append(f"{label} nosec: {seen}")
        else:
            failing.append(f"{label} {short(r['issue_text'], 90)}" + (f" ({seen})" if seen else ""))
    metrics = report.get("metrics", {}).get("_totals", {})
    detail(f"scanned {metrics.get('loc', '?')} lines; {len(failing)} medium/high without a reasoned "
           f"nosec, {len(annotated)} with one, {len(low)} low")
    for line in failing:
        detail("FAIL  " + line)
    for line in annotated:
        detail("nosec " + line)
    for line in low:
        detail("low   " + line)
    if report.get("errors"):
        return False, f"bandit could not scan {len(report['errors'])} file(s)"
    if failing:
        return False, f"{len(failing)} medium/high finding(s) without '# nosec <ID> <reason>': " + \
            ", ".join(f.split(" [")[0] for f in failing)
    return True, ""


# --------------------------------------------------------------------------------------------
# Check 2: sqlmap


@dataclass
class SqlmapRun:
    name: str
    what: str
    args: list[str]
    #: statuses that mean the scan did not reach the code under test (CSRF refusal, signed out ...)
    blocked: Callable[[int, str], bool] = lambda status, location: status in (400, 401, 429) or (
        status in (301, 302, 303) and "/login" in location)
    proc: subprocess.Popen | None = None
    started: float = 0.0
    limit: int = 0
    folder: Path | None = None
    verdict: str = ""
    ok: bool = False
    notes: list[str] = field(default_factory=list)
    #: Set when a heuristic-only finding was run again to see whether it holds.
    retried: bool = False


def sqlmap_command() -> list[str] | None:
    exe = BIN / "sqlmap"
    if exe.exists():
        return [str(exe)]
    probe = subprocess.run([sys.executable, "-c", "import sqlmap.sqlmap"], capture_output=True)
    if probe.returncode == 0:
        return [sys.executable, "-c", "import sys; from sqlmap.sqlmap import main; sys.exit(main())"]
    return None


def sqlmap_runs(port: int, facts: dict, cookies: dict[str, str],
                tokens: dict[str, str]) -> list[SqlmapRun]:
    base = f"http://{HOST}:{port}"

    def cookie(user: str) -> list[str]:
        return ["--cookie", f"session={cookies[user]}", "--drop-set-cookie"]

    def bearer(token: str) -> list[str]:
        return ["--headers", f"Authorization: Bearer {token}"]

    bank = f"{base}/exams/banks/{facts['bank_id']}?" + urlencode(
        {"q": "灭火", "status": "published", "qtype": "single", "kp": facts["kp"]})
    year = time.gmtime().tm_year
    drills = f"{base}/courses/drills/?" + urlencode(
        {"year": year, "drill": "escape", "class": facts["class_name"]})
    drill_body = json.dumps({
        "schema_version": 1, "drill": "escape", "version": "1", "seed": 7,
        "run_id": "0b6f8e42-5c1d-4a7e-9f3b-2d8c6a1e4f50", "started_at": "2026-03-02T09:00:00Z",
        "duration_s": 90.5, "score": 80, "max_score": 100, "passed": True, "lang": "zh_CN",
        "outcome": "escaped", "outcome_text": "probe", "decisions": [], "details": {},
        "org_code": facts["teacher_org"] + "*", "class_name": facts["class_name"] + "*"},
        ensure_ascii=False)
    return [
        SqlmapRun("login", "POST /login username, password (fresh csrf_token from /login each time)",
                  ["-u", f"{base}/login", "--data",
                   "csrf_token=none&username=probe-nobody&password=not-the-password&next=",
                   "-p", "username,password", "--csrf-token", "csrf_token",
                   "--csrf-url", f"{base}/login"],
                  blocked=lambda status, location: status in (400, 429)),
        SqlmapRun("bank-search", f"GET /exams/banks/{facts['bank_id']} q, status, qtype, kp (bank_editor)",
                  ["-u", bank, "-p", "q,status,qtype,kp", *cookie("bank_editor")]),
        SqlmapRun("organizations", "GET /organizations kind, q (jiangsu_regulator)",
                  ["-u", f"{base}/organizations?" + urlencode({"kind": "enterprise", "q": "化工"}),
                   "-p", "kind,q", *cookie("jiangsu_regulator")]),
        SqlmapRun("audit", "GET /audit action (admin)",
                  ["-u", f"{base}/audit?action=auth", "-p", "action", *cookie("admin")]),
        SqlmapRun("rules", "GET /rules prefix (admin)",
                  ["-u", f"{base}/rules?prefix=special_ops", "-p", "prefix", *cookie("admin")]),
        SqlmapRun("drills", "GET /courses/drills/ year, drill, class (teacher)",
                  ["-u", drills, "-p", "year,drill,class", *cookie("teacher")]),
        SqlmapRun("progress", "GET /courses/admin/progress org, year (ent_admin)",
                  ["-u", f"{base}/courses/admin/progress?org={facts['ent_org_id']}&year={year}",
                   "-p", "org,year", *cookie("ent_admin")]),
        SqlmapRun("catalogue", "GET /courses/ catalogue (learner)",
                  ["-u", f"{base}/courses/?catalogue={facts['catalogue']}", "-p", "catalogue",
                   *cookie("learner")]),
        SqlmapRun("api-questions", "GET /api/v1/exams/banks/<code>/questions code, page (bearer token)",
                  ["-u", f"{base}/api/v1/exams/banks/{facts['bank_code']}*/questions?page=1*",
                   *bearer(tokens["questions"])],
                  blocked=lambda status, location: status in (401, 403, 429)),
        SqlmapRun("api-drill-results", "POST /api/v1/drill-results JSON org_code, class_name (bearer token)",
                  ["-u", f"{base}/api/v1/drill-results", "--data", drill_body,
                   "--headers", f"Authorization: Bearer {tokens['drills']}\nContent-Type: application/json"],
                  blocked=lambda status, location: status in (401, 429)),
    ]


def traffic_statuses(path: Path) -> list[tuple[int, str]]:
    """(status, Location) of every response in sqlmap's traffic file."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return []
    found = []
    for m in re.finditer(r"^HTTP response (?:\[#\d+\] )?\((\d{3})[^)]*\):\n(.*?)(?:\n\n|\Z)", text,
                         re.M | re.S):
        loc = re.search(r"^Location: (.*)$", m.group(2), re.M | re.I)
        found.append((int(m.group(1)), loc.group(1).strip() if loc else ""))
    return found


def judge_sqlmap(run: SqlmapRun, output: str, returncode: int | None) -> None:
    points = re.findall(r"^Parameter: (.+)$", output, re.M)
    vulnerable = re.findall(r"^.*(?:parameter '[^']+' is vulnerable|appears to be '[^']+' injectable).*$",
                            output, re.M)
    if "false positive or unexploitable injection point detected" in output and not points:
        # sqlmap's first guess was disproved by its own confirmation step (pages that echo the
        # parameter back can look "injectable" to the boolean heuristic); it reported no point.
        run.notes.append("sqlmap dismissed its first guess as a false positive: "
                         + "; ".join(short(v, 100) for v in vulnerable))
        vulnerable = [v for v in vulnerable if "is vulnerable" in v]
    if "identified the following injection point" in output or points or vulnerable:
        run.ok = False
        run.verdict = "INJECTABLE: " + "; ".join(dict.fromkeys(points or vulnerable))
        for m in re.findall(r"^\s+(Type|Title|Payload): (.+)$", output, re.M)[:9]:
            run.notes.append(f"{m[0]}: {short(m[1], 140)}")
        return
    statuses = traffic_statuses(run.folder / "traffic.txt")
    counts = Counter(s for s, _ in statuses)
    blocked = sum(1 for s, loc in statuses if run.blocked(s, loc))
    summary = ", ".join(f"{s}x{n}" for s, n in sorted(counts.items()))
    run.notes.append(f"{len(statuses)} responses ({summary or 'none'})")
    if counts.get(500):
        run.notes.append(f"note: {counts[500]} answers were 500 (an unhandled error; see the server log)")
    if returncode is None:
        run.ok, run.verdict = False, "did not finish within its time limit"
    elif "all tested parameters do not appear to be injectable" in output or re.search(
            r"parameter '[^']+' does not seem to be injectable", output):
        if not statuses or blocked > 0.2 * len(statuses):
            run.ok = False
            run.verdict = (f"not meaningful: {blocked} of {len(statuses)} requests were refused before "
                           "reaching the code (CSRF, sign-in or throttle)")
        else:
            run.ok, run.verdict = True, "not injectable"
    else:
        critical = re.findall(r"^\[[\d:]+\] \[CRITICAL\] (.+)$", output, re.M)
        run.ok = False
        run.verdict = "no verdict: " + short("; ".join(critical) or output.strip().splitlines()[-1]
                                             if output.strip() else f"exit {returncode}", 200)


def check_sqlmap(port: int, inst: Instance, facts: dict, work: Path, deadline: float) -> tuple[bool, str]:
    base_cmd = sqlmap_command()
    if base_cmd is None:
        return False, "sqlmap is not installed in the virtualenv (make install-test)"
    users = ["bank_editor", "jiangsu_regulator", "admin", "teacher", "learner", "ent_admin"]
    cookies = {}
    for user in users:
        b = sign_in(port, user)
        if "session" not in b.cookies:
            raise ProbeError(f"no session cookie after signing in as {user}")
        cookies[user] = b.cookies["session"]
    throttled = throttle_preflight(port)
    detail("sign-in throttle before the login scan: " + (throttled or "eight failed sign-ins of one "
                                                          "username all got the same answer (raised)"))
    tokens = {"questions": inst.issue_token("bank_editor", ["questions:read"]),
              "drills": inst.issue_token("teacher", ["drill-results:write"])}
    runs = sqlmap_runs(port, facts, cookies, tokens)
    detail(f"{len(runs)} sqlmap runs, {SQLMAP_PARALLEL} at a time, each with --time-limit (at most "
           f"{SQLMAP_RUN_LIMIT_S} s, less when the probe's {TOTAL_BUDGET_S:.0f} s budget runs short): "
           "--batch --level 1 --risk 1 --technique BEU (no time-based or stacked) --flush-session")
    common = ["--batch", "--level=1", "--risk=1", "--technique=BEU", "--flush-session",
              "--disable-coloring", "--skip-waf", "--ignore-proxy", "--timeout=15", "--retries=1",
              "--answers=extending=N,crack=N,dict=N"]
    env = {k: v for k, v in os.environ.items() if k.lower() not in PROXY_VARIABLES}
    env.update({"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
                "HOME": str(work / "home")})
    pending, active, finished = list(runs), [], []
    outputs: dict[str, Path] = {}
    try:
        while pending or active:
            while pending and len(active) < SQLMAP_PARALLEL:
                run = pending.pop(0)
                run.limit = int(min(SQLMAP_RUN_LIMIT_S, deadline - time.monotonic()))
                if run.limit < 20:
                    run.ok, run.verdict = False, "not run: the probe's time budget is spent"
                    finished.append(run)
                    detail(f"FAIL {run.name}: {run.what}: {run.verdict}")
                    continue
                run.folder = work / f"sqlmap-{run.name}{'-again' if run.retried else ''}"
                run.folder.mkdir(parents=True)
                outputs[run.name] = run.folder / "console.txt"
                cmd = [*base_cmd, *run.args, *common, f"--time-limit={run.limit}",
                       f"--output-dir={run.folder / 'out'}",
                       "-t", str(run.folder / "traffic.txt")]
                with open(outputs[run.name], "wb") as out:
                    run.proc = subprocess.Popen(cmd, cwd=work, env=env, stdin=subprocess.DEVNULL,
                                                stdout=out, stderr=subprocess.STDOUT,
                                                start_new_session=True, preexec_fn=_die_with_probe)
                run.started = time.monotonic()
                active.append(run)
            time.sleep(0.3)
            for run in list(active):
                code = run.proc.poll()
                overdue = time.monotonic() - run.started > run.limit + 30
                if code is None and not overdue:
                    continue
                if code is None:
                    stop_group(run.proc)
                output = outputs[run.name].read_text(errors="replace")
                judge_sqlmap(run, output, code)
                if unconfirmed(run, output):
                    # sqlmap's first, heuristic guess without its own confirmation: on a loaded
                    # machine a slow or busy answer can look like a boolean difference. Run once more.
                    detail(f"again {run.name}: sqlmap guessed without confirming ({run.verdict})")
                    run.retried, run.ok, run.verdict, run.notes = True, False, "", []
                    active.remove(run)
                    pending.append(run)
                    continue
                if run.name == "login" and throttled and run.ok:
                    run.ok, run.verdict = False, f"not meaningful: {throttled}"
                active.remove(run)
                finished.append(run)
                detail(f"{'ok  ' if run.ok else 'FAIL'} {run.name}: {run.what}: {run.verdict} "
                       f"({time.monotonic() - run.started:.0f} s)")
                for note in run.notes:
                    detail(f"       {note}")
    finally:
        for run in active:
            stop_group(run.proc)
    bad = [r for r in finished if not r.ok]
    if bad:
        return False, "; ".join(f"{r.name}: {r.verdict}" for r in bad)
    return True, ""


def unconfirmed(run: SqlmapRun, output: str) -> bool:
    """A first failure that rests only on sqlmap's heuristic guess, not on an injection point."""
    return (not run.ok and not run.retried and run.verdict.startswith("INJECTABLE")
            and "identified the following injection point" not in output
            and not re.search(r"^Parameter: ", output, re.M))


def throttle_preflight(port: int) -> str | None:
    """None when repeated failed sign-ins keep getting the plain answer, else what the throttle said.

    sqlmap's login scan sends a few hundred failed sign-ins for one username; it only tests the
    form if the throttle (raised for the probe's server, see the top) lets them through.
    """
    b = Browser(port, "throttle preflight")
    answers = []
    for _ in range(8):
        token = csrf_from(b, "/login")
        r = b.post("/login", form={"csrf_token": token, "username": "probe-nobody",
                                   "password": "not-the-password", "next": ""})
        answers.append((r.status, error_message(r)))
    if len(set(answers)) > 1:
        return f"the sign-in throttle answered HTTP {answers[-1][0]} {answers[-1][1] or ''}".strip()
    return None


def stop_group(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(5)
            return
        except subprocess.TimeoutExpired:
            continue


# --------------------------------------------------------------------------------------------
# Check 3: headers


def csp_directives(value: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part in value.split(";"):
        words = part.split()
        if words:
            out.setdefault(words[0].lower(), [w.lower() for w in words[1:]])
    return out


def header_problems(resp: Response) -> list[str]:
    problems = []
    csp = resp.header("Content-Security-Policy")
    directives = csp_directives(csp or "")
    if not csp:
        problems.append("no Content-Security-Policy")
    else:
        scripts = directives.get("script-src", directives.get("default-src"))
        if scripts is None:
            problems.append("CSP has neither script-src nor default-src")
        elif "'unsafe-inline'" in scripts:
            problems.append("CSP script-src allows 'unsafe-inline'")
    xfo = (resp.header("X-Frame-Options") or "").strip().upper()
    if directives.get("frame-ancestors") != ["'none'"] and xfo != "DENY":
        problems.append("neither CSP frame-ancestors 'none' nor X-Frame-Options DENY")
    if (resp.header("X-Content-Type-Options") or "").strip().lower() != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    referrer = (resp.header("Referrer-Policy") or "").strip().lower()
    if not referrer:
        problems.append("no Referrer-Policy")
    elif referrer == "unsafe-url":
        problems.append("Referrer-Policy unsafe-url")
    if not resp.header("Permissions-Policy"):
        problems.append("no Permissions-Policy")
    return problems


def check_headers(port: int, inst: Instance) -> tuple[bool, str]:
    token = inst.issue_token("learner", ["profile:read"])
    pages = [("GET / (public)", Browser(port).get("/"), 200),
             ("GET /dashboard (signed in as learner)", sign_in(port, "learner").get("/dashboard"), 200),
             ("GET /api/v1/me (token, profile:read)",
              Browser(port).get("/api/v1/me", headers={"Authorization": f"Bearer {token}",
                                                      "Accept": "application/json"}), 200)]
    failing: dict[tuple[str, ...], list[str]] = {}
    for label, resp, expected in pages:
        problems = header_problems(resp)
        if resp.status != expected:
            problems.insert(0, f"answered {resp.status}, expected {expected}")
        shown = {h: resp.header(h) for h in ("Content-Security-Policy", "X-Frame-Options",
                                             "X-Content-Type-Options", "Referrer-Policy",
                                             "Permissions-Policy") if resp.header(h)}
        listed = ", ".join(f"{k}: {short(v, 120)}" for k, v in shown.items())
        detail(f"{label}: HTTP {resp.status}; {listed or 'none of the headers'}")
        for p in problems:
            detail(f"  FAIL {p}")
        if problems:
            failing.setdefault(tuple(problems), []).append(label.split(" (")[0].removeprefix("GET "))
    return (not failing), "; ".join(f"{', '.join(where)}: {', '.join(problems)}"
                                    for problems, where in failing.items())


# --------------------------------------------------------------------------------------------
# Check 4: CSRF


def check_csrf(port: int, inst: Instance) -> tuple[bool, str]:
    failures = []
    b = sign_in(port, "trainer")
    forged = {"csrf_token": "forged." + secrets.token_hex(8)}
    for label, form in (("no token", {}), ("a forged token", forged)):
        r = b.post("/logout", form=form)
        after = signed_in_state(b.get("/dashboard"))
        detail(f"POST /logout with {label}: HTTP {r.status} {error_message(r) or ''}; /dashboard afterwards: "
               f"{after}")
        if r.status != 400:
            failures.append(f"POST /logout with {label} answered {r.status}, not 400")
        if not after.startswith("signed in"):
            failures.append(f"POST /logout with {label} signed the user out")
    before = inst.token_count("trainer")
    r = b.post("/account/tokens", form={"name": "csrf probe", "scopes": "profile:read", "days": "30"})
    after_count = inst.token_count("trainer")
    detail(f"POST /account/tokens without a token: HTTP {r.status}; trainer's API tokens "
           f"{before} -> {after_count}")
    if r.status != 400:
        failures.append(f"POST /account/tokens without a token answered {r.status}, not 400")
    if after_count != before:
        failures.append("a token was created without a CSRF token")
    # The same form with its token works, so the refusals above were about the token.
    token = csrf_from(b, "/account/tokens")
    r = b.post("/account/tokens", form={"csrf_token": token, "name": "csrf probe control",
                                        "scopes": "profile:read", "days": "30"})
    control = inst.token_count("trainer")
    detail(f"control: the same form with its csrf_token: HTTP {r.status}; tokens now {control}")
    if control != after_count + 1:
        failures.append("control request with the CSRF token did not create a token (check not meaningful)")
    return (not failures), "; ".join(failures)


# --------------------------------------------------------------------------------------------
# Check 5: the session cookie after sign-out and after a password change


def find_password_form(b: Browser, routes: list[str]) -> tuple[str, dict[str, str], list[str]] | None:
    """(action, hidden fields, password field names) of a form with two or more password inputs."""
    for path in routes:
        if path in ("/login", "/logout"):
            continue
        r = b.get(path)
        if r.status != 200:
            continue
        for form_attrs, inner in _FORM.findall(r.text):
            inputs = [attrs_of(t) for t in _INPUT.findall(inner)]
            passwords = [i["name"] for i in inputs if i.get("type") == "password" and i.get("name")]
            if len(passwords) >= 2:
                hidden = {i["name"]: i.get("value", "") for i in inputs
                          if i.get("type") == "hidden" and i.get("name")}
                action = attrs_of(f"<form {form_attrs}>").get("action") or path
                return action, hidden, passwords
    return None


def check_session(port: int, inst: Instance) -> tuple[bool, str]:
    failures = []
    b = sign_in(port, "learner")
    copied = dict(b.cookies)
    detail(f"signed in as learner; copied cookies: {', '.join(copied)}")
    token = csrf_from(b, "/dashboard")
    r = b.post("/logout", form={"csrf_token": token})
    own = signed_in_state(b.get("/dashboard"))
    detail(f"POST /logout with its csrf_token: HTTP {r.status} -> {r.location or '-'}; the browser "
           f"itself: {own}")
    if own.startswith("signed in"):
        failures.append("sign-out did not sign the browser out")
    replay = Browser(port, "replayed cookie")
    replay.cookies = dict(copied)
    state = signed_in_state(replay.get("/dashboard"))
    detail(f"/dashboard with the cookie copied before sign-out: {state}")
    if not state.startswith("signed out"):
        failures.append(f"the session cookie copied before sign-out is still {state}")

    # Password change: another browser's sign-in must end.
    user = "examiner"
    first, second = sign_in(port, user), sign_in(port, user)
    found = find_password_form(first, inst.form_routes())
    if found is None:
        detail("password change: no page with a password-change form (two password fields) among "
               f"{len(inst.form_routes())} GET+POST pages: sub-check SKIPPED")
    else:
        action, hidden, fields = found
        current = next((f for f in fields if re.search(r"current|old", f, re.I)), fields[0])
        new_password = "Probe-" + secrets.token_urlsafe(12)
        form = {**hidden, **{f: (DEMO_PASSWORD if f == current else new_password) for f in fields}}
        copied_second = dict(second.cookies)
        copied_first = dict(first.cookies)
        r = first.post(action, form=form)
        problem = error_message(r) if r.status == 200 else None
        detail(f"password change at {action} (fields {', '.join(fields)}) as {user}: HTTP {r.status}"
               + (f" {problem}" if problem else f" -> {r.location or '-'}"))
        if r.status >= 400 or problem:
            failures.append(f"password change at {action} did not go through: {r.status} {problem or ''}")
        else:
            replay = Browser(port, "other browser")
            replay.cookies = copied_second
            state = signed_in_state(replay.get("/dashboard"))
            detail(f"/dashboard with another browser's cookie from before the change: {state}")
            if not state.startswith("signed out"):
                failures.append(f"another sign-in survived the password change ({state})")
            replay.cookies = copied_first
            detail("(info) the changing browser's own cookie from before the change: "
                   f"{signed_in_state(replay.get('/dashboard'))}")
    return (not failures), "; ".join(failures)


# --------------------------------------------------------------------------------------------
# Check 6: spreadsheet bombs

_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def xlsx_parts(shared_strings: bool) -> dict[str, str]:
    return {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.worksheet+xml"/>'
            + (f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.sharedStrings+xml"/>'
               if shared_strings else "") + "</Types>"),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_RELS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_RELS}"><sheets>'
            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
            + (f'<Relationship Id="rId2" Type="{_RELS}/sharedStrings" Target="sharedStrings.xml"/>'
               if shared_strings else "") + "</Relationships>"),
    }


def merge_bomb() -> bytes:
    """A tiny workbook whose only sheet content is one merged range of ten million cells."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in xlsx_parts(False).items():
            z.writestr(name, text)
        z.writestr("xl/worksheets/sheet1.xml",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                   f'<worksheet xmlns="{_MAIN}"><sheetData/><mergeCells count="1">'
                   '<mergeCell ref="A2:J1000001"/></mergeCells></worksheet>')
    return buf.getvalue()


def shared_strings_bomb(declared: int = 1 << 30) -> bytes:
    """A workbook whose xl/sharedStrings.xml inflates to about 1 GB (written in chunks: cheap here)."""
    buf = io.BytesIO()
    head = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="{_MAIN}">'.encode()
    chunk = b"<si><t>A</t></si>" * 65536
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, text in xlsx_parts(True).items():
            z.writestr(name, text)
        z.writestr("xl/worksheets/sheet1.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                   f'<worksheet xmlns="{_MAIN}"><sheetData/></worksheet>')
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
            f.write(head)
            written = len(head)
            while written < declared:
                f.write(chunk)
                written += len(chunk)
            f.write(b"</sst>")
    return buf.getvalue()


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = "----lms-probe-" + secrets.token_hex(12)
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.write(value.encode() + b"\r\n")
    for name, (filename, data) in files.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                  f'filename="{filename}"\r\nContent-Type: {_CT}.sheet\r\n\r\n'.encode())
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def upload_bomb(server: Server, b: Browser, path: str, fields: dict[str, str], bomb: bytes,
                label: str) -> str | None:
    """Post one bomb; return a failure text or None. The watched worker is stopped if it runs away."""
    body, ctype = multipart(fields, {"file": (f"{label}.xlsx", bomb)})
    outcome, resp = "", None
    started = time.monotonic()
    with WorkerWatch(server) as watch:
        try:
            resp = b.post(path, body=body, headers={"Content-Type": ctype}, timeout=BOMB_ABORT_SECONDS)
        except TimeoutError:
            outcome = f"no answer within {BOMB_ABORT_SECONDS:.0f} s"
        except OSError as exc:
            outcome = f"connection failed ({exc.__class__.__name__}: {exc})"
        elapsed = time.monotonic() - started
        if resp is None and watch.killed:
            outcome = "no answer"
        pid, before, peak, now = watch.growth()
        runaway = None
        if resp is None and not watch.killed:
            runaway = watch.busiest()
            if runaway is not None:
                watch.kill(runaway, "still busy when the probe gave up waiting")
        killed = dict(watch.killed)
    mem = (f"worker {pid}: RSS {before:.0f} MB before, peak {peak:.0f} MB (+{peak - before:.0f}), "
           f"{'gone' if now is None else f'{now:.0f} MB'} after")
    problems = []
    if killed:
        stopped = ", ".join(f"worker {pid} ({why})" for pid, why in killed.items())
        problems.append(f"the probe stopped {stopped}")
        server.wait_ready(30)
    if peak - before > BOMB_MAX_EXTRA_MB:
        problems.append(f"worker memory grew {peak - before:.0f} MB (limit {BOMB_MAX_EXTRA_MB})")
    if resp is None:
        problems.insert(0, outcome)
        detail(f"{label} ({len(bomb) / 1024:.0f} KB) -> {path}: {outcome} after {elapsed:.1f} s; {mem}")
    else:
        message = error_message(resp)
        detail(f"{label} ({len(bomb) / 1024:.0f} KB) -> {path}: HTTP {resp.status} in {elapsed:.1f} s; "
               f"message: {short(message or '-', 140)}; {mem}")
        if resp.status in (301, 302, 303):
            problems.insert(0, f"accepted (redirect to {resp.location})")
        elif resp.status >= 500:
            problems.insert(0, f"server error {resp.status}")
        elif not message:
            problems.insert(0, f"HTTP {resp.status} without an error message")
        if elapsed > BOMB_MAX_SECONDS:
            problems.append(f"took {elapsed:.1f} s (limit {BOMB_MAX_SECONDS:.0f})")
    return f"{label} -> {path}: " + ", ".join(problems) if problems else None


def check_bombs(server: Server, facts: dict) -> tuple[bool, str]:
    t = time.monotonic()
    bombs = [("merged-cells bomb (A2:J1000001)", merge_bomb()),
             ("sharedStrings bomb (~1 GB inflated)", shared_strings_bomb())]
    detail(f"built {', '.join(f'{n}: {len(d) / 1024:.0f} KB' for n, d in bombs)} in "
           f"{time.monotonic() - t:.1f} s")
    failures = []
    editor = sign_in(server.port, "bank_editor")
    bank_path = f"/exams/banks/{facts['bank_id']}/import"
    admin = sign_in(server.port, "ent_admin")
    for label, data in bombs:
        token = csrf_from(editor, bank_path)
        failures.append(upload_bomb(server, editor, bank_path, {
            "csrf_token": token, "fmt": "auto", "default_kp": "", "default_difficulty": "3"}, data,
            label.split(" (")[0].replace(" ", "-")))
        page = admin.get("/roster/")
        orgs = [o for o in select_options(page.text, "organization") if o]
        token = csrf_token_in(page.text)
        if not token or not orgs:
            failures.append(f"/roster/ ({page.status}) shows no form for ent_admin")
            continue
        failures.append(upload_bomb(server, admin, "/roster/", {"csrf_token": token, "organization": orgs[0]},
                                    data, label.split(" (")[0].replace(" ", "-")))
    failures = [f for f in failures if f]
    return (not failures), "; ".join(failures)


# --------------------------------------------------------------------------------------------
# Check 7: deep JSON


def check_deep_json(port: int, inst: Instance) -> tuple[bool, str]:
    token = inst.issue_token("teacher", ["drill-results:write"])
    depth = 100 * 1024
    body = b"[" * depth + b"]" * depth
    try:
        r = Browser(port).post("/api/v1/drill-results", body=body, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json",
            "Accept": "application/json"})
    except OSError as exc:
        return False, f"no answer ({exc.__class__.__name__}: {exc})"
    parsed = None
    try:
        parsed = json.loads(r.body)
    except ValueError:
        pass
    detail(f"POST /api/v1/drill-results, {len(body) // 1024} KB of nested brackets (depth {depth}): "
           f"HTTP {r.status}, {r.content_type or 'no Content-Type'}, {r.elapsed:.2f} s, body "
           f"{short(r.text, 120)!r}")
    problems = []
    if not 400 <= r.status < 500:
        problems.append(f"answered {r.status}, not 4xx")
    if r.content_type != "application/json" or parsed is None:
        problems.append(f"body is {r.content_type or 'untyped'}, not JSON")
    return (not problems), ", ".join(problems)


# --------------------------------------------------------------------------------------------
# Check 8: GET /lang/en changes nothing


def check_lang(port: int, inst: Instance) -> tuple[bool, str]:
    failures = []
    anon = Browser(port)
    before = html_lang(anon.get("/").text)
    r = anon.get("/lang/en?next=/")
    after = html_lang(anon.get("/").text)
    detail(f"anonymous: <html lang> {before} -> GET /lang/en (HTTP {r.status}) -> {after}")
    if before == "en":
        failures.append("anonymous page was English before the switch (check not meaningful)")
    elif after != before:
        failures.append(f"GET /lang/en switched an anonymous visitor's pages to {after}")
    user = "wuxi_regulator"
    b = sign_in(port, user)
    before, stored = html_lang(b.get("/dashboard").text), inst.locale_of(user)
    r = b.get("/lang/en?next=/dashboard")
    after, stored_after = html_lang(b.get("/dashboard").text), inst.locale_of(user)
    detail(f"{user}: <html lang> {before} -> GET /lang/en (HTTP {r.status}) -> {after}; stored "
           f"account locale {stored!r} -> {stored_after!r}")
    if before == "en":
        failures.append("signed-in page was English before the switch (check not meaningful)")
    elif after != before:
        failures.append(f"GET /lang/en switched a signed-in user's pages to {after}")
    if stored_after != stored:
        failures.append(f"GET /lang/en changed the stored account locale to {stored_after!r}")
    return (not failures), "; ".join(failures)


# --------------------------------------------------------------------------------------------


class Interrupted(BaseException):
    """SIGTERM/SIGINT: unwind so that the server is stopped and the folder removed."""


def _interrupt(signum, _frame):
    raise Interrupted(signal.Signals(signum).name)


CHECKS = ["bandit", "sqlmap", "headers", "csrf", "session", "spreadsheet-bombs", "deep-json", "lang-get"]
TITLES = {
    "bandit": "bandit over lms courses exams certificates simulations",
    "sqlmap": "sqlmap against the login form, signed-in filters and the JSON API",
    "headers": "security headers on a public page, a signed-in page and an API answer",
    "csrf": "a state-changing POST without a CSRF token is refused and changes nothing",
    "session": "a session cookie copied before sign-out (and password change) no longer signs in",
    "spreadsheet-bombs": "spreadsheet bombs are refused quickly with bounded worker memory",
    "deep-json": "deeply nested JSON gets a 4xx JSON answer",
    "lang-get": "GET /lang/en changes nothing",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", choices=CHECKS,
                        help="run only this check (repeatable); default: all")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs)")
    args = parser.parse_args()
    wanted = args.only or CHECKS
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    started = time.monotonic()
    deadline = started + TOTAL_BUDGET_S
    outcomes: dict[str, Outcome] = {}
    work = Path(tempfile.mkdtemp(prefix="lms-security-probe-"))
    server: Server | None = None

    def run(name: str, fn: Callable[[], tuple[bool, str]]) -> None:
        if name not in wanted:
            return
        say(f"== {name}: {TITLES[name]}")
        t = time.monotonic()
        try:
            ok, what = fn()
        except ProbeError as exc:
            ok, what = False, f"could not run: {exc}"
        except Exception as exc:  # noqa: BLE001 (a broken check must not stop the others)
            ok, what = False, f"probe error {exc.__class__.__name__}: {exc}"
            detail(traceback.format_exc().strip().replace("\n", "\n    "))
        outcomes[name] = Outcome(name, ok, what, time.monotonic() - t)
        say(f"CHECK {name}: ok" if ok else f"CHECK {name}: FAIL {what}")
        say()

    say(f"Security probe of {ROOT} (python {sys.version.split()[0]}), temporary folder {work}")
    try:
        run("bandit", check_bandit)
        if set(wanted) - {"bandit"}:
            say("== setup: throwaway instance with the demo data, served by gunicorn")
            instance_dir = work / "instance"
            env = child_env(instance_dir)
            inst = Instance(instance_dir, env)
            try:
                inst.setup()
                facts = inst.facts()
                server = Server(env, work / "server.log")
                server.start()
                detail(f"gunicorn on http://{HOST}:{server.port} (master {server.proc.pid}, workers "
                       f"{', '.join(map(str, server.workers()))}); exam bank {facts['bank_code']} "
                       f"(id {facts['bank_id']}); setup took {time.monotonic() - started:.1f} s")
                say()
                ready = True
            except ProbeError as exc:
                ready = False
                say(f"CHECK setup: FAIL {exc}")
                say()
                for name in wanted:
                    if name not in outcomes:
                        outcomes[name] = Outcome(name, False, "not run: setup failed")
                        say(f"CHECK {name}: FAIL not run: setup failed")
            if ready:
                port = server.port
                run("headers", lambda: check_headers(port, inst))
                run("csrf", lambda: check_csrf(port, inst))
                run("session", lambda: check_session(port, inst))
                run("deep-json", lambda: check_deep_json(port, inst))
                run("lang-get", lambda: check_lang(port, inst))
                run("spreadsheet-bombs", lambda: check_bombs(server, facts))
                run("sqlmap", lambda: check_sqlmap(port, inst, facts, work, deadline))
                report_tracebacks(server.log_path)
    except Interrupted as exc:
        say(f"\ninterrupted by {exc}: stopping the server and cleaning up")
        return 130
    finally:
        if server is not None:
            server.stop()
        if args.keep:
            say(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return summarise(outcomes, started)


def report_tracebacks(log: Path) -> None:
    """Name the exceptions the server logged during the run (500 answers), most frequent first."""
    try:
        lines = log.read_text(errors="replace").splitlines()
    except OSError:
        return
    ends, inside = Counter(), False
    for line in lines:
        if line.startswith("Traceback (most recent call last)"):
            inside = True
        elif inside and line and not line.startswith((" ", "\t", "The above", "During handling")):
            ends[short(line, 120)] += 1
            inside = False
    if ends:
        say(f"The server logged {sum(ends.values())} traceback(s) (pass --keep to read {log.name}):")
        for text, n in ends.most_common(6):
            detail(f"{n} x {text}")
        say()


def summarise(outcomes: dict[str, Outcome], started: float) -> int:
    failed = [outcomes[n] for n in CHECKS if n in outcomes and not outcomes[n].ok]
    say("== summary")
    for name in CHECKS:
        if name in outcomes:
            o = outcomes[name]
            say(f"  {name:<18} {'ok  ' if o.ok else 'FAIL'} {o.seconds:6.1f} s")
    say(f"SUMMARY: {len(outcomes) - len(failed)} of {len(outcomes)} checks ok, {len(failed)} failed"
        + (f" ({', '.join(o.name for o in failed)})" if failed else "")
        + f"; {time.monotonic() - started:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
