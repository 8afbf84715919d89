"""Moodle XML: parsed with defusedxml (untrusted input); knowledge point and metadata travel as tags.

Real exports are read as they come: a category question sets the category of the questions after
it, HTML is reduced to plain text, the first image embedded in a question text travels with the item
(base64, stored at confirmation), and types the bank cannot hold are reported one by one.
"""

import base64
import binascii
import html
import math
import re
from urllib.parse import unquote
from xml.etree.ElementTree import Element, SubElement, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from flask import current_app, has_app_context

from exams.formats.common import (
    FileError,
    ImportContext,
    ItemError,
    ParseResult,
    build_item,
    category_path,
    unsupported,
)
from exams.formats.html_text import html_to_text
from exams.models.bank import QuestionType
from lms.i18n import _l
from lms.storage import HEAD_BYTES, IMAGE_TYPES, sniff

TAG_FIELDS = ("kp", "difficulty", "posts", "operations", "status", "image")
#: A block of text between questions, not a question: skipped without an error or a note.
SILENT_TYPES = frozenset({"description"})
#: Largest decoded image kept when no app is there to ask (IMAGE_UPLOAD_MAX_BYTES otherwise).
IMAGE_MAX_BYTES = 5 * 1024 * 1024
PLUGINFILE = "@@PLUGINFILE@@"
#: Moodle writes a third as 33.33333, so a full mark is 100 give or take rounding.
FULL_MARK = 99.99
#: Text formats whose line breaks are line breaks; in HTML only <br> and <p> make lines.
_LINE_FORMATS = {"moodle_auto_format", "markdown"}
_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_SRC = re.compile(r"""\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)


def _plain(node: Element | None) -> str:
    """Plain text of a Moodle text element (question text, answer, feedback) in any of its formats."""
    if node is None:
        return ""
    raw = node.findtext("text") or ""
    fmt = node.get("format", "html")
    if fmt == "plain_text":
        return "\n".join(line.rstrip() for line in raw.strip().splitlines())
    if fmt not in _LINE_FORMATS:
        raw = re.sub(r"\s*\n\s*", " ", raw)
    return html_to_text(raw)


def _tags(question: Element) -> dict[str, str]:
    found = {}
    for tag in question.findall("tags/tag"):
        name, _, value = (tag.findtext("text") or "").partition(":")
        if name in TAG_FIELDS:
            found[name] = value.strip()
    return found


def _fraction(answer: Element) -> float:
    """The answer's grade in percent (Moodle allows -100 to 100)."""
    try:
        value = float(answer.get("fraction", "0"))
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ItemError(_l("An answer has a fraction that is not a number."))
    return value


def _single(text: str | None) -> bool:
    """Moodle's <single>: true, 1 or no element is one answer; false or 0 lets several be chosen."""
    return (text or "true").strip().lower() not in ("false", "0")


def _true_false(question: Element) -> tuple[QuestionType, list[str], list[int]]:
    right = [_plain(a).lower() for a in question.findall("answer") if _fraction(a) > 0]
    if right not in (["true"], ["false"]):
        raise ItemError(_l("A true/false question needs the key true or false."))
    return QuestionType.TRUE_FALSE, [], [0 if right == ["true"] else 1]


def _multichoice(question: Element) -> tuple[QuestionType, list[str], list[int]]:
    """Options and key; <shuffleanswers> and <answernumbering> only change how Moodle shows them."""
    answers = question.findall("answer")
    options = [_plain(a) for a in answers]
    if any(not o for o in options):
        raise ItemError(_l("An option is empty."))
    fractions = [_fraction(a) for a in answers]
    if _single(question.findtext("single")):
        # The bank has no partial credit: the option with the full mark is the answer.
        return QuestionType.SINGLE, options, [i for i, f in enumerate(fractions) if f >= FULL_MARK]
    return QuestionType.MULTIPLE, options, [i for i, f in enumerate(fractions) if f > 0]


def _question_item(ctx: ImportContext, question: Element, category: tuple[str, ...],
                   notes: list) -> dict:
    """The checked item of one question; what cannot be kept of its images goes to ``notes``."""
    kind = question.get("type") or "?"
    if kind == "truefalse":
        qtype, options, key = _true_false(question)
    elif kind == "multichoice":
        qtype, options, key = _multichoice(question)
    else:
        raise unsupported(kind or "?")
    tags = _tags(question)
    # A kp: tag wins over the category; leaving the category out keeps result.categories saying
    # only what the categories themselves decided.
    item = build_item(ctx, qtype=qtype, stem=_plain(question.find("questiontext")), options=options,
                      key=key, explanation=_plain(question.find("generalfeedback")),
                      knowledge_point=tags.get("kp", ""), category=() if tags.get("kp") else category,
                      difficulty=tags.get("difficulty"), posts=tags.get("posts", ""),
                      operation_codes=tags.get("operations", ""), status=tags.get("status", ""),
                      image=tags.get("image", ""))
    image, left_out = _image(question.find("questiontext"), _image_limit())
    notes.extend(left_out + _images_elsewhere(question))
    return item | image


def _image_limit() -> int:
    """Largest decoded image kept: the app's IMAGE_UPLOAD_MAX_BYTES, or 5 MB outside an app."""
    if has_app_context():
        return current_app.config.get("IMAGE_UPLOAD_MAX_BYTES", IMAGE_MAX_BYTES)
    return IMAGE_MAX_BYTES


def _image_sources(node: Element | None) -> list[str]:
    """The src of every <img> in an HTML text element, in order; none for plain text."""
    if node is None or node.get("format") == "plain_text":
        return []
    sources = []
    for tag in _IMG.findall(node.findtext("text") or ""):
        found = _SRC.search(tag)
        if found:
            sources.append(html.unescape(next(g for g in found.groups() if g is not None)))
    return sources


def _image_name(src: str) -> str:
    """What a note calls the image: the file name of a @@PLUGINFILE@@ link, else the start of src."""
    if src.startswith(PLUGINFILE):
        return unquote(src.split("?", 1)[0].rsplit("/", 1)[-1])
    return src if len(src) <= 60 else src[:60] + "…"


def _image(node: Element | None, limit: int) -> tuple[dict, list[str]]:
    """image_b64 and image_name of the first usable image of the question text; notes on the others."""
    files = {(f.get("path") or "/").rstrip("/") + "/" + (f.get("name") or ""): f
             for f in (node.findall("file") if node is not None else [])}
    kept, notes = {}, []
    for src in _image_sources(node):
        name = _image_name(src)
        if kept:
            notes.append(_left_out(name))
            continue
        try:
            data = _image_bytes(src, files, limit)
        except ValueError as exc:
            notes.append(exc.args[0])
            continue
        kept = {"image_b64": base64.b64encode(data).decode("ascii"), "image_name": name}
    return kept, notes


def _embedded(src: str, files: dict[str, Element]) -> Element | None:
    """The <file> a @@PLUGINFILE@@ link points at; a link elsewhere is not in the file."""
    if not src.startswith(PLUGINFILE):
        return None
    # Moodle URL-encodes the name in the link but not in <file name="...">.
    return files.get(unquote(src[len(PLUGINFILE):].split("?", 1)[0]))


def _image_bytes(src: str, files: dict[str, Element], limit: int) -> bytes:
    """Checked bytes of the file an <img> shows; ValueError with the note when they cannot be kept."""
    name = _image_name(src)
    found = _embedded(src, files)
    if found is None:
        raise ValueError(_l("The image %(name)s is not embedded in the file; the question is imported "
                            "without it.", name=name))
    unreadable = _l("The file %(name)s is not a readable PNG, JPEG, GIF or WebP image; the question "
                    "is imported without it.", name=name)
    if found.get("encoding", "base64") != "base64":
        raise ValueError(unreadable)
    encoded = "".join((found.text or "").split())
    too_large = _l("The image %(name)s is larger than %(mb)s MB; the question is imported without it.",
                   name=name, mb=f"{limit / (1 << 20):g}")
    if len(encoded) // 4 * 3 > limit + 2:  # refused before decoding, so a huge image is never held
        raise ValueError(too_large)
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(unreadable) from None
    if len(data) > limit:
        raise ValueError(too_large)
    if sniff(data[:HEAD_BYTES]) not in IMAGE_TYPES:
        raise ValueError(unreadable)
    return data


def _images_elsewhere(question: Element) -> list[str]:
    """Notes for images in options and feedback: the bank keeps one image, the question text's."""
    nodes = [question.find("generalfeedback"), *question.findall("answer"),
             *question.findall("answer/feedback")]
    return [_left_out(_image_name(src)) for node in nodes for src in _image_sources(node)]


def _left_out(name: str) -> str:
    """The note for an image beyond the one a question keeps."""
    return _l("Only one image per question is kept, the first in the question text; %(name)s is left out.",
              name=name)


def _category(question: Element) -> tuple[str, ...]:
    """The path a category question names: <category><text>, or bare text in older exports."""
    node = question.find("category")
    if node is None:
        return ()
    text = node.findtext("text") if node.find("text") is not None else node.text
    return category_path(text or "")


def parse(data: bytes, ctx: ImportContext) -> ParseResult:
    """Every <question> of a Moodle XML quiz; positions count <question> elements from 1."""
    try:
        root = fromstring(data, forbid_dtd=True)
    except ParseError as exc:
        line = getattr(exc, "position", (0, 0))[0]
        raise FileError(_l("The XML is broken near line %(line)d.", line=line)) from None
    except DefusedXmlException:
        raise FileError(_l("The XML uses entities or DTDs, which are not accepted.")) from None
    if root.tag != "quiz":
        raise FileError(_l("This is not a Moodle XML quiz (the root element must be quiz)."))
    result, category = ParseResult(), ()
    for index, question in enumerate(root.findall("question"), start=1):
        kind = question.get("type")
        if kind == "category":
            category = _category(question)
        elif kind not in SILENT_TYPES:
            _add(result, ["question", index], ctx, question, category)
    if not result.items and not result.errors:
        raise FileError(_l("The file has no questions."))
    return result


def _add(result: ParseResult, pos: list, ctx: ImportContext, question: Element,
         category: tuple[str, ...]) -> None:
    """Add one question's item or error; its notes only when the item is kept."""
    notes, before = [], len(result.items)
    result.add(pos, lambda: _question_item(ctx, question, category, notes))
    if len(result.items) > before:
        result.notes.extend({"pos": pos, "reason": reason} for reason in notes)


def _text_out(parent: Element, name: str, text: str, fmt: str = "html") -> None:
    node = SubElement(parent, name, format=fmt)
    SubElement(node, "text").text = html.escape(text, quote=False).replace("\n", "<br>")


def export(items: list[dict]) -> bytes:
    """Items as a Moodle XML quiz that ``parse`` reads back into the same items."""
    quiz = Element("quiz")
    for item in items:
        qtype = QuestionType(item["qtype"])
        kind = "truefalse" if qtype is QuestionType.TRUE_FALSE else "multichoice"
        question = SubElement(quiz, "question", type=kind)
        SubElement(SubElement(question, "name"), "text").text = item["stem"][:60]
        _text_out(question, "questiontext", item["stem"])
        _text_out(question, "generalfeedback", item["explanation"])
        SubElement(question, "defaultgrade").text = "1"
        if qtype is QuestionType.TRUE_FALSE:
            for index, word in enumerate(("true", "false")):
                answer = SubElement(question, "answer", fraction="100" if item["key"] == [index] else "0")
                SubElement(answer, "text").text = word
        else:
            SubElement(question, "single").text = "true" if qtype is QuestionType.SINGLE else "false"
            share = 100 / len(item["key"])
            for index, option in enumerate(item["options"]):
                fraction = f"{share:.5g}" if index in item["key"] else "0"
                answer = SubElement(question, "answer", fraction=fraction, format="html")
                SubElement(answer, "text").text = html.escape(option, quote=False)
        _tags_out(question, item)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(quiz, encoding="utf-8")


def _tags_out(question: Element, item: dict) -> None:
    tags = SubElement(question, "tags")
    values = {"kp": item["knowledge_point"], "difficulty": str(item["difficulty"]),
              "posts": ",".join(item["posts"]), "operations": ",".join(item["operation_codes"]),
              "status": item["status"], "image": item.get("image") or ""}
    for name in TAG_FIELDS:
        if values[name]:
            SubElement(SubElement(tags, "tag"), "text").text = f"{name}:{values[name]}"
