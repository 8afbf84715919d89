"""Effective-dated rules: "the value of rule X on date D in region R", never a number in code."""

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import or_, select

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
    candidates = db.session.scalars(
        select(RuleValue).where(
            RuleValue.key == key,
            RuleValue.valid_from <= on,
            or_(RuleValue.valid_to.is_(None), RuleValue.valid_to > on),
        )
    ).all()
    for scope_region in [*_region_chain(region), None]:
        for value in candidates:
            if value.region_id == getattr(scope_region, "id", None):
                return _answer(value)
    raise RuleMissing(f"no value of {key} in force on {on.isoformat()}")


def _region_chain(region: Region | None) -> list[Region]:
    chain = []
    while region is not None:
        chain.append(region)
        region = region.parent
    return chain


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
