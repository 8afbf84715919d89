"""Benchmark admission tickets: one print-ready PDF for a whole large session, on SQLite.

Run from the repository root:  .venv/bin/python benchmarks/tickets.py [--candidates 2000]
Builds its own database and file store in a temporary folder: one centre with rooms of 50 seats,
one session, N seated candidates of 20 enterprises, a distinct photo (phone-sized JPEG or PNG) for
every fourth. Measures one PDF of all N tickets (two to an A4 page) as the session's batch download
builds it, the process's peak resident memory, and one single ticket. Targets: <= 30 s and <= 500 MB
for 2,000 tickets. Not a test: it prints a table and never fails.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SEATS_PER_ROOM = 50
PHOTO_EVERY = 4


def _photo(rng: random.Random, index: int) -> bytes:
    """A distinct 600 x 800 portrait-like picture, as a phone or a scanner would hand it over."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 800), (rng.randrange(180, 240), rng.randrange(200, 240), 245))
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y = rng.randrange(600), rng.randrange(800)
        draw.ellipse((x, y, x + rng.randrange(20, 200), y + rng.randrange(20, 200)),
                     fill=tuple(rng.randrange(256) for _ in range(3)))
    draw.ellipse((180, 140, 420, 440), fill=(90, 80, 70))
    out = io.BytesIO()
    image.save(out, "PNG" if index % 5 == 0 else "JPEG", quality=90)
    return out.getvalue()


