"""Paper assembly: load a blueprint's candidate pool once, select in memory, freeze in bulk.

Selection is stratified by blueprint cell and driven only by ``random.Random(seed)``, so a paper
can be rebuilt from its seed; option order is shuffled per paper and the key remapped to it.
"""

import hashlib
import json
import random
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, func, select

from exams.models import (
    Blueprint,
    KnowledgePoint,
    Paper,
    PaperItem,
    Question,
    QuestionBank,
    QuestionStatus,
    QuestionVersion,
)
from lms.extensions import db

TYPE_ORDER = {"true_false": 0, "single": 1, "multiple": 2}
#: Half the allowed spread of mean difficulty between parallel forms of one session.
BALANCE_TOLERANCE = 0.05
BALANCE_STEPS = 600
FORM_TRIES = 3


@dataclass(frozen=True, slots=True)
class PoolItem:
    """What selection and freezing need of one published question."""

    qid: int
    qtype: str
    kp_path: str
    difficulty: int
    version_id: int
    n_options: int
    key: tuple[int, ...]


@dataclass(frozen=True)
class CellSpec:
    """A blueprint cell reduced to plain values."""

    qtype: str
    kp_path: str | None
    dmin: int
    dmax: int
    count: int
    points: float

    def accepts(self, item: PoolItem) -> bool:
        """True when the item fits the cell."""
        return (item.qtype == self.qtype and self.dmin <= item.difficulty <= self.dmax
                and (self.kp_path is None or item.kp_path.startswith(self.kp_path)))


class CellShortage(Exception):
    """The bank cannot fill a cell: ``cell`` index, ``need`` questions, ``have`` available."""

    def __init__(self, cell: int, need: int, have: int):
        super().__init__(cell, need, have)
        self.cell, self.need, self.have = cell, need, have


@dataclass
class Pool:
    """Candidates per cell, in a fixed order so selection is reproducible."""

    specs: list[CellSpec]
    cells: list[list[PoolItem]]
    target_mean: float = 0.0
    #: Blueprint settings frozen onto every paper, read once with the pool.
    settings: dict = field(default_factory=dict)


@dataclass
class PaperPlan:
    """A selected paper before freezing."""

    seed: int
    items: list[tuple[PoolItem, float]]
    option_orders: list[list[int]] = field(default_factory=list)
    keys: list[list[int]] = field(default_factory=list)

    @property
    def mean_difficulty(self) -> float:
        """Mean difficulty of the questions."""
        return sum(i.difficulty for i, _p in self.items) / max(1, len(self.items))


def cell_specs(blueprint: Blueprint) -> list[CellSpec]:
    """The blueprint's cells as plain values."""
    return [CellSpec(qtype=c.qtype.value, kp_path=c.knowledge_point.path if c.knowledge_point else None,
                     dmin=c.difficulty_min, dmax=c.difficulty_max, count=c.count,
                     points=float(blueprint.points.get(c.qtype.value, 1))) for c in blueprint.cells]


def applies(blueprint: Blueprint, posts: list, codes: list) -> bool:
    """True when a question tagged with ``posts`` and ``codes`` suits the blueprint's candidates."""
    if blueprint.post and posts and blueprint.post not in posts:
        return False
    code = blueprint.operation_code
    return not (code and codes and code not in codes and code.split(".")[0] not in codes)


def load_pool(blueprint: Blueprint, bank: QuestionBank) -> Pool:
    """One query for every published question of the bank that suits the blueprint."""
    rows = db.session.execute(
        select(Question.id, Question.qtype, KnowledgePoint.path, Question.difficulty,
               QuestionVersion.id, func.json_array_length(QuestionVersion.options), QuestionVersion.key,
               Question.posts,
               Question.operation_codes)
        .join(KnowledgePoint, Question.knowledge_point_id == KnowledgePoint.id)
        .join(QuestionVersion, and_(QuestionVersion.question_id == Question.id,
                                    QuestionVersion.number == Question.version_no))
        .where(Question.bank_id == bank.id, Question.status == QuestionStatus.PUBLISHED)
        .order_by(Question.id)).all()
    items = [PoolItem(qid, qtype.value, path, difficulty, vid, n_options or 0, tuple(key))
             for qid, qtype, path, difficulty, vid, n_options, key, posts, codes in rows
             if applies(blueprint, posts, codes)]
    pool = build_pool(cell_specs(blueprint), items)
    pool.settings = {"blueprint_id": blueprint.id, "bank_id": bank.id,
                     "total_points": blueprint.total_points, "pass_mark": blueprint.pass_mark,
                     "duration_minutes": blueprint.duration_minutes,
                     "partial_credit": blueprint.partial_credit, "rule_versions": blueprint.rule_versions}
    return pool


