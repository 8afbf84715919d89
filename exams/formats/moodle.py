"""Moodle XML: parsed with defusedxml (untrusted input); knowledge point and metadata travel as tags."""

import html
import re
from xml.etree.ElementTree import Element, SubElement, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from exams.formats.common import FileError, ImportContext, ItemError, ParseResult, build_item
from exams.models.bank import QuestionType
from lms.i18n import _l

TAG_FIELDS = ("kp", "difficulty", "posts", "operations", "status", "image")
_TAGS = re.compile(r"<[^>]+>")


def _plain(node: Element | None) -> str:
    """Text of a Moodle text node; HTML is reduced to plain text."""
    if node is None:
        return ""
    text = node.findtext("text") or ""
    if node.get("format", "html") in ("html", "moodle_auto_format"):
        text = html.unescape(_TAGS.sub("", text.replace("<br>", "\n").replace("<br/>", "\n")))
    return text.strip()


def _tags(question: Element) -> dict[str, str]:
    found = {}
    for tag in question.findall("tags/tag"):
        name, _, value = (tag.findtext("text") or "").partition(":")
        if name in TAG_FIELDS:
            found[name] = value.strip()
    return found


def _fraction(answer: Element) -> float:
    try:
        return float(answer.get("fraction", "0"))
    except ValueError:
        raise ItemError(_l("An answer has a fraction that is not a number.")) from None


def _question_item(ctx: ImportContext, question: Element, category_kp: str) -> dict:
    kind = question.get("type")
    answers = question.findall("answer")
    if kind == "truefalse":
        right = [(a.findtext("text") or "").strip().lower() for a in answers if _fraction(a) > 0]
        if right not in (["true"], ["false"]):
            raise ItemError(_l("A true/false question needs the key true or false."))
        qtype, options, key = QuestionType.TRUE_FALSE, [], [0 if right == ["true"] else 1]
    elif kind == "multichoice":
        single = (question.findtext("single") or "true").strip().lower() in ("true", "1")
        qtype = QuestionType.SINGLE if single else QuestionType.MULTIPLE
        options = [_plain(a) for a in answers]
        key = [i for i, a in enumerate(answers) if _fraction(a) > 0]
        if any(not o for o in options):
            raise ItemError(_l("An option is empty."))
    else:
        raise ItemError(_l("Question type \"%(value)s\" is not supported.", value=kind or "?"))
    tags = _tags(question)
    return build_item(ctx, qtype=qtype, stem=_plain(question.find("questiontext")), options=options,
                      key=key, explanation=_plain(question.find("generalfeedback")),
                      knowledge_point=tags.get("kp") or category_kp,
                      difficulty=tags.get("difficulty"), posts=tags.get("posts", ""),
                      operation_codes=tags.get("operations", ""), status=tags.get("status", ""),
                      image=tags.get("image", ""))


def parse(data: bytes, ctx: ImportContext) -> ParseResult:
    """Every <question> of a Moodle XML quiz; positions count <question> elements from 1."""
    try:
        root = fromstring(data)
    except ParseError as exc:
        line = getattr(exc, "position", (0, 0))[0]
        raise FileError(_l("The XML is broken near line %(line)d.", line=line)) from None
    except DefusedXmlException:
        raise FileError(_l("The XML uses entities or DTDs, which are not accepted.")) from None
    if root.tag != "quiz":
        raise FileError(_l("This is not a Moodle XML quiz (the root element must be quiz)."))
    result, category = ParseResult(), ""
    for index, question in enumerate(root.findall("question"), start=1):
        if question.get("type") == "category":
            path = (question.findtext("category/text") or "").strip("/ ")
            category = path.rsplit("/", 1)[-1] if path else ""
            continue
        result.add(["question", index],
                   lambda q=question, c=category: _question_item(ctx, q, c))
    if not result.items and not result.errors:
        raise FileError(_l("The file has no questions."))
    return result


def _text(parent: Element, name: str, text: str, fmt: str = "html") -> None:
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
        _text(question, "questiontext", item["stem"])
        _text(question, "generalfeedback", item["explanation"])
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
