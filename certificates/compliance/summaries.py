"""Keep the fact rows and the enterprise and region counts current: recompute a person's facts
when their records change or the calendar moves past a fact's next change, and add the difference
to the counts in the same transaction."""

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date

from sqlalchemy import case, delete, func, null, select, update
from sqlalchemy.dialects import postgresql, sqlite

from certificates.compliance.facts import Fact, Inputs, facts_on
from certificates.compliance.models import MEASURES, ComplianceFact, OrgCounts, OrgTotals, RegionCounts
from lms.extensions import db
from lms.models import Organization, Region

#: People per round of queries: keeps IN lists well inside every database's parameter limit.
GROUP_SIZE = 500
_FACT_COLUMNS = ("person_id", "organization_id", "post", "category", "certificate_id", "cover_until",
                 "gap", "assessment_until", "next_change_on")
#: Measures the training job owns; the record-driven refresh leaves them as they are.
TRAINING_MEASURES = ("training_known", "training_behind")
RECORD_MEASURES = tuple(m for m in MEASURES if m not in TRAINING_MEASURES)


def _insert(dialect: str):
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def refresh_people(person_ids: Iterable[int], today: date) -> int:
    """Recompute the facts of these people on ``today`` and move the counts by the difference;
    the caller commits. Returns the number of fact rows written or removed."""
    ids = sorted(set(person_ids))
    changed = 0
    for start in range(0, len(ids), GROUP_SIZE):
        group = ids[start:start + GROUP_SIZE]
        inputs = Inputs.load(group)
        changed += _store(facts_on(inputs, today), today, ComplianceFact.person_id.in_(group))
    return changed


def refresh_organization(organization_id: int, today: date, old_place: tuple | None = None) -> int:
    """Recompute every fact of one enterprise (its region, industry or high-risk flag changed from
    ``old_place``: (region_id, industry, is_high_risk) its region counts were kept under)."""
    if old_place is not None:
        _move_region_counts(organization_id, old_place)
        path = db.session.scalar(select(Region.path).join(Organization, Organization.region_id == Region.id)
                                 .where(Organization.id == organization_id))
        db.session.execute(update(OrgTotals).where(OrgTotals.organization_id == organization_id)
                           .values(region_path=path))
    inputs = Inputs.load(organization_id=organization_id)
    old_people = set(db.session.scalars(select(ComplianceFact.person_id).where(
        ComplianceFact.organization_id == organization_id)))
    return refresh_people(old_people | {e.person_id for e in inputs.employments}, today)


def _move_region_counts(organization_id: int, old_place: tuple) -> None:
    """Take the enterprise's kept sums out of the region rows of its old place and add them to
    those of its new one; the facts themselves only change where the high-risk flag counts."""
    own = {(r.post, r.category): Counter({m: getattr(r, m) for m in MEASURES})
           for r in db.session.scalars(select(OrgCounts).where(OrgCounts.organization_id == organization_id))}
    new_place = tuple(db.session.execute(select(Organization.region_id, Organization.industry,
                                                Organization.is_high_risk)
                                         .where(Organization.id == organization_id)).one())
    if not own or new_place == tuple(old_place):
        return
    moves: dict[tuple, Counter] = defaultdict(Counter)
    for (region_id, industry, high_risk), sign in ((old_place, -1), (new_place, +1)):
        path = db.session.scalar(select(Region.path).where(Region.id == region_id))
        codes = path.strip("/").split("/")
        for rid in db.session.scalars(select(Region.id).where(Region.code.in_(codes))):
            for (post, category), counter in own.items():
                key = (rid, industry or "", bool(high_risk), post, category)
                for name, value in counter.items():
                    moves[key][name] += sign * value
    dialect = db.session.get_bind().dialect.name
    _upsert_add(dialect, RegionCounts, ("region_id", "industry", "high_risk", "post", "category"),
                {k: c for k, c in moves.items() if any(c.values())})


def _key(row) -> tuple:
    return (row.organization_id, row.post, row.category)