def build_pool(specs: list[CellSpec], items: list[PoolItem]) -> Pool:
    """Sort the candidates into cells and work out the expected mean difficulty."""
    cells = [[item for item in items if spec.accepts(item)] for spec in specs]
    weighted = [(sum(i.difficulty for i in cell) / len(cell), spec.count)
                for spec, cell in zip(specs, cells, strict=True) if cell]
    total = sum(count for _m, count in weighted)
    target = sum(m * count for m, count in weighted) / total if total else 0.0
    return Pool(specs=specs, cells=cells, target_mean=target)


def shortages(pool: Pool) -> list[CellShortage]:
    """Cells the bank cannot fill, each with how many questions it lacks."""
    found = [CellShortage(i, spec.count, len(cell))
             for i, (spec, cell) in enumerate(zip(pool.specs, pool.cells, strict=True))
             if len(cell) < spec.count]
    if found:
        return found
    try:
        select_items(pool, random.Random(0))
    except CellShortage as exc:  # cells overlap and an earlier cell used the questions up
        return [exc]
    return []


def _pick(rng: random.Random, cands: list[PoolItem], k: int, taken: set[int],
          avoid: frozenset[int]) -> list[PoolItem]:
    """k distinct candidates not taken, preferring those not in ``avoid``; rejection sampling first."""
    chosen, seen = [], set()
    for _ in range(4 * k + 20):
        if len(chosen) == k:
            return chosen
        item = cands[rng.randrange(len(cands))] if cands else None
        if item is None or item.qid in seen or item.qid in taken or item.qid in avoid:
            continue
        seen.add(item.qid)
        chosen.append(item)
    if len(chosen) < k:  # many excluded: take the exact remainder, fresh questions first
        fresh = [c for c in cands if c.qid not in seen and c.qid not in taken and c.qid not in avoid]
        extra = rng.sample(fresh, min(len(fresh), k - len(chosen)))
        chosen += extra
        if len(chosen) < k:
            seen_now = seen | {c.qid for c in extra}
            used = [c for c in cands if c.qid in avoid and c.qid not in seen_now and c.qid not in taken]
            chosen += rng.sample(used, min(len(used), k - len(chosen)))
    return chosen


def select_items(pool: Pool, rng: random.Random, avoid: frozenset[int] = frozenset()
                 ) -> list[list[PoolItem]]:
    """Questions per cell; CellShortage when a cell cannot be filled."""
    taken: set[int] = set()
    picked = []
    for index, (spec, cands) in enumerate(zip(pool.specs, pool.cells, strict=True)):
        chosen = _pick(rng, cands, spec.count, taken, avoid)
        if len(chosen) < spec.count:
            raise CellShortage(index, spec.count, len(chosen))
        taken.update(c.qid for c in chosen)
        picked.append(chosen)
    return picked


def _balance(pool: Pool, picked: list[list[PoolItem]], rng: random.Random, avoid: frozenset[int],
             target: float) -> None:
    """Swap questions within cells until the mean difficulty is within tolerance of ``target``."""
    n = sum(len(c) for c in picked)
    total = sum(i.difficulty for cell in picked for i in cell)
    taken = {i.qid for cell in picked for i in cell}
    live = [i for i, cell in enumerate(picked) if cell and len(pool.cells[i]) > len(cell)]
    for _ in range(BALANCE_STEPS if live else 0):
        gap = total / n - target
        if abs(gap) <= BALANCE_TOLERANCE:
            return
        cell = live[rng.randrange(len(live))]
        slot = rng.randrange(len(picked[cell]))
        out, new = picked[cell][slot], pool.cells[cell][rng.randrange(len(pool.cells[cell]))]
        if new.qid in taken or new.qid in avoid:
            continue
        if abs(gap + (new.difficulty - out.difficulty) / n) < abs(gap):
            picked[cell][slot] = new
            taken.discard(out.qid)
            taken.add(new.qid)
            total += new.difficulty - out.difficulty


def _select(pool: Pool, seed: int, avoid: frozenset[int], target: float | None):
    rng = random.Random(seed)
    picked = select_items(pool, rng, avoid)
    if target is not None:
        _balance(pool, picked, rng, avoid, target)
    items = [(item, spec.points) for spec, cell in zip(pool.specs, picked, strict=True) for item in cell]
    return rng, items


