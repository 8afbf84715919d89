"""Benchmark the courses pages and the heartbeat endpoint at full volume on SQLite.

Run from the repository root:  .venv/bin/python benchmarks/bench_courses.py [--scale 1.0]
Builds its own database in a temporary folder (2,000 courses, 50,000 learners, 500,000 study
records at scale 1), measures server time per page with the Flask test client, then starts
gunicorn (2 workers) on 127.0.0.1 and drives the heartbeat endpoint with wrk: 6,000 learners'
study tickets in turn, so that nearly every beat credits time and writes to the ledger.
Not a test: it prints its figures and never fails.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PASSWORD = "bench-password-1"


def build(db_url: str, scale: float) -> dict:
    """Create the schema and bulk-insert the volumes with SQLAlchemy core."""
    from sqlalchemy import insert, select

    from courses.models import (
        Course,
        CourseModule,
        CourseStatus,
        Enrollment,
        Lesson,
        StudyRecord,
    )
    from lms import create_app
    from lms.auth.passwords import hash_password
    from lms.extensions import db
    from lms.models import Account, Employment, Organization, OrgKind, Person, Post, RoleGrant
    from lms.regions import region_by_code, seed_regions
    from lms.rules import seed_rules

    n_courses, n_people, n_records = int(2000 * scale), int(50000 * scale), int(500000 * scale)
    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": "bench",
                      "PASSWORD_HASH_TIME_COST": 1, "PASSWORD_HASH_MEMORY_KIB": 1024})
    with app.app_context():
        db.create_all()
        seed_regions()
        seed_rules()
        region = region_by_code("320213")
        db.session.commit()
        run = db.session.execute
        orgs = [{"id": i, "kind": OrgKind.ENTERPRISE, "name": f"企业{i}", "code": f"B{i:010d}",
                 "region_id": region.id, "industry": "machinery", "is_high_risk": i % 3 == 0}
                for i in range(1, 501)]
        orgs.append({"id": 501, "kind": OrgKind.EXAM_CENTRE, "name": "考点", "code": "C0000000001",
                     "region_id": region.id, "industry": None, "is_high_risk": False})
        run(insert(Organization), orgs)
        run(insert(Person), [{"id": i, "id_number": f"320213{i:012d}", "name": f"学员{i}",
                              "birth_date": date(1985, 1, 1)} for i in range(1, n_people + 1)])
        posts = [Post.PRINCIPAL, Post.SAFETY_MANAGER, Post.SPECIAL_OPERATIONS, Post.OTHER, Post.OTHER]
        run(insert(Employment), [{"person_id": i, "organization_id": 1 + i % 500,
                                  "post": posts[i % 5], "start_date": date(2015 + i % 10, 3, 1),
                                  "is_on_the_job": True} for i in range(1, n_people + 1)])
        now = datetime.now(UTC)
        run(insert(Course), [{"id": c, "title": f"安全课程{c}", "summary": "课程简介",
                              "catalogue": ["principal", "safety_manager", "special_operations",
                                            "all_staff", "induction", "public"][c % 6].upper(),
                              "owner_org_id": 501 if c % 4 else 1 + c % 500,
                              "status": CourseStatus.PUBLISHED, "created_at": now}
                             for c in range(1, n_courses + 1)])
        run(insert(CourseModule), [{"id": c, "course_id": c, "position": 1, "title": "第一章"}
                                   for c in range(1, n_courses + 1)])
        run(insert(Lesson), [{"id": (c - 1) * 3 + k, "module_id": c, "course_id": c, "position": k,
                              "title": f"第{k}课", "body_md": "## 要点\n\n" + "安全生产。" * 200,
                              "minutes": 45} for c in range(1, n_courses + 1) for k in (1, 2, 3)])
        enrol = [{"id": p * 4 + k - 3, "course_id": 1 + (p * 7 + k * 13) % n_courses,
                  "person_id": p, "organization_id": 1 + p % 500, "assigned_at": now,
                  "source": "ASSIGNED", "due_date": date(now.year, 12, 31)}
                 for p in range(1, n_people + 1) for k in (1, 2, 3, 4)]
        seen, unique = set(), []
        for row in enrol:
            if (row["course_id"], row["person_id"]) not in seen:
                seen.add((row["course_id"], row["person_id"]))
                unique.append(row)
        for start in range(0, len(unique), 50000):
            run(insert(Enrollment), unique[start:start + 50000])
        records = []
        for r in range(n_records):
            row = unique[r % len(unique)]
            course = row["course_id"]
            started = now - timedelta(days=r % 400, minutes=r % 600)
            records.append({"person_id": row["person_id"], "lesson_id": (course - 1) * 3 + 1 + r % 3,
                            "course_id": course, "started_at": started,
                            "ended_at": started + timedelta(seconds=600), "seconds": 600})
            if len(records) == 50000:
                run(insert(StudyRecord), records)
                records = []
        if records:
            run(insert(StudyRecord), records)
        digest = hash_password(PASSWORD)
        learners = [p for p in range(1, n_people + 1, max(1, n_people // 200))][:200]
        for n, person_id in enumerate(learners):
            run(insert(Account).values(id=n + 1, username=f"l{n}", display_name=f"学员{n}",
                                       password_hash=digest, person_id=person_id,
                                       is_active_account=True, created_at=now))
            run(insert(RoleGrant).values(account_id=n + 1, role="learner",
                                         organization_id=1 + person_id % 500, granted_at=now))
        db.session.commit()
        lessons = {}
        for n, person_id in enumerate(learners):
            enrollment_id, course_id = db.session.execute(
                select(Enrollment.id, Enrollment.course_id).where(Enrollment.person_id == person_id)
                .limit(1)).one()
            lessons[f"l{n}"] = (enrollment_id, (course_id - 1) * 3 + 1)
        counts = {"courses": n_courses, "learners": n_people, "study records": n_records,
                  "enrolments": len(unique)}
        db.engine.dispose()
    return {"lessons": lessons, "counts": counts}


def time_pages(db_url: str, lessons: dict, rounds: int) -> dict[str, tuple[float, float]]:
    """p50/p95 server time (ms) of the catalogue, a lesson and "my training"."""
    from lms import create_app
    from lms.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False})
    results = {}
    users = list(lessons)[:20]
    # No app context is held here: each request gets a fresh one, as under a real server.
    clients = {}
    for user in users:
        client = app.test_client()
        assert client.post("/login", data={"username": user, "password": PASSWORD}).status_code == 302
        clients[user] = client
    pages = {"catalogue": lambda u: "/courses/",
             "lesson": lambda u: f"/courses/lessons/{lessons[u][1]}",
             "my training": lambda u: "/courses/mine"}
    for name, url in pages.items():
        samples = []
        for i in range(rounds + 10):
            user = users[i % len(users)]
            started = time.perf_counter()
            response = clients[user].get(url(user))
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (name, response.status_code)
            if i >= 10:  # the first requests warm caches and are not counted
                samples.append(elapsed)
        samples.sort()
        results[name] = (statistics.median(samples), samples[int(len(samples) * 0.95) - 1])
    with app.app_context():
        db.engine.dispose()
    return results


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _beat_request(learner: tuple) -> tuple[dict, str]:
    """Headers and JSON body of one beat, as the lesson page sends it: the ticket, no cookie."""
    import json

    ticket, enrollment, lesson = learner
    body = {"ticket": ticket, "enrollment": enrollment, "lesson": lesson}
    return {"Content-Type": "application/json"}, json.dumps(body)


def _drive(args) -> tuple[int, int, float]:
    """One Python load-generator process: keep-alive connections, a fixed number of beats each."""
    import http.client
    import threading

    port, sessions, beats = args
    ok, errors, lock = [0], [0], threading.Lock()

    def worker(session):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        headers, body = _beat_request(session)
        good = bad = 0
        for _ in range(beats):
            try:
                conn.request("POST", "/courses/study/heartbeat", body=body, headers=headers)
                resp = conn.getresponse()
                resp.read()
                good, bad = (good + 1, bad) if resp.status == 200 else (good, bad + 1)
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.close()
        with lock:
            ok[0] += good
            errors[0] += bad

    threads = [threading.Thread(target=worker, args=(s,)) for s in sessions]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return ok[0], errors[0], time.perf_counter() - started


def python_load(port: int, sessions: list, beats: int) -> dict:
    """Fallback when wrk is absent: two Python processes on the same CPUs as the server."""
    halves = [sessions[0::2], sessions[1::2]]
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        started = time.perf_counter()
        results = pool.map(_drive, [(port, half, beats) for half in halves])
        wall = time.perf_counter() - started
    ok, errors = sum(r[0] for r in results), sum(r[1] for r in results)
    return {"requests": ok + errors, "errors": errors, "rps": (ok + errors) / wall, "p99": None,
            "wrote": None}


#: wrk script: each request sends the next learner's beat (one line per learner in the file
#: "headers<TAB>body"); each thread starts at its own place in the list, so no learner is sent by
#: two threads at once. Non-200 answers are errors; answers crediting time are counted as writes.
WRK_LUA = r"""
-- globals, so done() can read them from each thread with thread:get
beats, n, bad, wrote, offset = {}, 0, 0, 0, 0
function init(args)
  for line in io.lines(args[1]) do
    local head, body = line:match("^(.-)\t(.*)$")
    local headers = {}
    for name, value in head:gmatch("([^|=]+)=([^|]*)") do headers[name] = value end
    beats[#beats + 1] = {headers = headers, body = body}
  end
  n = math.floor(#beats * offset / 2)
end
function request()
  n = n % #beats + 1
  local b = beats[n]
  return wrk.format("POST", "/courses/study/heartbeat", b.headers, b.body)
end
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1
  elseif not body:find('"credited":0', 1, true) then wrote = wrote + 1 end
end
local threads = {}
function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end
function done(summary, latency, requests)
  local total, writes = 0, 0
  for _, t in ipairs(threads) do
    total = total + t:get("bad")
    writes = writes + t:get("wrote")
  end
  io.write(string.format("NON200 %d\nWROTE %d\nP99US %d\n", total, writes, latency:percentile(99)))
end
"""


def wrk_load(wrk: str, tmp: Path, port: int, sessions: list, seconds: int, connections: int) -> dict:
    """Drive the endpoint with wrk (C, little CPU) for ``seconds``: 2 threads, keep-alive connections."""
    script, data = tmp / "beat.lua", tmp / "beats.tsv"
    script.write_text(WRK_LUA)
    lines = []
    for session in sessions:
        headers, body = _beat_request(session)
        lines.append("|".join(f"{k}={v}" for k, v in headers.items()) + "\t" + body)
    data.write_text("\n".join(lines) + "\n")
    out = subprocess.run([wrk, "-t", "2", "-c", str(connections), "-d", f"{seconds}s",
                          "--timeout", "5s", "-s", str(script), f"http://127.0.0.1:{port}", "--",
                          str(data)], capture_output=True, text=True, timeout=seconds + 30).stdout
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    socket_errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return {"requests": requests, "errors": int(re.search(r"NON200 (\d+)", out).group(1)) + socket_errors,
            "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "wrote": int(re.search(r"WROTE (\d+)", out).group(1)),
            "p99": int(re.search(r"P99US (\d+)", out).group(1)) / 1000}


def server_cpu_seconds(master: int) -> float:
    """CPU time used so far by the gunicorn master and its workers (Linux /proc)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        pid, ppid = int(stat.parent.name), int(fields[1])
        if master in (pid, ppid):
            total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def start_server(tmp: Path, db_url: str, worker: str, threads: int,
                 gateway: bool) -> tuple[subprocess.Popen, int]:
    """gunicorn with 2 workers on loopback, once the port answers."""
    port = free_port()
    env = dict(os.environ, LMS_INSTANCE_PATH=str(tmp / "instance"), LMS_SQLALCHEMY_DATABASE_URI=db_url,
               LMS_PASSWORD_HASH_TIME_COST="1", LMS_PASSWORD_HASH_MEMORY_KIB="1024",
               LMS_COURSES_BEAT_GATEWAY="true" if gateway else "false",
               LMS_SECRET_KEY="bench")  # the key ticket_learners() signs with
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen([str(gunicorn), "-w", "2", "-k", worker, "--threads", str(threads),
                               "-b", f"127.0.0.1:{port}", "--log-level", "warning",
                               "lms.app:create_app()"], cwd=ROOT, env=env)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.2)
    _wait_until_booted(server.pid)
    return server, port


def _wait_until_booted(master: int) -> None:
    """Wait until the workers stop using CPU: the master listens before they have imported the app."""
    previous = -1.0
    for _ in range(120):
        time.sleep(0.5)
        used = server_cpu_seconds(master)
        if used - previous < 0.05:
            return
        previous = used


#: (label, gunicorn worker class, threads per worker, beat gateway and group commit on)
SETUPS = [("gthread x4, Flask view, commit per beat", "gthread", 4, False),
          ("gthread x4, gateway (default)", "gthread", 4, True),
          ("gthread x8, gateway", "gthread", 8, True),
          ("gthread x1, gateway", "gthread", 1, True),
          ("sync, gateway (no keep-alive)", "sync", 1, True)]


def ticket_learners(db_url: str, count: int) -> list[tuple]:
    """Beat sessions for ``count`` learners: the ticket each one's lesson page would embed.

    Signed here with the server's key rather than fetched page by page, so that thousands of
    learners take seconds to prepare. Each learner studies the first lesson of one enrolment.
    """
    from sqlalchemy import func, select

    from courses.models import Enrollment
    from courses.tickets import issue_ticket
    from lms import create_app
    from lms.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": "bench"})
    with app.app_context():
        first = (select(func.min(Enrollment.id)).group_by(Enrollment.person_id)
                 .order_by(Enrollment.person_id).limit(count))
        rows = db.session.execute(select(Enrollment.id, Enrollment.person_id, Enrollment.course_id)
                                  .where(Enrollment.id.in_(first))).all()
        sessions = [(issue_ticket(person, enrollment), enrollment, (course - 1) * 3 + 1)
                    for enrollment, person, course in rows]
        db.engine.dispose()
    return sessions


def heartbeat_load(tmp: Path, db_url: str, args) -> list[tuple]:
    """Measure heartbeat requests per second for each server setup, one after the other."""
    import shutil

    wrk = shutil.which("wrk")
    if wrk is None:
        print("NOTE: wrk not found (apt-get install wrk): falling back to the Python load generator,"
              " which competes with the server for the same CPUs, so figures are lower bounds.")
    ticket_sessions = ticket_learners(db_url, args.learners)
    rows = []
    for label, worker, threads, gateway in SETUPS:
        server, port = start_server(tmp, db_url, worker, threads, gateway)
        try:
            if wrk:  # not counted: opens most learners' records and warms the workers' caches
                wrk_load(wrk, tmp, port, ticket_sessions, args.warmup, args.connections)
            cpu = server_cpu_seconds(server.pid)
            load = (wrk_load(wrk, tmp, port, ticket_sessions, args.seconds, args.connections)
                    if wrk else python_load(port, ticket_sessions[:args.connections], args.beats))
            # Server CPU per beat does not depend on what else runs on the machine, unlike req/s.
            load["cpu_ms"] = (server_cpu_seconds(server.pid) - cpu) * 1000 / max(load["requests"], 1)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=20)
        rows.append((label, load))
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the stated volumes")
    parser.add_argument("--rounds", type=int, default=300, help="requests per page")
    parser.add_argument("--beats", type=int, default=400,
                        help="heartbeats per simulated learner (Python load generator only)")
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--warmup", type=int, default=4, help="seconds of beats before each wrk run")
    parser.add_argument("--connections", type=int, default=32, help="keep-alive connections")
    parser.add_argument("--learners", type=int, default=6000,
                        help="learners sending ticket beats (enough that each one beats at most "
                             "about once a second, so nearly every beat credits time and writes)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-courses-") as tmp_name:
        tmp = Path(tmp_name)
        os.environ["LMS_INSTANCE_PATH"] = str(tmp / "instance")
        db_url = f"sqlite:///{tmp / 'bench.db'}"
        started = time.perf_counter()
        built = build(db_url, args.scale)
        print(f"built {built['counts']} in {time.perf_counter() - started:.0f} s "
              f"({(tmp / 'bench.db').stat().st_size / 1e6:.0f} MB SQLite)")
        print(f"{'page':<14}{'p50 ms':>9}{'p95 ms':>9}  target p95 <= 50 ms")
        for name, (p50, p95) in time_pages(db_url, built["lessons"], args.rounds).items():
            print(f"{name:<14}{p50:>9.1f}{p95:>9.1f}  {'ok' if p95 <= 50 else 'MISSED'}")
        rows = heartbeat_load(tmp, db_url, args)
        print(f"heartbeat, gunicorn 2 workers on {os.cpu_count()} CPUs, {args.connections} connections, "
              f"beats with study tickets from {args.learners} learners, SQLite synchronous=FULL "
              f"(load generator: {'wrk' if rows and rows[0][1]['p99'] is not None else 'Python'})")
        print(f"{'server setup':<40}{'requests':>9}{'req/s':>8}{'errors':>7}{'writes':>7}{'p99 ms':>8}"
              f"{'x row1':>7}{'CPU ms/req':>11}{'2-core cap':>11}  target >= 1500/s, 0 errors")
        base = rows[0][1]["rps"] if rows else 1
        for label, load in rows:
            p99 = f"{load['p99']:.1f}" if load["p99"] is not None else "-"
            verdict = "ok" if load["rps"] >= 1500 and not load["errors"] else "MISSED"
            cap = 2000 / load["cpu_ms"] if load["cpu_ms"] else 0
            writes = (f"{100 * load['wrote'] / max(load['requests'], 1):.0f}%"
                      if load["wrote"] is not None else "-")
            print(f"{label:<40}{load['requests']:>9}{load['rps']:>8.0f}{load['errors']:>7}{writes:>7}{p99:>8}"
                  f"{load['rps'] / base:>7.1f}{load['cpu_ms']:>11.2f}{cap:>11.0f}  {verdict}")
        print("writes: beats that credited time (an UPDATE and a commit); CPU ms/req: gunicorn CPU time "
              "per beat; 2-core cap: 2,000 ms / that, the rate two cores wholly given to the server "
              "could sustain.")

if __name__ == "__main__":
    main()
