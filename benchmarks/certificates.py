"""Benchmark certificate PDFs: single certificates per second, and one print PDF of many.

Run from the repository root:  .venv/bin/python benchmarks/certificates.py [--certificates 10000]
Builds its own database, file store and signing key in a temporary folder: N issued
special-operations certificates of N holders, each with a distinct photo (phone-sized JPEG; every
fifth a PNG). Measures single certificates (photo, signed QR, CJK font subset) rendered one after
another on one core, then one print PDF of all N with render_batch on the usable cores (--workers):
time, the peak resident memory of each process, and the peak PSS of the whole process tree (the
workers' shared pages counted once). Targets: >= 100 single PDFs per second on one core; 10,000 in
one print PDF <= 45 s on 2 cores, <= 500 MB. Not a test: it prints figures and never fails.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import resource
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _photo(rng: random.Random, index: int) -> bytes:
    """A distinct 600 x 800 portrait-like picture, as a phone or a scanner would hand it over."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 800), (rng.randrange(180, 240), rng.randrange(200, 240), 245))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randrange(600), rng.randrange(800)
        draw.ellipse((x, y, x + rng.randrange(20, 200), y + rng.randrange(20, 200)),
                     fill=tuple(rng.randrange(256) for _ in range(3)))
    draw.ellipse((180, 140, 420, 440), fill=(90, 80, 70))
    out = io.BytesIO()
    image.save(out, "PNG" if index % 5 == 0 else "JPEG", quality=90)
    return out.getvalue()


