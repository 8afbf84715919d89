"""GIFT (Moodle's text format): true/false, single and weighted multiple choice; others are refused.

Questions are separated by blank lines; ``$CATEGORY:`` names the knowledge point of what follows
(its last path segment); ``####text`` is the explanation. Positions are the line a question starts on.
"""

import re

from exams.formats.common import (
    FileError,
    ImportContext,
    ItemError,
    ParseResult,
    build_item,
    key_true_false,
)
from exams.models.bank import QuestionType
from lms.i18n import _l

ESCAPES = {"\\~": "\x01", "\\=": "\x02", "\\#": "\x03", "\\{": "\x04", "\\}": "\x05", "\\:": "\x06"}
RESTORE = {v: k[1] for k, v in ESCAPES.items()}
WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")


def _unescape(text: str) -> str:
    for code, char in RESTORE.items():
        text = text.replace(code, char)
    return text.strip()


def _blocks(text: str):
    """(first line number, lines) of each question or command block."""
    block, start = [], 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith("//"):
            continue
        if not line.strip():
            if block:
                yield start, block
            block = []
            continue
        if not block:
            start = number
        block.append(line)
    if block:
        yield start, block


def _split_answers(body: str) -> tuple[list[tuple[str, str]], str]:
    """Answer marks and texts, and the general feedback after ####."""
    body, _, general = body.partition("####")
    parts = re.split(r"([=~])", body)
    if parts[0].strip():
        raise ItemError(_l("Text before the first = or ~ in the answer block."))
    answers = []
    for mark, text in zip(parts[1::2], parts[2::2], strict=True):
        text = text.split("#", 1)[0]  # per-answer feedback is not kept
        answers.append((mark, text.strip()))
    return answers, _unescape(general)


def _choice(answers: list[tuple[str, str]]) -> tuple[QuestionType, list[str], list[int]]:
    options, key, weighted = [], [], False
    for index, (mark, text) in enumerate(answers):
        weight = WEIGHT.match(text)
        if weight:
            weighted = True
            text = text[weight.end():]
        options.append(_unescape(text))
        if mark == "=" or (weight and float(weight.group(1)) > 0):
            key.append(index)
    if any("->" in o for o in options):
        raise ItemError(_l("Matching questions are not supported."))
    if any(not o for o in options):
        raise ItemError(_l("An option is empty."))
    if not key:
        raise ItemError(_l("No option is marked correct (= or a positive weight)."))
    qtype = QuestionType.MULTIPLE if weighted or len(key) > 1 else QuestionType.SINGLE
    return qtype, options, key


def _question(ctx: ImportContext, lines: list[str], category: str) -> dict:
    text = "\n".join(lines)
    for raw, code in ESCAPES.items():
        text = text.replace(raw, code)
    text = re.sub(r"^::.*?::", "", text.strip(), flags=re.S)
    text = re.sub(r"^\[\w+\]", "", text.strip())
    if text.count("{") != 1 or text.count("}") != 1 or text.index("{") > text.index("}"):
        raise ItemError(_l("Syntax error: a question needs exactly one answer block in braces { }."))
    stem, rest = text.split("{", 1)
    body, after = rest.split("}", 1)
    stem = _unescape(stem + (" " + after if after.strip() else ""))
    body = body.strip()
    if re.fullmatch(r"(T|TRUE|F|FALSE)\s*(#.*)?", body, flags=re.S):
        word, _, general = body.partition("####")
        qtype, options = QuestionType.TRUE_FALSE, []
        key = key_true_false(word.split("#", 1)[0].strip()[0])
        explanation = _unescape(general)
    else:
        if body.startswith("#"):
            raise ItemError(_l("Numeric questions are not supported."))
        if "=" not in body and "~" not in body:
            raise ItemError(_l("Syntax error: the answer block has no options."))
        answers, explanation = _split_answers(body)
        qtype, options, key = _choice(answers)
    return build_item(ctx, qtype=qtype, stem=stem, options=options, key=key,
                      explanation=explanation, knowledge_point=category)


def parse(data: bytes, ctx: ImportContext) -> ParseResult:
    """Every question of a GIFT file."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileError(_l("A GIFT file must be UTF-8 text.")) from None
    result, category = ParseResult(), ""
    for start, lines in _blocks(text):
        if lines[0].strip().startswith("$CATEGORY:"):
            path = lines[0].split(":", 1)[1].strip().strip("/")
            category = path.rsplit("/", 1)[-1]
            lines = lines[1:]
            start += 1
            if not lines:
                continue
        result.add(["line", start], lambda lines=lines, c=category: _question(ctx, lines, c))
    if not result.items and not result.errors:
        raise FileError(_l("The file has no questions."))
    return result
