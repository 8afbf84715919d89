"""Checking one raw item into a clean question dict, and dispatch to the format parsers.

An item is a JSON-ready dict: qtype, stem, options, key (option indexes), explanation,
knowledge_point (code), difficulty, posts, operation_codes, status, image, pos ([kind, number]).
An error is {"pos": [kind, number], "reason": text}; kind is "row", "question" or "line".
"""

import re
from dataclasses import dataclass, field

from exams.labels import position_label
from exams.models.bank import QuestionStatus, QuestionType
from exams.text import normalise_stem
from lms import catalog
from lms.i18n import _l
from lms.labels import post_from_text

FORMATS = ("xlsx", "csv", "moodlexml", "gift", "aiken")
LETTERS = "ABCDEFGH"
MAX_ITEMS = 20000

#: Question-type words in lower case, as the template and provincial banks write them.
TYPE_WORDS = {
    QuestionType.TRUE_FALSE: {"判断", "判断题", "是非", "是非题", "true_false", "truefalse", "true/false",
                              "tf"},
    QuestionType.SINGLE: {"单选", "单选题", "单项选择", "单项选择题", "single", "single choice"},
    QuestionType.MULTIPLE: {"多选", "多选题", "多项选择", "多项选择题", "multiple", "multiple choice"},
}
#: True/false keys in lower case; banks also mark them with ✔ or ✘/✖, or type the letter x for ×.
TRUE_WORDS = {"对", "正确", "是", "√", "✓", "✔", "t", "true", "yes", "y", "a"}
FALSE_WORDS = {"错", "错误", "否", "×", "✗", "✘", "✖", "x", "f", "false", "no", "n", "b"}
STATUS_WORDS = {
    QuestionStatus.DRAFT: {"draft", "草稿"},
    QuestionStatus.REVIEWED: {"reviewed", "已审核"},
    QuestionStatus.PUBLISHED: {"published", "已发布"},
    QuestionStatus.RETIRED: {"retired", "已停用"},
}
SEPARATORS = re.compile(r"[,，、;；\s]+")


#: Moodle question types (GIFT and XML names) the bank cannot hold, as the skip message names them.
UNSUPPORTED_TYPES = {
    "essay": _l("essay"), "numerical": _l("numerical"), "matching": _l("matching"),
    "short_answer": _l("short answer"), "shortanswer": _l("short answer"),
    "description": _l("description"), "multianswer": _l("embedded answers (cloze)"),
    "calculated": _l("calculated"), "calculatedsimple": _l("calculated"),
    "calculatedmulti": _l("calculated"), "ddwtos": _l("drag and drop"), "ddimageortext": _l("drag and drop"),
    "cloze": _l("embedded answers (cloze)"),
    "ddmarker": _l("drag and drop"), "gapselect": _l("select missing words"),
    "randomsamatch": _l("matching"), "ordering": _l("ordering"),
}


def unsupported(kind: str) -> "ItemError":
    """The error that skips a question of a type the bank cannot hold, naming the type."""
    return ItemError(_l("Type not supported (%(type)s): skipped.", type=UNSUPPORTED_TYPES.get(kind, kind)))


class ItemError(ValueError):
    """One item cannot be imported; the message says why."""


#: What to do with a file's category (Moodle XML, GIFT $CATEGORY) that matches no knowledge point.
UNKNOWN_CATEGORY_POLICIES = ("reject", "create", "default")
#: Knowledge-point value of items whose category is to be created on import: NEW_KP + "a/b/c".
NEW_KP = "new:"
#: Path segments Moodle puts in front of the categories people made.
_CATEGORY_NOISE = {"$course$", "$system$", "$module$", "$cat1$", "top", "默认", "默认类别", "default"}


@dataclass(frozen=True)
class ImportContext:
    """What the checks need from outside: known knowledge points and the defaults to apply."""

    #: Code or name (lower case) -> knowledge-point code.
    knowledge_points: dict[str, str]
    default_knowledge_point: str | None = None
    default_difficulty: int = 3
    #: One of UNKNOWN_CATEGORY_POLICIES: reject the items, mark them NEW_KP + path for the import to
    #: create the category as knowledge points, or file them under default_knowledge_point.
    unknown_categories: str = "reject"


@dataclass
class ParseResult:
    """Checked items and one error per rejected item, plus what was detected."""

    items: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    fmt: str = ""
    encoding: str | None = None
    #: Table formats: header text as found -> field it was read as (shown before importing).
    columns: dict[str, str] = field(default_factory=dict)
    #: Category path as found -> knowledge-point code, or NEW_KP + path when it will be created.
    categories: dict[str, str] = field(default_factory=dict)
    #: Things the reader should know that reject nothing, e.g. an image that could not be kept:
    #: {"pos": [kind, number], "reason": text}.
    notes: list[dict] = field(default_factory=list)

    def add(self, pos: list, build) -> None:
        """Run ``build()``; keep its item or record its ItemError at ``pos``."""
        try:
            item = build()
        except ItemError as exc:
            self.errors.append({"pos": pos, "reason": str(exc.args[0])})
        else:
            item["pos"] = pos
            self.items.append(item)


