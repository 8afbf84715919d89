"""GIFT (Moodle's text format), read as Moodle's GIFT documentation describes it.

True/false, single choice (an ``=`` answer among ``~`` ones) and multiple choice (``~%n%`` weights, no
``=``) become items. Essay ``{}``, numerical ``{#...}``, matching (``->``), short answer (only ``=``
answers, or the ``*`` wildcard) and description (no braces) questions are reported as skipped.
Questions are separated by blank lines; ``$CATEGORY:`` sets the category of what follows;
``####text`` is the explanation. Positions are the line a question starts on.
"""

import re
from dataclasses import dataclass

from exams.formats.common import (
    FileError,
    ImportContext,
    ItemError,
    ParseResult,
    build_item,
    category_path,
    key_true_false,
    unsupported,
)
from exams.formats.html_text import html_to_text
from exams.models.bank import QuestionType
from lms.i18n import _l

#: Characters a backslash escapes, held as Unicode noncharacters (never in real text) while the markup
#: is read so that an escaped brace or tilde is never taken for markup; ``\n`` is a line break.
_SPECIAL = "\\:=~#{}n"
_HIDDEN = {char: chr(0xFDD0 + index) for index, char in enumerate(_SPECIAL)}
_ESCAPE = re.compile(r"\\([\\:=~#{}n])")
_RESTORE = str.maketrans({code: "\n" if char == "n" else char for char, code in _HIDDEN.items()})

_LINES = re.compile(r"\r\n|\r|\n")
_TITLE = re.compile(r"::.*?::", re.S)
_FORMAT = re.compile(r"\[(html|markdown|plain|moodle)\]", re.I)
_WEIGHT = re.compile(r"%(-?\d+(?:\.\d+)?)%")
_TRUE_FALSE = re.compile(r"(TRUE|FALSE|T|F)\s*(?:#.*)?", re.S)
#: What replaces the answer block when text follows it (Moodle's missing-word format).
BLANK = "____"



@dataclass
class _Answer:
    """One ``=`` or ``~`` answer: its mark, weight in percent and text (still escaped)."""

    mark: str
    weight: float
    text: str


def _protect(text: str) -> str:
    """Text with every escape replaced by its private-use stand-in."""
    return _ESCAPE.sub(lambda found: _HIDDEN[found.group(1)], text)


def _split_format(text: str, default: str) -> tuple[str, str]:
    """The [format] marker at the start of ``text`` (else ``default``) and the text after it."""
    text = text.lstrip()
    found = _FORMAT.match(text)
    if found:
        return found.group(1).lower(), text[found.end():]
    return default, text


def _readable(text: str, fmt: str) -> str:
    """Protected text in ``fmt`` as the plain text the bank keeps."""
    text = text.translate(_RESTORE)
    if fmt == "html":
        return html_to_text(text)
    # markdown, plain and moodle's own format are kept as written
    return text.strip()


def _text(text: str, default: str) -> str:
    """An answer or feedback, read in its own format or the question text's."""
    fmt, rest = _split_format(text, default)
    return _readable(rest, fmt)


def _blocks(text: str):
    """Each question or command block as (line number, line) pairs; comment lines left out."""
    block = []
    # only CR, LF and CRLF end a line, as in editors; splitlines() would also break at U+2028 & co.
    for number, line in enumerate(_LINES.split(text), start=1):
        if line.strip().startswith("//"):
            continue
        if not line.strip():
            if block:
                yield block
            block = []
            continue
        block.append((number, line))
    if block:
        yield block


def _split_answers(body: str) -> list[_Answer]:
    """The ``=`` and ``~`` answers of a block, per-answer feedback dropped."""
    if "=" not in body and "~" not in body:
        raise ItemError(_l("Syntax error: the answer block has no options."))
    parts = re.split(r"([=~])", body)
    if parts[0].strip():
        raise ItemError(_l("Text before the first = or ~ in the answer block."))
    answers = []
    for mark, text in zip(parts[1::2], parts[2::2], strict=True):
        text = text.split("#", 1)[0].strip()
        weight = _WEIGHT.match(text)
        if weight:
            answers.append(_Answer(mark, float(weight.group(1)), text[weight.end():]))
        else:
            answers.append(_Answer(mark, 100.0 if mark == "=" else 0.0, text))
    return answers


def _choice(answers: list[_Answer], fmt: str) -> tuple[QuestionType, list[str], list[int]]:
    """Type, options and key of a block with ``~`` answers."""
    options = [_text(answer.text, fmt) for answer in answers]
    if any(not option for option in options):
        raise ItemError(_l("An option is empty."))
    if any(answer.mark == "=" for answer in answers):
        # Moodle's one-answer choice: only a full-credit answer is right, partial credit is wrong here
        qtype = QuestionType.SINGLE
        key = [index for index, answer in enumerate(answers) if answer.weight >= 100]
    else:
        # no "=": Moodle's multiple-answer choice, right options are those worth something
        qtype = QuestionType.MULTIPLE
        key = [index for index, answer in enumerate(answers) if answer.weight > 0]
    if not key:
        raise ItemError(_l("No option is marked correct (= or a positive weight)."))
    return qtype, options, key


def _answer_block(body: str, fmt: str) -> tuple[QuestionType, list[str], list[int], str]:
    """Type, options, key and explanation of the text between the braces."""
    body, _, general = body.partition("####")
    explanation = _text(general, fmt)
    body = body.strip()
    if not body:
        raise unsupported("essay")
    if body.startswith("#"):
        raise unsupported("numerical")
    true_false = _TRUE_FALSE.fullmatch(body)
    if true_false:
        return QuestionType.TRUE_FALSE, [], key_true_false(true_false.group(1)), explanation
    answers = _split_answers(body)
    if all(answer.mark == "=" for answer in answers):
        raise unsupported("matching" if "->" in body else "short_answer")
    if any(answer.text.strip() == "*" for answer in answers):
        raise unsupported("short_answer")
    return *_choice(answers, fmt), explanation


def _question(ctx: ImportContext, lines: list[str], category: tuple[str, ...]) -> dict:
    """One question block as a checked item."""
    text = _protect("\n".join(lines)).strip()
    title = _TITLE.match(text)
    if title:
        text = text[title.end():]
    opened, closed = text.count("{"), text.count("}")
    if not opened and not closed:
        raise unsupported("description")
    if opened != 1 or closed != 1 or text.index("{") > text.index("}"):
        raise ItemError(_l("Syntax error: a question needs exactly one answer block in braces { }."))
    before, rest = text.split("{", 1)
    body, after = rest.split("}", 1)
    fmt, before = _split_format(before, "moodle")
    # missing-word format: the blank stays where the answers were
    stem = _readable(before + BLANK + after if after.strip() else before, fmt)
    qtype, options, key, explanation = _answer_block(body, fmt)
    return build_item(ctx, qtype=qtype, stem=stem, options=options, key=key,
                      explanation=explanation, category=category)


def parse(data: bytes, ctx: ImportContext) -> ParseResult:
    """Every question of a GIFT file."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileError(_l("A GIFT file must be UTF-8 text.")) from None
    result, category = ParseResult(), ()
    for block in _blocks(text):
        first = block[0][1].strip()
        if first.startswith("$CATEGORY:"):
            category = category_path(first.split(":", 1)[1])
            block = block[1:]
            if not block:
                continue
        lines = [line for _number, line in block]
        result.add(["line", block[0][0]], lambda lines=lines, c=category: _question(ctx, lines, c))
    if not result.items and not result.errors:
        raise FileError(_l("The file has no questions."))
    return result
