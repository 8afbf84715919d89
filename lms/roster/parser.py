"""Read a roster workbook into checked rows; nothing here touches the database."""

from dataclasses import dataclass, field
from datetime import date, datetime

from lms.catalog import find_subtype_by_name
from lms.i18n import _l
from lms.idcard import InvalidIdNumber, validate_id_number
from lms.labels import post_from_text
from lms.models import Post
from lms.roster.columns import COLUMN_LABELS, MAX_ROWS, REQUIRED, field_for_header
from lms.spreadsheets import SpreadsheetRefused, read_xlsx


class RosterFileError(ValueError):
    """The file as a whole cannot be read as a roster."""


@dataclass
class ParsedRoster:
    """Rows that passed the checks, and one error per rejected row."""

    rows: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)


def read_workbook_rows(data: bytes) -> list[tuple]:
    """The first sheet's rows, or RosterFileError when the file is no workbook or breaks a limit."""
    try:
        return read_xlsx(data, max_rows=MAX_ROWS).rows
    except SpreadsheetRefused as exc:
        raise RosterFileError(exc.args[0]) from None


def parse_roster(data: bytes, *, today: date) -> ParsedRoster:
    """Check every row of a roster workbook and sort rows into valid ones and errors."""
    rows = read_workbook_rows(data)
    if not rows:
        raise RosterFileError(_l("The workbook is empty."))
    columns = _map_header(rows[0])
    result, seen = ParsedRoster(), {}
    for number, values in enumerate(rows[1:], start=2):
        cells = {name: values[i] if i < len(values) else None for name, i in columns.items()}
        if all(v in (None, "") for v in cells.values()):
            continue
        try:
            row = _check_row(cells, today)
            if row["id_number"] in seen:
                raise RowError(_l("ID number repeats row %(row)d.", row=seen[row["id_number"]]))
            seen[row["id_number"]] = number
            result.rows.append({"row": number, **row})
        except RowError as exc:
            result.errors.append({"row": number, "reason": str(exc.args[0])})
    if not result.rows and not result.errors:
        raise RosterFileError(_l("The roster has a header but no rows of people."))
    return result


def _map_header(header: tuple) -> dict[str, int]:
    columns = {}
    for index, cell in enumerate(header):
        name = field_for_header(cell) if cell is not None else None
        if name and name not in columns:
            columns[name] = index
    missing = [str(COLUMN_LABELS[c]) for c in REQUIRED if c not in columns]
    if missing:
        raise RosterFileError(_l("Missing column(s): %(cols)s. Download the template to see the "
                                 "expected columns.", cols=", ".join(missing)))
    return columns


class RowError(ValueError):
    """One row cannot be imported; the message says why."""


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _check_row(cells: dict, today: date) -> dict:
    name = _text(cells.get("name"))
    if not name or len(name) > 64:
        raise RowError(_l("Name is missing or longer than 64 characters."))
    try:
        id_number = validate_id_number(_text(cells.get("id_number")), today=today)
    except InvalidIdNumber as exc:
        raise RowError(_l("ID number %(reason)s.", reason=exc.args[0])) from None
    post = post_from_text(_text(cells.get("post")))
    if post is None:
        raise RowError(_l("Unknown post \"%(value)s\".", value=_text(cells.get("post"))))
    subtype = _check_subtype(post, _text(cells.get("operation_subtype")))
    start = _check_date(cells.get("start_date"), today)
    department = _text(cells.get("department"))[:64] or None
    return {"name": name, "id_number": id_number, "post": post.value, "start_date": start.isoformat(),
            "operation_category": subtype["code"].split(".")[0] if subtype else None,
            "operation_subtype": subtype["code"] if subtype else None, "department": department}


def _check_subtype(post: Post, text: str) -> dict | None:
    if post is not Post.SPECIAL_OPERATIONS:
        if text:
            raise RowError(_l("Only special-operations workers have an operation sub-type."))
        return None
    if not text:
        raise RowError(_l("A special-operations worker needs an operation sub-type."))
    subtype = find_subtype_by_name(text)
    if subtype is None:
        raise RowError(_l("Unknown operation sub-type \"%(value)s\".", value=text))
    return subtype


def _check_date(value, today: date) -> date:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip().replace("/", "-"))
        except ValueError:
            raise RowError(_l("Start date must be a date such as 2024-03-01.")) from None
    if not isinstance(value, date):
        raise RowError(_l("Start date must be a date such as 2024-03-01."))
    if value > today:
        raise RowError(_l("Start date lies in the future."))
    return value