class FileError(ValueError):
    """The file as a whole cannot be read."""


def text_of(value) -> str:
    """A cell or node value as stripped text."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def qtype_from(text: str) -> QuestionType:
    """Question type named by a word in Chinese or English."""
    wanted = text.strip().lower()
    for qtype, words in TYPE_WORDS.items():
        if wanted in words:
            return qtype
    raise ItemError(_l("Unknown question type \"%(value)s\".", value=text))


def key_from_letters(text: str, n_options: int) -> list[int]:
    """Option letters such as "AC" or "A、C" as indexes; every letter must name an option."""
    letters = SEPARATORS.sub("", text.upper())
    if not letters:
        raise ItemError(_l("The key is missing."))
    if any(ch not in LETTERS for ch in letters):
        raise ItemError(_l("Key \"%(key)s\" is not a list of option letters.", key=text))
    indexes = sorted({LETTERS.index(ch) for ch in letters})
    missing = [LETTERS[i] for i in indexes if i >= n_options]
    if missing:
        raise ItemError(_l("Key names option %(letter)s, which does not exist.", letter=missing[0]))
    return indexes


def key_true_false(text: str) -> list[int]:
    """[0] for true, [1] for false."""
    word = text.strip().lower()
    if not word:
        raise ItemError(_l("The key is missing."))
    if word in TRUE_WORDS:
        return [0]
    if word in FALSE_WORDS:
        return [1]
    raise ItemError(_l("Key \"%(key)s\" of a true/false question must be true or false.", key=text))


def clean_options(values: list) -> list[str]:
    """Option texts with trailing blanks removed; a gap before a later option is an error."""
    texts = [text_of(v) for v in values]
    while texts and not texts[-1]:
        texts.pop()
    for index, text in enumerate(texts):
        if not text:
            raise ItemError(_l("Option %(letter)s is empty but a later option is filled in.",
                               letter=LETTERS[index]))
    return texts


def build_item(ctx: ImportContext, *, qtype: QuestionType, stem: str, options: list[str],
               key: list[int], explanation: str = "", knowledge_point: str = "",
               difficulty=None, posts: str | list = "", operation_codes: str | list = "",
               status: str = "", image: str = "", category: tuple[str, ...] = ()) -> dict:
    """Check every field of one question and return the clean item, or raise ItemError.

    ``category`` is the file's category path (see :func:`category_path`); it decides the knowledge
    point of an item that names none.
    """
    stem = stem.strip()
    if not stem:
        raise ItemError(_l("The stem is empty."))
    _check_options(qtype, options, key)
    return {
        "qtype": qtype.value, "stem": stem, "options": options if qtype is not QuestionType.TRUE_FALSE
        else [], "key": key, "explanation": (explanation or "").strip(),
        "knowledge_point": _knowledge_point(ctx, knowledge_point, category),
        "category": "/".join(category) or None,
        "difficulty": _difficulty(ctx, difficulty), "posts": _posts(posts),
        "operation_codes": _operation_codes(operation_codes), "status": _status(status).value,
        "image": (image or "").strip()[:80] or None, "norm": normalise_stem(stem),
    }


def _check_options(qtype: QuestionType, options: list[str], key: list[int]) -> None:
    if qtype is QuestionType.TRUE_FALSE:
        if key not in ([0], [1]):
            raise ItemError(_l("A true/false question needs the key true or false."))
        return
    if len(options) < 2:
        raise ItemError(_l("A choice question needs at least two options."))
    if len(options) > len(LETTERS):
        raise ItemError(_l("A question may have at most %(n)d options.", n=len(LETTERS)))
    if not key:
        raise ItemError(_l("The key is missing."))
    if any(i >= len(options) for i in key):
        raise ItemError(_l("Key names option %(letter)s, which does not exist.",
                           letter=LETTERS[max(key)] if max(key) < len(LETTERS) else str(max(key) + 1)))
    if qtype is QuestionType.SINGLE and len(key) != 1:
        raise ItemError(_l("A single-choice question needs exactly one correct option."))
    if len(set(o.casefold() for o in options)) != len(options):
        raise ItemError(_l("Two options have the same text."))


def category_path(text: str) -> tuple[str, ...]:
    """The segments of a category path people made, without Moodle's own leading segments.

    Moodle writes a "/" inside a category name as "//"; its course default category is called
    "Default for <course>" ("<course>的默认类别" in Chinese Moodle) and is dropped like "top".
    """
    parts = [part.replace("\x00", "/").strip() for part in (text or "").replace("//", "\x00").split("/")]
    while parts and (not parts[0] or _is_moodle_segment(parts[0])):
        parts.pop(0)
    return tuple(part for part in parts if part)


def _is_moodle_segment(part: str) -> bool:
    lowered = part.lower()
    return lowered in _CATEGORY_NOISE or lowered.startswith("default for ") or part.endswith("的默认类别")


def category_knowledge_point(ctx: ImportContext, path: tuple[str, ...]) -> str:
    """Knowledge point for items of a category: its last segment as a code or name, else by policy."""
    found = ctx.knowledge_points.get(path[-1].lower())
    if found:
        return found
    if ctx.unknown_categories == "create":
        return NEW_KP + "/".join(path)
    if ctx.unknown_categories == "default" and ctx.default_knowledge_point:
        return ctx.default_knowledge_point
    raise ItemError(_l("The category \"%(path)s\" matches no knowledge point.", path="/".join(path)))


def _knowledge_point(ctx: ImportContext, text: str, category: tuple[str, ...] = ()) -> str:
    wanted = (text or "").strip()
    if not wanted and category:
        return category_knowledge_point(ctx, category)
    if not wanted:
        if ctx.default_knowledge_point:
            return ctx.default_knowledge_point
        raise ItemError(_l("The knowledge point is missing."))
    code = ctx.knowledge_points.get(wanted.lower())
    if code is None:
        raise ItemError(_l("Unknown knowledge point \"%(value)s\".", value=wanted))
    return code


def _difficulty(ctx: ImportContext, value) -> int:
    text = text_of(value)
    if not text:
        return ctx.default_difficulty
    if not text.isdigit() or not 1 <= int(text) <= 5:
        raise ItemError(_l("Difficulty must be a whole number from 1 to 5."))
    return int(text)


def _split(value: str | list) -> list[str]:
    if isinstance(value, list):
        return [text_of(v) for v in value if text_of(v)]
    return [part for part in SEPARATORS.split(text_of(value)) if part]


def _posts(value) -> list[str]:
    posts = []
    for word in _split(value):
        post = post_from_text(word)
        if post is None:
            raise ItemError(_l("Unknown post \"%(value)s\".", value=word))
        posts.append(post.value)
    return sorted(set(posts))


def _operation_codes(value) -> list[str]:
    codes = []
    for code in _split(value):
        if catalog.operation_category(code) is None and catalog.operation_subtype(code) is None:
            raise ItemError(_l("Unknown operation category or sub-type \"%(value)s\".", value=code))
        codes.append(code)
    return sorted(set(codes))


def _status(text: str) -> QuestionStatus:
    wanted = (text or "").strip().lower()
    if not wanted:
        return QuestionStatus.DRAFT
    for status, words in STATUS_WORDS.items():
        if wanted in words:
            return status
    raise ItemError(_l("Unknown status \"%(value)s\".", value=text))


def detect_format(filename: str, data: bytes) -> str:
    """Guess the format from the file name, then the content."""
    name = filename.lower()
    for suffix, fmt in ((".xlsx", "xlsx"), (".csv", "csv"), (".xml", "moodlexml"),
                        (".gift", "gift")):
        if name.endswith(suffix):
            return fmt
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    head = data[:2000].lstrip(b"\xef\xbb\xbf \r\n\t")
    if head.startswith(b"<"):
        return "moodlexml"
    if re.search(rb"^ANSWER\s*:", data, re.MULTILINE):
        return "aiken"
    if b"{" in data and b"}" in data:
        return "gift"
    return "csv"


def parse_file(data: bytes, fmt: str, ctx: ImportContext) -> ParseResult:
    """Parse ``data`` in ``fmt``; FileError when the file as a whole is unreadable."""
    from exams.formats import aiken, gift, moodle, table

    parsers = {"xlsx": table.parse_xlsx, "csv": table.parse_csv, "moodlexml": moodle.parse,
               "gift": gift.parse, "aiken": aiken.parse}
    if fmt not in parsers:
        raise FileError(_l("Unknown format \"%(value)s\".", value=fmt))
    result = parsers[fmt](data, ctx)
    result.fmt = fmt
    if len(result.items) + len(result.errors) > MAX_ITEMS:
        raise FileError(_l("A file may hold at most %(n)d questions.", n=MAX_ITEMS))
    _mark_duplicates_in_file(result)
    result.categories = {item["category"]: item["knowledge_point"]
                         for item in result.items if item.get("category")}
    return result


def _mark_duplicates_in_file(result: ParseResult) -> None:
    """A stem that repeats an earlier item of the same file is an error at the later position."""
    seen, kept = {}, []
    for item in result.items:
        first = seen.get(item["norm"])
        if first is not None:
            result.errors.append({"pos": item["pos"], "reason": str(_l(
                "Same question as %(where)s of this file.", where=position_label(first)))})
            continue
        seen[item["norm"]] = item["pos"]
        kept.append(item)
    result.items = kept
    result.errors.sort(key=lambda e: e["pos"][1])

