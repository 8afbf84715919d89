"""Aiken: a stem line, lettered options ("A." or "A)"), then "ANSWER: X"; single choice only."""

import re

from exams.formats.common import (
    LETTERS,
    FileError,
    ImportContext,
    ItemError,
    ParseResult,
    build_item,
)
from exams.models.bank import QuestionType
from lms.i18n import _l

OPTION = re.compile(r"^([A-H])\s*[.)．、]\s*(.*)$")
ANSWER = re.compile(r"^ANSWER\s*[:：]\s*(.*)$", re.IGNORECASE)


def _question(ctx: ImportContext, lines: list[str]) -> dict:
    stem, options = [], []
    answer = None
    for line in lines:
        option, final = OPTION.match(line.strip()), ANSWER.match(line.strip())
        if final:
            answer = final.group(1).strip().upper()
        elif option and answer is None:
            if option.group(1) != LETTERS[len(options)]:
                raise ItemError(_l("Option %(letter)s is out of order.", letter=option.group(1)))
            options.append(option.group(2).strip())
        elif not options and answer is None:
            stem.append(line.strip())
        else:
            raise ItemError(_l("Unexpected line \"%(value)s\".", value=line.strip()[:40]))
    if answer is None:
        raise ItemError(_l("The ANSWER line is missing."))
    if len(answer) != 1 or answer not in LETTERS:
        raise ItemError(_l("Key \"%(key)s\" is not a list of option letters.", key=answer))
    if LETTERS.index(answer) >= len(options):
        raise ItemError(_l("Key names option %(letter)s, which does not exist.", letter=answer))
    return build_item(ctx, qtype=QuestionType.SINGLE, stem=" ".join(stem), options=options,
                      key=[LETTERS.index(answer)])


def parse(data: bytes, ctx: ImportContext) -> ParseResult:
    """Every question of an Aiken file; a question ends at its ANSWER line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileError(_l("An Aiken file must be UTF-8 text.")) from None
    result, block, start = ParseResult(), [], 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() and not block:
            continue
        if not block:
            start = number
        if line.strip():
            block.append(line)
        if ANSWER.match(line.strip()) or (not line.strip() and block):
            result.add(["line", start], lambda lines=block: _question(ctx, lines))
            block = []
    if block:
        result.add(["line", start], lambda lines=block: _question(ctx, lines))
    if not result.items and not result.errors:
        raise FileError(_l("The file has no questions."))
    return result
