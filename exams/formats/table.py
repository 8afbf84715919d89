"""The Excel template and CSV: one question per row under a header of known column names."""

import re
import string
import unicodedata

from flask_babel import LazyString
from openpyxl.utils import get_column_letter

from exams.formats.common import (
    FALSE_WORDS,
    LETTERS,
    MAX_ITEMS,
    TRUE_WORDS,
    FileError,
    ImportContext,
    ItemError,
    ParseResult,
    build_item,
    clean_options,
    key_from_letters,
    key_true_false,
    qtype_from,
    text_of,
)
from exams.labels import column_label
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
#: Header names accepted per field besides the template's own, as provinces and training bodies
#: write them; the missing-column message lists them. "options" is one cell holding every option.
HEADER_NAMES = {
    "type": ("题型", "试题类型", "题目类型", "Type", "Question type"),
    "stem": ("题干", "题目", "题目内容", "试题内容", "试题", "Stem"),
    "options": ("选项", "题目选项", "备选答案", "Options"),
    "key": ("答案", "正确答案", "题目答案", "参考答案", "标准答案", "Key", "Answer"),
    "explanation": ("解析", "答案解析", "试题解析", "Explanation"),
    "difficulty": ("难度", "难度系数", "难易程度", "Difficulty"),
    "knowledge_point": ("知识点", "章节", "所属章节", "知识点分类", "Knowledge point"),
    "posts": ("适用岗位", "Posts"),
    "operation_codes": ("作业类别", "Operation categories", "Operation codes"),
    "status": ("状态", "Status"),
    "image": ("图片", "Image"),
}
#: Columns a question file cannot do without.
REQUIRED = ("type", "stem", "key")
#: ``ParseResult.columns`` value of a header that is read as nothing (unknown, or a second column
#: for a field already taken); falsy, so templates can test it like a missing field.
IGNORED = ""
#: Words for difficulty that banks use instead of 1-5.
DIFFICULTY_WORDS = {"易": 1, "容易": 1, "较易": 2, "中": 3, "中等": 3, "较难": 4, "难": 5, "困难": 5}

#: Letters an option column or marker may carry: more than LETTERS is read, then refused, so a ninth
#: option is reported instead of silently dropped.
_ALL_LETTERS = string.ascii_uppercase
#: An option column: "A", "选项A", "A选项", "Option A", "选项(A)" (header keys are lower case, no spaces).
_OPTION_HEADER = re.compile(r"(?:选项|option)?\(?([a-z])\)?(?:选项)?")
#: A trailing remark such as "(必填)" or "【选填】" after a header name.
_REMARK = re.compile(r"[(\[【<《][^()\[\]【】<>《》]*[)\]】>》]$")


def _key_of(name: str) -> str:
    """A header name as looked up: half-width, lower case, without spaces or underscores."""
    return re.sub(r"[\s_]+", "", unicodedata.normalize("NFKC", name)).lower()


_FIELD_BY_KEY = {_key_of(name): field for field, names in HEADER_NAMES.items() for name in names} | {
    _key_of(header): field for field, header in COLUMNS} | {_key_of(field): field for field, _h in COLUMNS}


def _lookup(name: str) -> str | None:
    """Field of one header name, or None."""
    key = _key_of(name)
    if key in _FIELD_BY_KEY:
        return _FIELD_BY_KEY[key]
    option = _OPTION_HEADER.fullmatch(key)
    return f"option_{option.group(1).upper()}" if option else None


def _field_for(header) -> str | None:
    """Field a header cell stands for: its name, with or without a remark like "(必填)"."""
    text = unicodedata.normalize("NFKC", text_of(header)).strip(" :*")
    bare = _REMARK.sub("", text).strip(" :*")
    field = _lookup(text) or _lookup(bare)
    if field or " " not in bare:
        return field
    # "题目 Stem": a name and its English name. Not any first word: "题目 ID" is no stem.
    first, rest = bare.split(None, 1)
    return _lookup(first) if _lookup(first) == _lookup(rest) else None


def map_header(header) -> tuple[dict[str, int], dict[str, str]]:
    """Column index per field and each header as found -> its field; FileError when one is missing."""
    fields = [_field_for(cell) for cell in header]
    # A sheet with both 选项A.. columns and one 选项 cell is read by the letter columns.
    by_letter = any(field and field.startswith("option_") for field in fields)
    indexes, found = {}, {}
    for index, (cell, field) in enumerate(zip(header, fields, strict=True)):
        if field in indexes or (field == "options" and by_letter):
            field = None
        if field:
            indexes[field] = index
        text = text_of(cell)
        if text:
            # Two columns may share a header text; the column letter tells them apart.
            found[f"{text} ({get_column_letter(index + 1)})" if text in found else text] = field or IGNORED
    missing = [field for field in REQUIRED if field not in indexes]
    if missing:
        raise FileError(_l("Missing column(s): %(cols)s. Download the template to see the expected "
                           "columns.", cols=LazyString(_missing_columns, tuple(missing))))
    return indexes, found