def _store(facts: list[Fact], today: date, scope) -> int:
    """Replace the stored facts within ``scope`` by ``facts`` and apply the count deltas."""
    stored = {row.employment_id: row for row in db.session.execute(
        select(ComplianceFact.__table__).where(scope))}
    delta: dict[tuple, Counter] = defaultdict(Counter)
    written = 0
    for fact in facts:
        old = stored.pop(fact.employment_id, None)
        if old is not None and _same(old, fact):
            continue
        moved = old is not None and _key(old) != _key(fact)
        if old is not None:
            # A fact keeps its training figures unless it moves to another enterprise, post or
            # category: then the old key loses them and the training job works them out again.
            _shift(delta, _key(old), old, MEASURES if moved else RECORD_MEASURES, -1)
        _shift(delta, _key(fact), fact.measures, RECORD_MEASURES, +1)
        _write(fact, old, today, moved)
        written += 1
    for gone in stored.values():  # employments deleted since
        _shift(delta, _key(gone), gone, MEASURES, -1)
        db.session.execute(delete(ComplianceFact).where(ComplianceFact.employment_id == gone.employment_id))
        written += 1
    apply_deltas(delta)
    return written


def _same(old, fact: Fact) -> bool:
    return (all(getattr(old, c) == getattr(fact, c) for c in _FACT_COLUMNS)
            and all(getattr(old, m) == fact.measures[m] for m in RECORD_MEASURES))


def _shift(delta: dict, key: tuple, values, names: Iterable[str], sign: int) -> None:
    read = values.get if isinstance(values, dict) else (lambda n: getattr(values, n))
    for name in names:
        delta[key][name] += sign * read(name)


def _write(fact: Fact, old, today: date, moved: bool) -> None:
    values = ({c: getattr(fact, c) for c in _FACT_COLUMNS} | dict(fact.measures)
              | {"computed_on": today, "training_checked_on": None})
    if old is None or moved:
        values |= {"training_known": 0, "training_behind": 0, "behind_hours": None}
    if old is None:
        db.session.execute(ComplianceFact.__table__.insert().values(employment_id=fact.employment_id,
                                                                    **values))
    else:
        db.session.execute(update(ComplianceFact.__table__).where(
            ComplianceFact.employment_id == fact.employment_id).values(**values))


def apply_deltas(delta: dict[tuple, Counter]) -> None:
    """Add the differences to the enterprise rows and to the rows of every region above them.

    Keys are written in sorted order so two transactions moving the same rows never wait on
    each other in a circle.
    """
    delta = {k: c for k, c in delta.items() if any(c.values())}
    if not delta:
        return
    dialect = db.session.get_bind().dialect.name
    _upsert_add(dialect, OrgCounts, ("organization_id", "post", "category"), delta)
    _upsert_add(dialect, RegionCounts, ("region_id", "industry", "high_risk", "post", "category"),
                _region_deltas(delta))
    _add_totals(dialect, delta)