def _peak_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest finished child."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def _pss_mb(pid: int) -> float:
    """Proportional set size of a process: its own pages plus its share of shared ones."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _tree() -> list[int]:
    """This process and its children (the batch's worker processes)."""
    me = os.getpid()
    pids = [me]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    if int(fh.read().rsplit(")", 1)[1].split()[1]) == me:
                        pids.append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    return pids


class TreeMemory(threading.Thread):
    """Samples the summed PSS of this process and its workers; keeps the peak."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak, self.done = 0.0, threading.Event()

    def run(self):
        while not self.done.wait(0.25):
            self.peak = max(self.peak, sum(_pss_mb(pid) for pid in _tree()))


def build(n: int) -> list[int]:
    """Create the schema and N issued certificates with photos; return their ids."""
    from sqlalchemy import insert, select

    from certificates.models import Certificate, CertificateStatus, CertificateType
    from exams.centres.photos import save_photo
    from lms.extensions import db
    from lms.idcard import check_digit
    from lms.models import Person
    from lms.regions import seed_regions
    from lms.rules import seed_rules

    rng = random.Random(20261129)
    db.create_all()
    seed_regions()
    seed_rules()
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗欧"
    given = "安平国强建军明华伟芳敏静丽军磊洋勇艳杰娟涛超"
    people, certs = [], []
    subtypes = ["1.1", "1.2", "2.1", "3.1", "4.1", "5.1", "6.1", "7.1", "8.1", "9.1"]
    for i in range(n):
        born = date(1970 + i % 30, 1 + i % 12, 1 + i % 28)
        first17 = f"320213{born:%Y%m%d}{i % 1000:03d}"
        id_number = first17 + check_digit(first17)
        people.append({"id": i + 1, "id_number": id_number, "birth_date": born,
                       "name": rng.choice(surnames) + rng.choice(given) + rng.choice(given),
                       "photo_digest": save_photo(io.BytesIO(_photo(rng, i)))})
        sub = subtypes[i % len(subtypes)]
        issued = date(2024, 1 + i % 12, 1 + i % 28)
        certs.append({"id": i + 1, "cert_type": CertificateType.SPECIAL_OPS,
                      "status": CertificateStatus.ISSUED, "number": "T" + id_number,
                      "person_id": i + 1, "post": "special_operations",
                      "operation_category": sub.split(".")[0], "operation_subtype": sub,
                      "pass_key": f"bench:{i}", "issued_on": issued,
                      "expires_on": date(issued.year + 6, issued.month, issued.day),
                      "next_review_on": date(issued.year + 3, issued.month, issued.day),
                      "issuing_authority": "无锡市应急管理局", "reissue_count": int(i % 7 == 0),
                      "rule_versions": {}})
    db.session.execute(insert(Person), people)
    db.session.execute(insert(Certificate), certs)
    db.session.commit()
    return list(db.session.scalars(select(Certificate.id).order_by(Certificate.id)))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--certificates", type=int, default=10_000)
    parser.add_argument("--singles", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-certificates-") as tmp:
        os.environ["LMS_INSTANCE_PATH"] = str(Path(tmp) / "instance")
        from sqlalchemy import select
        from sqlalchemy.orm import selectinload

        from certificates import signing
        from certificates.models import Certificate
        from certificates.pdf import render_certificate
        from certificates.pdf_batch import render_batch
        from lms import create_app
        from lms.extensions import db

        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db", "SECRET_KEY": "bench",
                          "TESTING": True, "CERTIFICATE_VERIFY_URL": "https://lms.example.gov.cn/verify/"})
        with app.test_request_context():
            started = time.perf_counter()
            ids = build(args.certificates)
            rows.append((f"build {len(ids)} certificates with distinct photos",
                         f"{time.perf_counter() - started:8.2f} s"))
            signing.current_key_id()
            db.session.expunge_all()

            # Single downloads: each a fresh record, photo and QR (nothing repeats but the labels).
            singles = list(db.session.scalars(select(Certificate).where(Certificate.id.in_(
                ids[-args.singles:])).options(selectinload(Certificate.person),
                                              selectinload(Certificate.events))))
            render_certificate(singles[0])  # font registration and first-use costs
            started, cpu = time.perf_counter(), time.process_time()
            sizes = [len(render_certificate(c)) for c in singles[1:]]
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            rows.append(("single PDFs with photo, QR, CJK subset, one core [target >= 100/s]",
                         f"{len(sizes) / elapsed:8.1f} /s"))
            rows.append(("  the same by CPU time (the machine may be shared)", f"{len(sizes) / cpu:8.1f} /s"))
            rows.append(("  mean time per single PDF", f"{elapsed / len(sizes) * 1000:8.2f} ms"))
            again = time.process_time()
            for c in singles[1:]:
                render_certificate(c)
            rows.append(("single PDFs again (photos cached), by CPU time",
                         f"{len(sizes) / (time.process_time() - again):8.1f} /s"))
            rows.append(("  mean size of a single PDF", f"{sum(sizes) / len(sizes) / 1024:8.1f} KB"))
            db.session.expunge_all()
            del singles

            out = Path(tmp) / "batch.pdf"
            started = time.perf_counter()
            cpu_before = time.process_time()
            sampler = TreeMemory()
            sampler.start()
            count = render_batch(ids, out, workers=args.workers)
            elapsed = time.perf_counter() - started
            sampler.done.set()
            sampler.join()
            own, child = _peak_mb()
            rows.append((f"one print PDF of {count} certificates, {args.workers} worker(s) "
                         "[target <= 45 s]", f"{elapsed:8.2f} s"))
            rows.append(("  main process CPU", f"{time.process_time() - cpu_before:8.2f} s"))
            children = resource.getrusage(resource.RUSAGE_CHILDREN)
            rows.append(("  worker processes CPU", f"{children.ru_utime + children.ru_stime:8.2f} s"))
            rows.append(("  load average during the run (2 cores here)", f"{os.getloadavg()[0]:8.2f}"))
            rows.append(("  PDF size", f"{out.stat().st_size / 2**20:8.1f} MB"))
            rows.append(("  pages (two certificates a page)", f"{-(-count // 2):8d}"))
            rows.append(("peak RSS of the main process", f"{own:8.0f} MB"))
            rows.append(("peak RSS of a worker process", f"{child:8.0f} MB"))
            rows.append(("peak PSS of main + workers together [target <= 500 MB]", f"{sampler.peak:8.0f} MB"))
    width = max(len(r[0]) for r in rows)
    print(f"{'measure'.ljust(width)}  {'value':>11}")
    for name, value in rows:
        print(f"{name.ljust(width)}  {value:>11}")


if __name__ == "__main__":
    main()
