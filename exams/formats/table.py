"""The Excel template and CSV: one question per row under a header of known column names."""

from exams.formats.common import (
    LETTERS,
    MAX_ITEMS,
    FileError,
    ImportContext,
    ParseResult,
    build_item,
    clean_options,
    key_from_letters,
    key_true_false,
    qtype_from,
    text_of,
)
from exams.models.bank import QuestionType
from lms.i18n import _l
from lms.spreadsheets import MergedRange, SpreadsheetRefused, Table, read_csv, read_xlsx

#: (field, header written in the template and exports); headers are matched loosely on read.
COLUMNS = [
    ("type", "题型 Type"), ("stem", "题干 Stem"),
    *[(f"option_{letter}", f"选项{letter} Option {letter}") for letter in LETTERS],
    ("key", "答案 Key"), ("explanation", "解析 Explanation"),
    ("knowledge_point", "知识点 Knowledge point"), ("difficulty", "难度 Difficulty"),
    ("posts", "适用岗位 Posts"), ("operation_codes", "作业类别 Operation categories"),
    ("status", "状态 Status"), ("image", "图片 Image"),
]
ALIASES = {"题型": "type", "题干": "stem", "答案": "key", "解析": "explanation", "知识点": "knowledge_point",
           "难度": "difficulty", "适用岗位": "posts", "作业类别": "operation_codes", "状态": "status",
           "图片": "image", **{f"选项{letter}": f"option_{letter}" for letter in LETTERS}}
REQUIRED = ("type", "stem", "key")


def _field_for(header) -> str | None:
    words = text_of(header).split()
    if not words:
        return None
    for name, full in COLUMNS:
        if " ".join(words).lower() == full.lower():
            return name
    if words[0] in ALIASES:
        return ALIASES[words[0]]
    english = " ".join(words).lower().replace(" ", "_")
    known = {name for name, _h in COLUMNS} | {f"option_{x.lower()}" for x in LETTERS}
    return english if english in known else None


def map_header(header) -> dict[str, int]:
    """Column index per field; FileError when a required column is missing."""
    columns = {}
    for index, cell in enumerate(header):
        name = _field_for(cell)
        if name:
            columns.setdefault(_canon(name), index)
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        raise FileError(_l("Missing column(s): %(cols)s. Download the template to see the expected "
                           "columns.", cols=", ".join(missing)))
    return columns


def _canon(name: str) -> str:
    if name.startswith("option_"):
        return "option_" + name[-1].upper()
    return name


def row_item(ctx: ImportContext, cells: dict) -> dict:
    """Check one row's cells and build the item."""
    qtype = qtype_from(text_of(cells.get("type")))
    options = clean_options([cells.get(f"option_{letter}") for letter in LETTERS])
    key_text = text_of(cells.get("key"))
    key = key_true_false(key_text) if qtype is QuestionType.TRUE_FALSE else key_from_letters(
        key_text, len(options))
    return build_item(ctx, qtype=qtype, stem=text_of(cells.get("stem")), options=options, key=key,
                      explanation=text_of(cells.get("explanation")),
                      knowledge_point=text_of(cells.get("knowledge_point")),
                      difficulty=cells.get("difficulty"), posts=text_of(cells.get("posts")),
                      operation_codes=text_of(cells.get("operation_codes")),
                      status=text_of(cells.get("status")), image=text_of(cells.get("image")))


def parse_rows(rows, ctx: ImportContext, bad_rows: dict[int, str] | None = None) -> ParseResult:
    """Rows (header first) to items; ``bad_rows`` maps row numbers to a reason found earlier."""
    rows = iter(rows)
    header = next(rows, None)
    if header is None:
        raise FileError(_l("The file is empty."))
    columns = map_header(header)
    result, bad_rows = ParseResult(), bad_rows or {}
    for number, values in enumerate(rows, start=2):
        cells = {name: values[i] if i < len(values) else None for name, i in columns.items()}
        if all(text_of(v) == "" for v in cells.values()):
            continue
        if number in bad_rows:
            result.errors.append({"pos": ["row", number], "reason": bad_rows[number]})
            continue
        result.add(["row", number], lambda cells=cells: row_item(ctx, cells))
    if not result.items and not result.errors:
        raise FileError(_l("The file has a header but no questions."))
    return result


def parse_xlsx(data: bytes, ctx: ImportContext) -> ParseResult:
    """The first sheet of a workbook; rows touched by merged cells are rejected."""
    table = _read(read_xlsx, data)
    return parse_rows(table.rows, ctx, merged_rows(table.merged))


def merged_rows(merged: list[MergedRange]) -> dict[int, str]:
    """Each data row a merged range touches, with the reason it is rejected."""
    reason = str(_l("Merged cells: unmerge them so every question has its own row and cells."))
    bad, filled = {}, 1  # row 1 is the header; ``filled`` is the last row marked so far
    # Sorted by first row, each row is marked once even when many ranges overlap it.
    for merged_range in sorted(merged, key=lambda m: m.min_row):
        for number in range(max(merged_range.min_row, filled + 1), merged_range.max_row + 1):
            bad[number] = reason
        filled = max(filled, merged_range.max_row)
    return bad


def parse_csv(data: bytes, ctx: ImportContext) -> ParseResult:
    """A CSV file with the template's header."""
    table = _read(read_csv, data)
    result = parse_rows(table.rows, ctx)
    result.encoding = table.encoding
    return result


def _read(reader, data: bytes) -> Table:
    """Rows through the shared reader, capped at the largest import; its refusals become FileError."""
    try:
        return reader(data, max_rows=MAX_ITEMS)
    except SpreadsheetRefused as exc:
        raise FileError(exc.args[0]) from None


def item_row(item: dict) -> list:
    """One item as a row of the template (used by exports)."""
    qtype = QuestionType(item["qtype"])
    if qtype is QuestionType.TRUE_FALSE:
        key = "对" if item["key"] == [0] else "错"
    else:
        key = "".join(LETTERS[i] for i in item["key"])
    options = list(item["options"]) + [None] * (len(LETTERS) - len(item["options"]))
    type_word = {"true_false": "判断", "single": "单选", "multiple": "多选"}[qtype.value]
    return [type_word, item["stem"], *options, key, item["explanation"], item["knowledge_point"],
            item["difficulty"], ",".join(item["posts"]), ",".join(item["operation_codes"]),
            item["status"], item.get("image") or None]

