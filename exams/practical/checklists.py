"""Practical-exam checklists as data (exams/data/practical_checklists.toml): loaded once, checked
whole, and picked by operation sub-type and the exam date.

Pure Python: no Flask, no database. A file that breaks a rule (points not adding up to the full
marks, a duplicate code, a missing name) is refused whole with a message naming the checklist and
the item, never half loaded.
"""

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

CHECKLISTS_FILE = Path(__file__).resolve().parent.parent / "data" / "practical_checklists.toml"
#: Every result is on the 100-point scale of Registration.score (暂行办法 第9条), practical alike.
FULL_MARKS = 100


class ChecklistError(ValueError):
    """The checklist file breaks a rule; the message says which checklist and item."""


@dataclass(frozen=True)
class Item:
    """One scored line of a checklist."""

    code: str
    name_zh: str
    name_en: str
    points: int
    critical: bool
    source: str

    def name(self, locale: str) -> str:
        """The name in the page's language (Chinese unless the page is English)."""
        return self.name_en if locale.startswith("en") else self.name_zh


@dataclass(frozen=True)
class Subject:
    """A subject of the practical (K1..K4) with its items."""

    code: str
    name_zh: str
    name_en: str
    source: str
    items: tuple[Item, ...]

    @property
    def points(self) -> int:
        return sum(i.points for i in self.items)

    def name(self, locale: str) -> str:
        """The name in the page's language."""
        return self.name_en if locale.startswith("en") else self.name_zh


@dataclass(frozen=True)
class Checklist:
    """The practical checklist of one operation sub-type, in one version."""

    code: str
    version: str
    effective_from: date
    source: str
    name_zh: str
    name_en: str
    subjects: tuple[Subject, ...]

    @property
    def items(self) -> list[Item]:
        return [i for s in self.subjects for i in s.items]

    def item(self, code: str) -> Item | None:
        """The item with this code, or None."""
        return next((i for i in self.items if i.code == code), None)

    def name(self, locale: str) -> str:
        """The name in the page's language."""
        return self.name_en if locale.startswith("en") else self.name_zh


def _text(entry: dict, key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ChecklistError(f"{where}: '{key}' is missing or empty")
    return value.strip()


def _item(entry: dict, where: str) -> Item:
    code = _text(entry, "code", where)
    where = f"{where} item {code}"
    points = entry.get("points")
    if isinstance(points, bool) or not isinstance(points, int) or points <= 0:
        raise ChecklistError(f"{where}: 'points' must be a whole number above 0, not {points!r}")
    critical = entry.get("critical", False)
    if not isinstance(critical, bool):
        raise ChecklistError(f"{where}: 'critical' must be true or false")
    return Item(code, _text(entry, "name_zh", where), _text(entry, "name_en", where), points, critical,
                _text(entry, "source", where))


def _subject(entry: dict, where: str) -> Subject:
    code = _text(entry, "code", where)
    where = f"{where} subject {code}"
    items = tuple(_item(i, where) for i in entry.get("item", []))
    if not items:
        raise ChecklistError(f"{where}: no items")
    return Subject(code, _text(entry, "name_zh", where), _text(entry, "name_en", where),
                   _text(entry, "source", where), items)


def _checklist(entry: dict) -> Checklist:
    code = _text(entry, "code", "checklist")
    where = f"checklist {code}"
    version = _text(entry, "version", where)
    where = f"checklist {code} version {version}"
    effective = entry.get("effective_from")
    if not isinstance(effective, date):
        raise ChecklistError(f"{where}: 'effective_from' must be a date (YYYY-MM-DD)")
    subjects = tuple(_subject(s, where) for s in entry.get("subject", []))
    if not subjects:
        raise ChecklistError(f"{where}: no subjects")
    found = Checklist(code, version, effective, _text(entry, "source", where), _text(entry, "name_zh", where),
                      _text(entry, "name_en", where), subjects)
    codes = [s.code for s in subjects] + [i.code for i in found.items]
    doubles = sorted({c for c in codes if codes.count(c) > 1})
    if doubles:
        raise ChecklistError(f"{where}: codes used twice: {', '.join(doubles)}")
    total = sum(i.points for i in found.items)
    if total != FULL_MARKS:
        raise ChecklistError(f"{where}: the items add up to {total} points, not {FULL_MARKS}")
    return found


def parse_checklists(text: str) -> dict[str, list[Checklist]]:
    """Checklists by sub-type code, oldest version first; ChecklistError for a broken file."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ChecklistError(f"not valid TOML: {exc}") from exc
    found: dict[str, list[Checklist]] = {}
    for entry in data.get("checklist", []):
        checklist = _checklist(entry)
        versions = found.setdefault(checklist.code, [])
        if any(c.version == checklist.version or c.effective_from == checklist.effective_from
               for c in versions):
            raise ChecklistError(f"checklist {checklist.code}: version {checklist.version} or its date "
                                 "is given twice")
        versions.append(checklist)
    if not found:
        raise ChecklistError("the file holds no [[checklist]]")
    for versions in found.values():
        versions.sort(key=lambda c: c.effective_from)
    return found


def load_checklists(path: Path = CHECKLISTS_FILE) -> dict[str, list[Checklist]]:
    """Read and check the checklist file at ``path``."""
    return parse_checklists(path.read_text(encoding="utf-8"))


@cache
def _shipped() -> dict[str, list[Checklist]]:
    return load_checklists()


def checklist_for(subtype: str | None, on: date) -> Checklist | None:
    """The version in force on ``on`` of the sub-type's checklist, or None when there is none."""
    in_force = [c for c in _shipped().get(subtype or "", []) if c.effective_from <= on]
    return in_force[-1] if in_force else None


def checklist_version(code: str, version: str) -> Checklist | None:
    """A sheet's checklist exactly as it was scored (code and version), or None."""
    return next((c for c in _shipped().get(code, []) if c.version == version), None)
