"""Reference lists shipped as data: industries, the special-operations catalogue, citations."""

import json
from functools import cache
from pathlib import Path

from lms.i18n import current_locale

DATA_DIR = Path(__file__).parent / "data"


@cache
def _load(name: str):
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def industries() -> list[dict]:
    """Industries with their Chinese and English names and high-risk default."""
    return _load("industries.json")


def industry(code: str | None) -> dict | None:
    """One industry by code, or None."""
    return next((i for i in industries() if i["code"] == code), None)


def operation_categories() -> list[dict]:
    """Special-operations categories, each with its sub-types."""
    return _load("operation_categories.json")["categories"]


def operation_category(code: str | None) -> dict | None:
    """One special-operations category by code ("1" .. "10"), or None."""
    return next((c for c in operation_categories() if c["code"] == code), None)


def operation_subtype(code: str | None) -> dict | None:
    """One sub-type by code ("1.2"), or None."""
    for category in operation_categories():
        for sub in category["subtypes"]:
            if sub["code"] == code:
                return sub
    return None


def find_subtype_by_name(name: str) -> dict | None:
    """Look a sub-type up by its code or its Chinese or English name."""
    wanted = name.strip()
    for category in operation_categories():
        for sub in category["subtypes"]:
            if wanted in (sub["code"], sub["zh"], sub["en"]):
                return sub
    return None


def label(entry: dict | None) -> str:
    """Entry name in the active locale."""
    if entry is None:
        return ""
    return entry["en"] if current_locale().startswith("en") else entry["zh"]


def citation(version: str) -> str:
    """A rule version (a legal citation) in the active locale; the Chinese original is authoritative."""
    if current_locale().startswith("en"):
        return _load("citations.json").get(version, version)
    return version
