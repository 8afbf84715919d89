"""Check a posted DrillResult against the documented shape (simulations/schema, schema_version 1).

The LMS does not import the drill package: this is a small, separate reading of the same contract.
Beyond the schema it only bounds sizes so one request cannot fill the database.
"""

import json
import math
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

DRILLS = ("escape", "extinguisher", "confined-space")
LANGUAGES = ("zh_CN", "en")
MAX_BODY_BYTES = 256 * 1024
#: Deepest nesting of arrays and objects accepted (a drill's details are two or three levels deep).
MAX_DEPTH = 32
MAX_DECISIONS = 500
MAX_TEXT = 4000
MAX_INT = 2**63 - 1
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")

Check = Callable[[Any], str | None]


class PayloadError(ValueError):
    """The body is not a DrillResult; ``problems`` lists (field, problem) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{f}: {p}" for f, p in problems))
        self.problems = problems


class PayloadTooLarge(PayloadError):
    """The body exceeds MAX_BODY_BYTES."""


def _is_int(value: Any) -> bool:
    # JSON Schema counts 3.0 as an integer; booleans are never numbers.
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def text(min_len: int = 0, max_len: int = MAX_TEXT) -> Check:
    """A string of bounded length."""
    def check(value):
        if not isinstance(value, str):
            return "must be a string"
        if not min_len <= len(value) <= max_len:
            return f"must be {min_len} to {max_len} characters long"
        return None
    return check


def integer(minimum: int, maximum: int = MAX_INT) -> Check:
    """An integer in a range."""
    def check(value):
        if not _is_int(value) or not minimum <= value <= maximum:
            return f"must be an integer from {minimum} to {maximum}"
        return None
    return check


def number(minimum: float) -> Check:
    """A finite number at or above ``minimum``."""
    def check(value):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not ok or not math.isfinite(value) or value < minimum or value > 1e9:
            return f"must be a number of at least {minimum}"
        return None
    return check


def one_of(*allowed: Any) -> Check:
    """One of a fixed set of values."""
    def check(value):
        ok = any(value == a and type(value) is type(a) for a in allowed)
        return None if ok else f"must be one of {', '.join(map(str, allowed))}"
    return check


def boolean(value: Any) -> str | None:
    """true or false."""
    return None if isinstance(value, bool) else "must be true or false"


def obj(value: Any) -> str | None:
    """A JSON object."""
    return None if isinstance(value, dict) else "must be an object"


def run_id(value: Any) -> str | None:
    """A lower-case uuid4."""
    return None if isinstance(value, str) and UUID4.match(value) else "must be a uuid4"


def date_time(value: Any) -> str | None:
    """An RFC 3339 date-time with a UTC offset."""
    if not isinstance(value, str) or not DATE_TIME.match(value):
        return "must be a date-time with a time zone, such as 2026-05-01T09:30:00+08:00"
    try:
        datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        return "is not a valid date-time"
    return None


DECISION = {
    "code": text(1, 64), "correct": boolean, "critical": boolean, "t": number(0),
    "points": integer(0, 2**31 - 1), "max_points": integer(0, 2**31 - 1),
    "message_id": text(1), "text": text(1),
}


def decisions(value: Any) -> str | None:
    """A bounded list of judged decisions (checked item by item in ``validate``)."""
    if not isinstance(value, list):
        return "must be a list"
    return None if len(value) <= MAX_DECISIONS else f"must hold at most {MAX_DECISIONS} decisions"


REQUIRED: dict[str, Check] = {
    "schema_version": one_of(1), "drill": one_of(*DRILLS), "version": text(1, 64),
    "seed": integer(0), "run_id": run_id, "started_at": date_time, "duration_s": number(0),
    "score": integer(0, 2**31 - 1), "max_score": integer(1, 2**31 - 1), "passed": boolean,
    "lang": one_of(*LANGUAGES), "outcome": text(1, 64), "outcome_text": text(), "decisions": decisions,
    "details": obj,
}
OPTIONAL: dict[str, Check] = {"org_code": text(0, 64), "class_name": text(0, 128),
                              "participant": text(0, 128)}


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def parse_body(raw: bytes) -> Any:
    """Decode the request body as strict JSON (no NaN or Infinity) nesting at most MAX_DEPTH levels."""
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge([("$", f"the body is larger than {MAX_BODY_BYTES} bytes")])
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise PayloadError([("$", f"the body is not JSON: {exc}")]) from None
    except RecursionError:
        # json.loads recurses once per bracket: a few kilobytes of [[[[ exhaust the stack.
        raise _too_deep() from None
    if _depth(data) > MAX_DEPTH:
        # Nesting the parser survived can still exhaust the stack of whatever serialises it later.
        raise _too_deep()
    return data


def _too_deep() -> PayloadError:
    return PayloadError([("$", f"the body nests more than {MAX_DEPTH} levels deep")])


def _depth(value: Any) -> int:
    """How deeply arrays and objects nest in ``value``, counted without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is not None:
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in children)
    return deepest


def problems_of(data: Any) -> list[tuple[str, str]]:
    """Every way ``data`` departs from the DrillResult shape; empty when it is valid."""
    if not isinstance(data, dict):
        return [("$", "must be a JSON object")]
    problems = [(k, "is required") for k in REQUIRED if k not in data]
    problems += [(k, "is not a DrillResult field") for k in data if k not in REQUIRED | OPTIONAL]
    for key, check in (REQUIRED | OPTIONAL).items():
        if key in data and (problem := check(data[key])):
            problems.append((key, problem))
    if isinstance(data.get("decisions"), list):
        for i, item in enumerate(data["decisions"][:MAX_DECISIONS]):
            problems += _decision_problems(item, f"decisions[{i}]")
    return problems


def _decision_problems(item: Any, where: str) -> list[tuple[str, str]]:
    if not isinstance(item, dict):
        return [(where, "must be an object")]
    problems = [(f"{where}.{k}", "is required") for k in DECISION if k not in item]
    problems += [(f"{where}.{k}", "is not a decision field") for k in item if k not in DECISION]
    for key, check in DECISION.items():
        if key in item and (problem := check(item[key])):
            problems.append((f"{where}.{key}", problem))
    return problems


def validate(data: Any) -> dict[str, Any]:
    """Return the payload when it is a valid DrillResult, else raise PayloadError."""
    problems = problems_of(data)
    if problems:
        raise PayloadError(problems)
    return data
