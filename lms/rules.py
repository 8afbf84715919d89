"""Effective-dated rules: "the value of rule X on date D in region R", never a number in code."""

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lms.extensions import db
from lms.models import Region, RuleValue

RULES_FILE = Path(__file__).parent / "data" / "rules.toml"


class RuleMissing(LookupError):
    """No value of the rule is in force for that date and place."""


@dataclass(frozen=True)
class RuleAnswer:
    """A rule value together with the version that produced it, to cite in results."""

    key: str
    value: object
    unit: str | None
    version: str
    tag: str
    valid_from: date
    valid_to: date | None
    scope: str


def rule_at(key: str, on: date, region: Region | None = None) -> RuleAnswer:
    """Return the value of ``key`` in force on ``on`` for ``region``, most local scope first."""
    return RuleTable.load([key]).at(key, on, region)


class RuleTable:
    """Rule values read once into memory; answers exactly as :func:`rule_at` would, without SQL."""

    # A computation over many people (a progress page, a regulator's summary) loads one table and
    # asks it thousands of times instead of querying per person, rule and date.

    def __init__(self, answers: list[RuleAnswer]):
        self._by_key: dict[str, list[RuleAnswer]] = {}
        for answer in answers:
            self._by_key.setdefault(answer.key, []).append(answer)
        self._memo: dict[tuple, RuleAnswer | None] = {}

    @classmethod
    def load(cls, keys: list[str] | None = None) -> "RuleTable":
        """Every rule value (or only those of ``keys``) with its scope, in one query."""
        query = select(RuleValue).options(joinedload(RuleValue.region)).order_by(RuleValue.id)
        if keys is not None:
            query = query.where(RuleValue.key.in_(keys))
        return cls([_answer(value) for value in db.session.scalars(query)])

    def at(self, key: str, on: date, region: Region | None = None) -> RuleAnswer:
        """The value of ``key`` in force on ``on`` for ``region``, most local scope first."""
        token = (key, on, getattr(region, "path", None))
        if token not in self._memo:
            self._memo[token] = self._pick(key, on, region)
        if self._memo[token] is None:
            raise RuleMissing(f"no value of {key} in force on {on.isoformat()}")
        return self._memo[token]

    def _pick(self, key: str, on: date, region: Region | None) -> RuleAnswer | None:
        in_force = [a for a in self._by_key.get(key, ())
                    if a.valid_from <= on and (a.valid_to is None or a.valid_to > on)]
        for scope in [*_scope_chain(region), "national"]:
            for answer in in_force:
                if answer.scope == scope:
                    return answer
        return None


def _scope_chain(region: Region | None) -> list[str]:
    """Codes of the region and its parents, most local first."""
    # Read from the materialised path (/320000/320200/320213/), so no parent needs loading.
    if region is None:
        return []
    return [code for code in reversed(region.path.split("/")) if code]


def _answer(value: RuleValue) -> RuleAnswer:
    return RuleAnswer(
        key=value.key, value=value.value, unit=value.unit, version=value.version, tag=value.tag,
        valid_from=value.valid_from, valid_to=value.valid_to,
        scope=value.region.code if value.region else "national",
    )


def load_rule_file(path: Path = RULES_FILE) -> list[dict]:
    """Parse the rules file into plain dicts, one per rule value."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return data["rule"]


def seed_rules(path: Path = RULES_FILE) -> int:
    """Insert rule values from the file that are not in the database yet; return how many."""
    existing = {(r.key, r.valid_from, r.region_id) for r in db.session.scalars(select(RuleValue))}
    regions = {r.code: r.id for r in db.session.scalars(select(Region))}
    added = 0
    for item in load_rule_file(path):
        region_id = regions.get(item["region"]) if item.get("region") else None
        if (item["key"], item["valid_from"], region_id) in existing:
            continue
        db.session.add(RuleValue(
            key=item["key"], region_id=region_id, valid_from=item["valid_from"],
            valid_to=item.get("valid_to"), value=item["value"], unit=item.get("unit"),
            tag=item["tag"], source=item["source"], version=item["version"],
        ))
        added += 1
    db.session.flush()
    return added
