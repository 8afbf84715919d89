"""Benchmark paper assembly and imports on a fresh SQLite database in a temporary folder.

Run from the repository root:  python benchmarks/bench_exams.py [--questions N] [--papers N]
Measures: loading the candidate pool; assembling and freezing one 100-question paper (p50/p95 over
many papers, pool warm, each paper committed); 500 papers for one session; staging and confirming
a generated 10,000-question .xlsx. Not a test: it prints a table and never fails.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _items(rng: random.Random, n: int, prefix: str, kps: list[str]) -> list[dict]:
    types = ["true_false"] * 6 + ["single"] * 3 + ["multiple"]
    items = []
    for i in range(n):
        qtype = rng.choice(types)
        options = [] if qtype == "true_false" else [f"选项{j}" for j in range(4)]
        key = [rng.randrange(2)] if qtype == "true_false" else (
            [rng.randrange(4)] if qtype == "single" else sorted(rng.sample(range(4), 2)))
        items.append({"qtype": qtype, "stem": f"{prefix}第{i}题：关于安全生产的陈述{rng.random()}",
                      "options": options, "key": key, "explanation": "解析",
                      "difficulty": 1 + rng.randrange(5),
                      "knowledge_point": rng.choice(kps), "posts": [], "operation_codes": [],
                      "status": "published", "image": None})
    return items


def _xlsx(items: list[dict]) -> bytes:
    from openpyxl import Workbook

    from exams.formats.table import COLUMNS, item_row

    book = Workbook()
    book.active.append([h for _f, h in COLUMNS])
    for item in items:
        book.active.append(item_row(item))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f} ms"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=50_000)
    parser.add_argument("--papers", type=int, default=300)
    parser.add_argument("--import-size", type=int, default=10_000)
    args = parser.parse_args(argv)

    from exams.assembly import load_pool
    from exams.demo import add_knowledge_tree
    from exams.demo_content import KNOWLEDGE_TREE
    from exams.models import BankPurpose, QuestionBank
    from exams.services.blueprints import special_ops_theory
    from exams.services.imports import confirm_import, stage_import
    from exams.services.papers import assemble_one, assemble_session
    from exams.services.questions import write_items
    from lms import create_app
    from lms.extensions import db
    from lms.models import Organization, OrgKind
    from lms.regions import region_by_code, seed_regions
    from lms.rules import seed_rules

    rng = random.Random(7)
    now = datetime.now(UTC)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-exams-") as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db", "SECRET_KEY": "bench",
                          "TESTING": True})
        with app.test_request_context():
            db.create_all()
            seed_regions()
            seed_rules()
            add_knowledge_tree()
            centre = Organization(name="考点", code="BENCH1", kind=OrgKind.EXAM_CENTRE,
                                  region=region_by_code("320213"))
            bank = QuestionBank(code="BIG", name="大题库", purpose=BankPurpose.EXAM, organization=centre)
            db.session.add_all([centre, bank])
            db.session.flush()
            kps = [code for code, _n, _p in KNOWLEDGE_TREE]
            started = time.perf_counter()
            for chunk in range(0, args.questions, 5000):
                write_items(bank, _items(rng, min(5000, args.questions - chunk), f"c{chunk}", kps), None, now)
            blueprint = special_ops_theory(centre, "LV", "低压电工理论", "1.2", date.today())
            db.session.commit()
            rows.append((f"bulk insert of {args.questions} questions", _ms(time.perf_counter() - started)))

            started = time.perf_counter()
            pool = load_pool(blueprint, bank)
            rows.append(("load candidate pool (once per session)", _ms(time.perf_counter() - started)))

            timings = []
            for seed in range(args.papers):
                started = time.perf_counter()
                assemble_one(blueprint, bank, seed, now, pool=pool)
                db.session.commit()
                timings.append(time.perf_counter() - started)
            timings.sort()
            p95 = timings[int(len(timings) * 0.95) - 1]
            rows.append((f"assemble+freeze 1 paper, p50 ({args.papers} papers)",
                         _ms(statistics.median(timings))))
            rows.append(("assemble+freeze 1 paper, p95  [target <= 10 ms]", _ms(p95)))

            started = time.perf_counter()
            assemble_session(blueprint, bank, "BENCH-S1", 500, now, None, pool=pool)
            db.session.commit()
            elapsed = time.perf_counter() - started
            rows.append(("500 papers for one session, pool warm [<= 2 s]", _ms(elapsed)))
            started = time.perf_counter()
            assemble_session(blueprint, bank, "BENCH-S2", 500, now, None)
            db.session.commit()
            rows.append(("500 papers incl. loading the pool", _ms(time.perf_counter() - started)))

            data = _xlsx(_items(rng, args.import_size, "导入", kps))
            target = QuestionBank(code="IMP", name="导入", purpose=BankPurpose.EXAM, organization=centre)
            db.session.add(target)
            db.session.commit()
            started = time.perf_counter()

            class Uploader:
                id = None

            staged = stage_import(target, Uploader(), "bank.xlsx", data)
            middle = time.perf_counter()
            confirm_import(staged, None, now)
            db.session.commit()
            done = time.perf_counter()
            rows.append((f"import {args.import_size}-question .xlsx: check", _ms(middle - started)))
            rows.append((f"import {args.import_size}-question .xlsx: total [<= 10 s]", _ms(done - started)))
    width = max(len(r[0]) for r in rows)
    print(f"{'measure'.ljust(width)}  {'time':>11}")
    for name, value in rows:
        print(f"{name.ljust(width)}  {value:>11}")


if __name__ == "__main__":
    main()