def _add_totals(dialect: str, delta: dict[tuple, Counter]) -> None:
    """Add the differences to each enterprise's one-row total and rank it again."""
    by_org: dict[int, Counter] = defaultdict(Counter)
    for (org_id, _post, _category), counter in delta.items():
        by_org[org_id].update(counter)
    paths = dict(db.session.execute(select(Organization.id, Region.path).join(
        Region, Region.id == Organization.region_id).where(Organization.id.in_(sorted(by_org)))).all())
    table = OrgTotals.__table__
    for org_id in sorted(by_org):
        counter = by_org[org_id]
        values = {m: counter.get(m, 0) for m in MEASURES}
        insert = _insert(dialect)(table).values(organization_id=org_id, region_path=paths[org_id], **values,
                                               rate_key=rate_key(values["certified"], values["key_on_job"]),
                                               shortfall=values["key_on_job"] - values["certified"])
        certified = table.c.certified + insert.excluded.certified
        key_posts = table.c.key_on_job + insert.excluded.key_on_job
        db.session.execute(insert.on_conflict_do_update(
            index_elements=["organization_id"],
            set_={m: table.c[m] + insert.excluded[m] for m in MEASURES}
            | {"region_path": insert.excluded.region_path, "shortfall": key_posts - certified,
               "rate_key": case((key_posts > 0, certified * RATE_SCALE // key_posts), else_=null())}))


#: rate_key is the certified-on-the-job rate in hundredths of a percent (integer division).
RATE_SCALE = 10000


def rate_key(certified: int, key_posts: int) -> int | None:
    """The rank of an enterprise's rate as kept in rate_key (None without key-post staff)."""
    return certified * RATE_SCALE // key_posts if key_posts > 0 else None


def rebuild_totals() -> None:
    """Work every enterprise's total out again from its count rows (after a bulk rebuild)."""
    db.session.execute(delete(OrgTotals))
    sums = {row.organization_id: row for row in db.session.execute(
        select(OrgCounts.organization_id, *[func.sum(getattr(OrgCounts, m)).label(m) for m in MEASURES])
        .group_by(OrgCounts.organization_id))}
    paths = dict(db.session.execute(select(Organization.id, Region.path).join(
        Region, Region.id == Organization.region_id)).all())
    rows = []
    for org_id, row in sums.items():
        values = {m: int(getattr(row, m) or 0) for m in MEASURES}
        rows.append(dict(values, organization_id=org_id, region_path=paths[org_id],
                         rate_key=rate_key(values["certified"], values["key_on_job"]),
                         shortfall=values["key_on_job"] - values["certified"]))
    if rows:
        db.session.execute(OrgTotals.__table__.insert(), rows)


def _region_deltas(delta: dict[tuple, Counter]) -> dict[tuple, Counter]:
    return roll_up(delta, Organization.id.in_(sorted({k[0] for k in delta})))


def roll_up(by_org: dict[tuple, Counter], which=None) -> dict[tuple, Counter]:
    """Sums keyed (organization, post, category) -> sums keyed (region, industry, high-risk, post,
    category) for the enterprise's region and every region above it; ``which`` limits the
    enterprises read (a WHERE clause on Organization)."""
    query = (select(Organization.id, Organization.industry, Organization.is_high_risk, Region.path)
             .join(Region, Region.id == Organization.region_id))
    places = {row.id: row for row in db.session.execute(query if which is None else query.where(which))}
    codes = sorted({code for row in places.values() for code in row.path.strip("/").split("/")})
    region_ids = dict(db.session.execute(select(Region.code, Region.id).where(Region.code.in_(codes))).all())
    regions: dict[tuple, Counter] = defaultdict(Counter)
    for (org_id, post, category), counter in by_org.items():
        place = places[org_id]
        slice_key = (place.industry or "", bool(place.is_high_risk), post, category)
        for code in place.path.strip("/").split("/"):
            regions[(region_ids[code], *slice_key)].update(counter)
    return regions


def _upsert_add(dialect: str, model, key_columns: tuple[str, ...], rows: dict[tuple, Counter]) -> None:
    table = model.__table__
    for key in sorted(rows, key=repr):
        counter = rows[key]
        values = dict(zip(key_columns, key, strict=True)) | {m: counter.get(m, 0) for m in MEASURES}
        insert = _insert(dialect)(table).values(**values)
        db.session.execute(insert.on_conflict_do_update(
            index_elements=list(key_columns),
            set_={m: table.c[m] + insert.excluded[m] for m in MEASURES}))


def catch_up(today: date) -> int:
    """Recompute the facts whose figures the calendar has changed by ``today``; the caller commits."""
    done = 0
    while True:
        people = list(db.session.scalars(select(ComplianceFact.person_id).where(
            ComplianceFact.next_change_on <= today).distinct().limit(GROUP_SIZE)))
        if not people:
            return done
        done += refresh_people(people, today)


def needs_catch_up(today: date) -> bool:
    """True when some fact's next change has come (one indexed lookup)."""
    # min() is read from the end of the index whatever the planner's statistics say; a
    # "WHERE next_change_on <= today LIMIT 1" may be planned as a scan of every fact.
    first = db.session.scalar(select(func.min(ComplianceFact.next_change_on)))
    return first is not None and first <= today


def never_built() -> bool:
    """True when employments exist but no fact does: a database upgraded from before the figures."""
    from lms.models import Employment

    return (db.session.scalar(select(ComplianceFact.employment_id).limit(1)) is None
            and db.session.scalar(select(Employment.id).limit(1)) is not None)


def rebuild_all(today: date) -> int:
    """Throw the kept figures away and work every fact out again from the base tables."""
    from certificates.compliance.bulk import rebuild

    return rebuild(today)
