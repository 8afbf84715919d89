"""Helpers of benchmarks/attempts.py: the bare Flask endpoint it compares against, and a small
asyncio HTTP/1.1 client that keeps one browser's cookie per candidate.

The bare endpoint (served by gunicorn exactly like the app: ``_attempt_load:bare_app()``) reads the
same JSON body as POST /exam/attempt/answers, checks its fields, writes it with ONE upsert that keeps
the newer sequence number, commits and answers a small JSON: what any Flask view that stores an
answer must do at least, with no session cookie, CSRF, seat token or attempt check. It uses the
database the app uses (BARE_DATABASE_URL) with the app's SQLite settings (WAL, synchronous=FULL).
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from urllib.parse import urlencode, urlsplit

BARE_TABLE = "bench_bare_answers"


def bare_app():
    """The minimal Flask app: POST /save stores one answer and commits."""
    from flask import Flask, jsonify, request
    from sqlalchemy import create_engine, event, text

    url = os.environ["BARE_DATABASE_URL"]
    engine = create_engine(url, pool_size=8, max_overflow=8)
    if url.startswith("sqlite"):
        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            for pragma in ("journal_mode=WAL", "busy_timeout=5000", "synchronous=FULL"):
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()
    upsert = text(f"INSERT INTO {BARE_TABLE} (item, choice, flagged, seq) "
                  f"VALUES (:item, :choice, :flagged, :seq) "
                  f"ON CONFLICT (item) DO UPDATE SET choice = excluded.choice, flagged = excluded.flagged, "
                  f"seq = excluded.seq WHERE {BARE_TABLE}.seq < excluded.seq")
    app = Flask("bare")

    @app.post("/save")
    def save():
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("item"), int) or not isinstance(
                body.get("seq"), int) or not isinstance(body.get("choice"), list):
            return jsonify(ok=False), 400
        with engine.begin() as conn:
            conn.execute(upsert, {"item": body["item"], "choice": ",".join(map(str, body["choice"])),
                                  "flagged": bool(body.get("flagged")), "seq": body["seq"]})
        return jsonify(ok=True, seq=body["seq"])

    return app


def create_bare_table(url: str) -> None:
    """(Re)create the bare endpoint's table."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"DROP TABLE IF EXISTS {BARE_TABLE}"))
        conn.execute(text(f"CREATE TABLE {BARE_TABLE} (item INTEGER PRIMARY KEY, choice VARCHAR(64), "
                          f"flagged BOOLEAN, seq INTEGER NOT NULL)"))
    engine.dispose()


# --- a browser per candidate -----------------------------------------------------------------------

#: A spike answered late is measured, not cut off: a browser waits this long before giving up.
SPIKE_TIMEOUT = 120

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|data-csrf="([^"]+)"')
SAVE_TICKET = re.compile(r'data-save-ticket="([^"]*)"')


class Browser:
    """One candidate's browser: one keep-alive connection, its session cookie and CSRF token."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        #: The paper page's save ticket, sent in each save's body as the page's script does.
        self.ticket = ""
        self.reader = self.writer = None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    async def request(self, method: str, path: str, form: dict | None = None,
                      timeout: float = 30) -> tuple[int, dict, bytes]:
        """Send one request (a form POST when ``form``), keep the cookies; (status, headers, body)."""
        return await asyncio.wait_for(self._request(method, path, form), timeout)

    async def _request(self, method, path, form):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        body = urlencode(form).encode() if form is not None else b""
        head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}", "Accept-Language: zh-CN"]
        if self.cookies:
            head.append("Cookie: " + self.cookie_header())
        if form is not None:
            head += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        status_line = await self.reader.readuntil(b"\r\n")
        status = int(status_line.split()[1])
        headers: dict[str, str] = {}
        while (line := await self.reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
            headers[name] = value
        if "content-length" in headers:
            data = await self.reader.readexactly(int(headers["content-length"]))
        else:  # chunked answers do not occur here; read to the end
            data = await self.reader.read()
        if headers.get("connection", "").lower() == "close":
            await self.close()
        text = data.decode("utf-8", "replace")
        found = CSRF.search(text)
        if found:
            self.csrf = found.group(1) or found.group(2)
        ticket = SAVE_TICKET.search(text)
        if ticket:
            self.ticket = ticket.group(1)
        return status, headers, data

    async def follow(self, status: int, headers: dict, timeout: float = 30) -> tuple[int, dict, bytes]:
        """Follow one redirect to this server."""
        target = urlsplit(headers["location"])
        return await self.request("GET", target.path + (f"?{target.query}" if target.query else ""),
                                  timeout=timeout)


async def sign_in(port: int, candidate: dict, access_code: str) -> Browser:
    """Sign a candidate in at a seat, as the seat page does; the browser ends on the ready page."""
    browser = Browser(port)
    await browser.request("GET", "/centre/seat")
    status, headers, _ = await browser.request("POST", "/centre/seat", {
        "csrf_token": browser.csrf, "ticket": candidate["ticket"], "id_number": candidate["id_number"],
        "access_code": access_code, "language": "zh_CN"})
    if status != 302 or "/seat/ready" not in headers.get("location", ""):
        raise RuntimeError(f"seat sign-in of {candidate['ticket']} answered {status}")
    status, _h, _b = await browser.request("GET", "/centre/seat/ready")
    if status != 200:
        raise RuntimeError(f"ready page of {candidate['ticket']} answered {status}")
    await browser.close()
    return browser


async def sign_in_all(port: int, candidates: list[dict], access_code: str,
                      parallel: int = 16) -> list[Browser]:
    """Sign every candidate in, ``parallel`` at a time."""
    gate = asyncio.Semaphore(parallel)

    async def one(candidate):
        async with gate:
            return await sign_in(port, candidate, access_code)

    return await asyncio.gather(*(one(c) for c in candidates))


async def start_spike(browsers: list[Browser], window: float) -> list[dict]:
    """Each browser presses start at its moment, spread evenly over ``window`` seconds, on a new
    connection, then loads the paper. Latency counts from the planned moment (so a slow client or a
    full server queue is not hidden) to the last byte of the paper page."""
    began = time.perf_counter() + 0.5
    step = window / max(len(browsers), 1)

    async def one(index: int, browser: Browser) -> dict:
        planned = began + index * step
        await asyncio.sleep(max(0.0, planned - time.perf_counter()))
        row = {"start": None, "page": None, "total": None, "error": None}
        try:
            status, headers, _ = await browser.request("POST", "/exam/start", {"csrf_token": browser.csrf},
                                                       timeout=SPIKE_TIMEOUT)
            row["start"] = time.perf_counter() - planned
            if status != 302 or not headers.get("location", "").endswith("/exam/attempt"):
                row["error"] = f"start {status} -> {headers.get('location')}"
                return row
            mark = time.perf_counter()
            status, _h, body = await browser.follow(status, headers, timeout=SPIKE_TIMEOUT)
            row["page"] = time.perf_counter() - mark
            row["total"] = time.perf_counter() - planned
            if status != 200 or b"data-csrf" not in body:
                row["error"] = f"paper page {status}"
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as error:
            row["error"] = type(error).__name__
        finally:
            await browser.close()
        return row

    return await asyncio.gather(*(one(i, b) for i, b in enumerate(browsers)))