def _rss_mb() -> float:
    """Resident memory of this process now."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(n: int) -> int:
    """Create the schema and the session's N seated candidates; return the session id."""
    from sqlalchemy import insert, select

    from exams.centres.models import (
        ExamSession,
        Registration,
        Room,
        RoomKind,
        Seat,
        SessionKind,
        SessionRoom,
        SessionStatus,
    )
    from exams.centres.photos import save_photo
    from lms.extensions import db
    from lms.idcard import check_digit
    from lms.models import Account, Employment, Organization, OrgKind, Person, Post
    from lms.regions import region_by_code, seed_regions
    from lms.rules import seed_rules

    rng = random.Random(20261215)
    db.create_all()
    seed_regions()
    seed_rules()
    region = region_by_code("320213")
    centre = Organization(name="无锡市安全生产考试中心", code="BENCH-C", kind=OrgKind.EXAM_CENTRE,
                          region=region)
    enterprises = [Organization(name=f"无锡第{i}机械制造有限公司", code=f"BENCH-E{i}",
                                kind=OrgKind.ENTERPRISE, region=region, industry="machinery")
                   for i in range(20)]
    admin = Account(username="bench", display_name="bench", password_hash="x")
    db.session.add_all([centre, admin, *enterprises])
    db.session.flush()
    rooms = [Room(centre=centre, code=f"R{i + 1:02d}", name=f"第{i + 1}考场", kind=RoomKind.THEORY,
                  seats=[Seat(label=f"A{j + 1:02d}", workstation=f"PC-{j + 1:02d}")
                         for j in range(SEATS_PER_ROOM)])
             for i in range(-(-n // SEATS_PER_ROOM))]
    db.session.add_all(rooms)
    session = ExamSession(
        centre=centre, code="WX-20261215-AM-1.2", title="低压电工作业安全技术理论考试（上午场）",
        kind=SessionKind.SPECIAL_OPS_THEORY, post=Post.SPECIAL_OPERATIONS.value, operation_subtype="1.2",
        starts_at=datetime(2026, 12, 15, 1, tzinfo=UTC), ends_at=datetime(2026, 12, 15, 3, tzinfo=UTC),
        registration_closes_at=datetime(2026, 12, 8, tzinfo=UTC), capacity=n, access_code="731946",
        status=SessionStatus.REGISTRATION_CLOSED, seed=1, created_by_id=admin.id)
    session.rooms = [SessionRoom(room=r) for r in rooms]
    db.session.add(session)
    db.session.flush()
    seat_ids = [s.id for r in rooms for s in r.seats][:n]

    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    given = "安平国强建军明华伟芳敏静丽军磊洋勇艳杰娟涛超"
    people, employments, registrations = [], [], []
    for i in range(n):
        first17 = f"320213{date(1970 + i % 30, 1 + i % 12, 1 + i % 28):%Y%m%d}{i % 1000:03d}"
        people.append({"id": i + 1, "id_number": first17 + check_digit(first17),
                       "name": rng.choice(surnames) + rng.choice(given) + rng.choice(given),
                       "birth_date": date(1970 + i % 30, 1 + i % 12, 1 + i % 28)})
    db.session.execute(insert(Person), people)
    for i in range(n):
        employments.append({"id": i + 1, "person_id": i + 1, "organization_id": enterprises[i % 20].id,
                            "post": Post.SPECIAL_OPERATIONS, "start_date": date(2020, 1, 1),
                            "operation_subtype": "1.2", "operation_category": "1"})
    db.session.execute(insert(Employment), employments)
    for i in range(n):
        photo = save_photo(io.BytesIO(_photo(rng, i))) if i % PHOTO_EVERY == 0 else None
        registrations.append({"session_id": session.id, "person_id": i + 1, "employment_id": i + 1,
                              "organization_id": enterprises[i % 20].id,
                              "ticket_number": f"2026121501{i + 1:05d}", "registered_by_id": admin.id,
                              "eligibility": [], "photo_digest": photo, "seat_id": seat_ids[i]})
    db.session.execute(insert(Registration), registrations)
    db.session.commit()
    return db.session.scalar(select(ExamSession.id))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=2000)
    parser.add_argument("--singles", type=int, default=20)
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-tickets-") as tmp:
        os.environ["LMS_INSTANCE_PATH"] = str(Path(tmp) / "instance")
        from sqlalchemy import select

        from exams.centres.models import Registration, RegistrationStatus
        from exams.centres.tickets import ticket_pdf, tickets_pdf
        from lms import create_app
        from lms.extensions import db

        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db", "SECRET_KEY": "bench",
                          "TESTING": True})
        with app.test_request_context():
            started = time.perf_counter()
            session_id = build(args.candidates)
            photos = -(-args.candidates // PHOTO_EVERY)
            rows.append((f"build {args.candidates} seated candidates, {photos} photos",
                         f"{time.perf_counter() - started:8.2f} s"))
            db.session.expunge_all()
            before = _rss_mb()

            # As the session's batch download does it: the registrations in one query, then the PDF.
            started = time.perf_counter()
            registrations = list(db.session.scalars(
                select(Registration).where(Registration.session_id == session_id,
                                           Registration.status == RegistrationStatus.ACTIVE)
                .order_by(Registration.organization_id, Registration.ticket_number)))
            data = tickets_pdf(registrations)
            elapsed = time.perf_counter() - started
            peak = _peak_mb()
            pages = data.count(b"/Type /Page\n") or data.count(b"/Type /Page ")
            rows.append((f"one PDF of {len(registrations)} tickets [target <= 30 s]", f"{elapsed:8.2f} s"))
            rows.append(("  PDF size", f"{len(data) / 2**20:8.2f} MB"))
            rows.append(("  pages (two tickets a page)", f"{pages:8d}"))
            rows.append(("RSS before the PDF", f"{before:8.0f} MB"))
            rows.append(("peak RSS of the process [target <= 500 MB]", f"{peak:8.0f} MB"))
            del data, registrations

            timings = []
            for reg in db.session.scalars(select(Registration).limit(args.singles)):
                started = time.perf_counter()
                ticket_pdf(reg)
                timings.append(time.perf_counter() - started)
            p50 = statistics.median(timings) * 1000
            rows.append((f"one ticket, p50 of {len(timings)}", f"{p50:8.1f} ms"))
    width = max(len(r[0]) for r in rows)
    print(f"{'measure'.ljust(width)}  {'value':>11}")
    for name, value in rows:
        print(f"{name.ljust(width)}  {value:>11}")


if __name__ == "__main__":
    main()