def _missing_columns(missing: tuple[str, ...]) -> str:
    """'Stem (题干, 题目, …)' per missing field, in the language active when the message is shown."""
    return "; ".join(f"{column_label(field)} ({', '.join(HEADER_NAMES[field])})" for field in missing)


def split_options(text: str) -> list[str]:
    """One cell of every option, "A、甲 B、乙" or one per line, as the option texts in letter order."""
    text = text.strip()
    if not text:
        return []
    spans, position = [], 0
    for marker in _MARKERS:
        found = marker.search(text, position)
        if found is None:
            break
        spans.append(found.span())
        position = found.end()
    if not spans or spans[0][0] != 0:
        raise ItemError(_l("The options must start with option A, written as \"A、\", \"A.\" or \"(A)\"."))
    stops = [start for start, _end in spans[1:]] + [len(text)]
    return [text[end:stop].strip() for (_start, end), stop in zip(spans, stops, strict=True)]


def _marker(letter: str) -> re.Pattern:
    """The mark in front of one option: "A、", "A.", "A:", "A)", "(A)", full-width forms too."""
    either = f"[{letter}{chr(ord(letter) + 0xFEE0)}]"  # Ａ is A + 0xFEE0
    # Only at the start or after a space or line break, so "见图(B)" or "B、C类" inside a text is no mark.
    return re.compile(rf"(?<!\S)(?:[(（]\s*{either}\s*[)）]|{either}\s*[、.．:：)）])")


_MARKERS = [_marker(letter) for letter in _ALL_LETTERS]


def _options(cells: dict) -> list[str]:
    """The row's options, from letter columns or one cell of them all; more than LETTERS is refused."""
    if "options" in cells:
        texts = split_options(text_of(cells["options"]))
    else:
        texts = [text_of(cells.get(f"option_{letter}")) for letter in _ALL_LETTERS]
    if any(texts[len(LETTERS):]):
        raise ItemError(_l("A question may have at most %(n)d options.", n=len(LETTERS)))
    return clean_options(texts[:len(LETTERS)])


def _plain(value) -> str:
    """Cell text with full-width letters, digits and punctuation made half-width: "ＡＢ，" -> "AB,"."""
    return unicodedata.normalize("NFKC", text_of(value))


def _key(qtype: QuestionType, value, options: list[str]) -> list[int]:
    """The key as option indexes; "(√)" and "【AB】" lose their brackets."""
    text = _plain(value).strip(" ()[]【】")
    if qtype is QuestionType.TRUE_FALSE:
        return _true_false_key(text, options)
    return key_from_letters(text, len(options))


def _true_false_key(text: str, options: list[str]) -> list[int]:
    """A true/false key; a letter names the option that says 对 or 错 when the row lists them."""
    index = LETTERS.find(text.upper()) if len(text) == 1 else -1
    # "A" is true on its own, but a row listing "A、错误 B、正确" means option A's word.
    if 0 <= index < len(options) and options[index].lower() in TRUE_WORDS | FALSE_WORDS:
        return key_true_false(options[index])
    return key_true_false(text)


def _difficulty(value):
    """1-5 for a difficulty word such as 较难, else the value as given (build_item checks it)."""
    return DIFFICULTY_WORDS.get(_plain(value), value)


def row_item(ctx: ImportContext, cells: dict) -> dict:
    """Check one row's cells and build the item."""
    qtype = qtype_from(_plain(cells.get("type")))
    options = _options(cells)
    return build_item(ctx, qtype=qtype, stem=text_of(cells.get("stem")), options=options,
                      key=_key(qtype, cells.get("key"), options),
                      explanation=text_of(cells.get("explanation")),
                      knowledge_point=text_of(cells.get("knowledge_point")),
                      difficulty=_difficulty(cells.get("difficulty")), posts=text_of(cells.get("posts")),
                      operation_codes=text_of(cells.get("operation_codes")),
                      status=text_of(cells.get("status")), image=text_of(cells.get("image")))


def parse_rows(rows, ctx: ImportContext, bad_rows: dict[int, str] | None = None) -> ParseResult:
    """Rows (header first) to items; ``bad_rows`` maps row numbers to a reason found earlier."""
    rows = iter(rows)
    header = next(rows, None)
    if header is None:
        raise FileError(_l("The file is empty."))
    columns, found = map_header(header)
    result, bad_rows = ParseResult(columns=found), bad_rows or {}
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