def _finish(seed: int, rng: random.Random, items: list) -> PaperPlan:
    """Order by type (shuffled within) and shuffle each question's options, remapping its key."""
    rng.shuffle(items)
    items.sort(key=lambda pair: TYPE_ORDER[pair[0].qtype])
    plan = PaperPlan(seed=seed, items=items)
    for item, _points in items:
        order = list(range(item.n_options))
        rng.shuffle(order)
        plan.option_orders.append(order)
        plan.keys.append(sorted(order.index(k) for k in item.key) if order else list(item.key))
    return plan


def plan_paper(pool: Pool, seed: int, avoid: frozenset[int] = frozenset(),
               target: float | None = None) -> PaperPlan:
    """Select, optionally balance towards ``target`` mean difficulty, order and shuffle options."""
    rng, items = _select(pool, seed, avoid, target)
    return _finish(seed, rng, items)


def derive_seed(*parts) -> int:
    """A 56-bit seed from any labels (session, candidate, try), stable across runs and machines."""
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:7], "big")


def plan_session(pool: Pool, session_seed, count: int,
                 avoid: list[frozenset[int]] | None = None) -> list[PaperPlan]:
    """Parallel forms: per candidate the best of a few seeded papers, balanced to the pool mean.

    Only the chosen try is finished (ordered, options shuffled); finishing continues the same
    random stream, so ``plan_paper(pool, seed, avoid, pool.target_mean)`` rebuilds it exactly.
    """
    plans = []
    for index in range(count):
        seen = avoid[index] if avoid else frozenset()
        tries = []
        for attempt in range(FORM_TRIES):
            seed = derive_seed(session_seed, index, attempt)
            rng, items = _select(pool, seed, seen, pool.target_mean)
            mean = sum(i.difficulty for i, _p in items) / len(items)
            tries.append((abs(mean - pool.target_mean), seed, rng, items))
        _gap, seed, rng, items = min(tries, key=lambda t: t[0])
        plans.append(_finish(seed, rng, items))
    return plans


def freeze(plans: list[PaperPlan], common: dict, per_paper: list[dict], now: datetime) -> list[int]:
    """Insert the papers and all their items in two bulk statements; return the paper ids."""
    rows = [{**common, **extra, "seed": plan.seed, "mean_difficulty": round(plan.mean_difficulty, 4),
             "form_no": index, "created_at": now}
            for index, (plan, extra) in enumerate(zip(plans, per_paper, strict=True))]
    table = Paper.__table__
    ids = list(db.session.scalars(
        table.insert().returning(table.c.id, sort_by_parameter_order=True), rows))
    rows = [(pid, pos, item.qid, item.version_id, item.qtype, points, _ints(order), _ints(key))
            for pid, plan in zip(ids, plans, strict=True)
            for pos, ((item, points), order, key) in enumerate(
                zip(plan.items, plan.option_orders, plan.keys, strict=True), start=1)]
    _insert_items(rows)
    return ids


ITEM_COLUMNS = ("paper_id", "position", "question_id", "question_version_id", "qtype", "points",
                "option_order", "key")
PLACEHOLDER = {"qmark": "?", "format": "%s", "pyformat": "%s"}


def _ints(values: list[int]) -> str:
    """JSON text of a short list of ints, without the general encoder's per-call cost."""
    return "[" + ",".join(map(str, values)) + "]"


def _insert_items(rows: list[tuple]) -> None:
    """One executemany at driver level: the JSON texts are ready, so SQLAlchemy's per-row
    parameter processing (the larger part of freezing a session's papers) is skipped."""
    connection = db.session.connection()
    mark = PLACEHOLDER.get(connection.dialect.paramstyle)
    if mark is None:  # another driver: let SQLAlchemy do the work
        db.session.execute(PaperItem.__table__.insert(), [
            dict(zip(ITEM_COLUMNS, (*row[:6], json.loads(row[6]), json.loads(row[7])), strict=True))
            for row in rows])
        return
    quote = connection.dialect.identifier_preparer.quote
    columns = ", ".join(quote(c) for c in ITEM_COLUMNS)
    cast = "::json" if connection.dialect.name == "postgresql" else ""
    values = ", ".join([mark] * 6 + [mark + cast] * 2)
    connection.exec_driver_sql(f"INSERT INTO paper_items ({columns}) VALUES ({values})", rows)  # nosec B608  # fixed, quoted column names; values are bound parameters
