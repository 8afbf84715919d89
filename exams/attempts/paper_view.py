"""The paper as the candidate sees it: questions in order, options in the order shown, never a key.

A frozen paper never changes, so what every candidate's page shows of it before their own answers
(the questions, the options in shown order, the labels in the page's language) is kept per
(paper, locale) in a bounded in-process cache, and its HTML as a sheet of static text with holes;
each request fills the holes with the candidate's answers, flags, save states, the attempt's status
and the sitting's links. Nothing that must hold across requests lives in that cache: it holds only
immutable data, and a paper not in it is built from one query (plus one for question versions no
paper seen yet used: parallel forms share them). The sheet is the markup the paper page had as a
Jinja loop, built in Python because rendering 100 questions with their translated labels in Jinja
took most of a page's 48 ms of CPU (some 940 translation calls); a test keeps the two identical.
"""

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import get_locale
from markupsafe import Markup, escape
from sqlalchemy import select

from exams.attempts import services as svc
from exams.attempts.models import ExamAnswer, ExamAttempt
from exams.labels import TYPE_LABELS
from exams.models import PaperItem, QuestionType, QuestionVersion
from lms.extensions import db
from lms.i18n import _
from lms.lru import LRUCache

#: Papers (with their sheets) kept per process; a paper of 100 questions takes some 150 kB.
PAPER_CACHE_SIZE = 128
#: Question versions kept per process (a bank's worth; some 2 kB each).
VERSION_CACHE_SIZE = 20000
LETTERS = "ABCDEFGH"


@dataclass
class ShownItem:
    """One question as the candidate sees it: never its key or explanation."""

    number: int
    id: int
    qtype: str
    type_label: str
    points: float
    stem: str
    image: bool
    options: list[str]
    multiple: bool
    choice: list[int] = field(default_factory=list)
    flagged: bool = False
    seq: int = 0

    @property
    def answered(self) -> bool:
        """True when an option is chosen."""
        return bool(self.choice)


class _Hole:
    """Kinds of holes in a sheet: what a request fills in, by item index (and option)."""

    NAV_CLASS, NAV_DESC, SEQ, FIELDSET, CHECKED, FLAG, DISABLED, SAVED, IMAGE, SUMMARY = range(10)


@dataclass
class _Paper:
    """A paper's questions without answers in one locale, the labels of its page and its sheets."""

    items: tuple[ShownItem, ...]
    words: dict
    #: Escaped stem and options (in shown order) of each item, for the sheets.
    html: tuple = ()
    sheets: dict = field(default_factory=dict)


class ShownPaper(list):
    """The candidate's questions (ShownItem, with their answers) and the paper page's HTML of them."""

    def __init__(self, items: list[ShownItem], paper: _Paper):
        super().__init__(items)
        self._paper = paper

    def nav_html(self) -> Markup:
        """The navigator's list items: one link per question with its answered and flagged state."""
        return self._fill("nav", paused=False, links=None)

    def items_html(self, view: str, paused: bool, links) -> Markup:
        """The questions' sections for ``view`` ("one" or "list"), as the paper page shows them."""
        return self._fill(view, paused, links)

    def _fill(self, sheet: str, paused: bool, links) -> Markup:
        text = self._paper.sheets.get(sheet)
        if text is None:
            text = self._paper.sheets[sheet] = _sheet(self._paper, sheet)
        words = self._paper.words
        args: list = []
        # The holes in the order _nav_item and _section leave them, item by item.
        if sheet == "nav":
            for item in self:
                args.append((" answered" if item.choice else "") + (" flagged" if item.flagged else ""))
                desc = words["answered"] if item.choice else words["not_answered"]
                args.append(desc + ", " + words["flagged"] if item.flagged else desc)
        else:
            disabled = " disabled" if paused else ""
            for item in self:
                args.append(item.seq)
                if item.image:
                    args.append(escape(links.image(item.id)))
                args.append("disabled" if paused else "")
                choice = item.choice
                args += [" checked" if k in choice else "" for k in range(len(item.options))]
                args += (" checked" if item.flagged else "", disabled, disabled,
                         words["saved"] if item.seq else "")
            if sheet == "one" and self:
                args.append(escape(links.summary))
        # Cached markup built from escaped texts; each hole is a fixed attribute, a number, an escaped
        # URL or an escaped label.
        return Markup(text % tuple(args))  # nosec B704  # built from escaped parts only (see above)


# --- the per-process caches of immutable data -------------------------------------------------

#: (paper id, locale) -> _Paper.
_papers = LRUCache(PAPER_CACHE_SIZE)
#: (locale, number of questions) -> the page's labels, shared by every paper of that length.
_labels = LRUCache(64)
#: Question version id -> (stem, image?, options, escaped stem, escaped options); papers share versions.
_versions = LRUCache(VERSION_CACHE_SIZE)


def _cached_paper(paper_id: int) -> _Paper:
    """The paper's questions and labels in the request's locale, from the cache or built now."""
    locale = str(get_locale())
    key = (paper_id, locale)
    paper = _papers.get(key)
    if paper is None:
        paper = _load_paper(paper_id, locale)
        _papers.put(key, paper)
    return paper


def _load_paper(paper_id: int, locale: str) -> _Paper:
    """The paper's questions in order (one query, and one more for versions not seen yet)."""
    rows = db.session.execute(
        select(PaperItem.id, PaperItem.qtype, PaperItem.points, PaperItem.option_order,
               PaperItem.question_version_id)
        .where(PaperItem.paper_id == paper_id).order_by(PaperItem.position)).all()
    versions = _question_versions({row.question_version_id for row in rows})
    true_false = [_("True"), _("False")]
    true_false_html = [str(escape(label)) for label in true_false]
    type_labels = {qtype.value: str(label) for qtype, label in TYPE_LABELS.items()}
    items, html = [], []
    for number, row in enumerate(rows, start=1):
        stem, image, options, stem_html, options_html = versions[row.question_version_id]
        if not options:
            options, options_html = true_false, true_false_html
        order = row.option_order or list(range(len(options)))
        items.append(ShownItem(
            number=number, id=row.id, qtype=row.qtype, type_label=type_labels.get(row.qtype, row.qtype),
            points=row.points, stem=stem, image=image, options=[options[o] for o in order],
            multiple=row.qtype == QuestionType.MULTIPLE.value))
        html.append((stem_html, [options_html[o] for o in order]))
    labels = _labels.get((locale, len(items)))
    if labels is None:
        labels = _words(len(items))
        _labels.put((locale, len(items)), labels)
    return _Paper(items=tuple(items), words=labels, html=tuple(html))


def _question_versions(ids: set[int]) -> dict[int, tuple]:
    """Stem, image, options and their escaped HTML of each question version, cached (never edited)."""
    found = {version_id: _versions.get(version_id) for version_id in ids}
    missing = [version_id for version_id, value in found.items() if value is None]
    if missing:
        for row in db.session.execute(select(QuestionVersion.id, QuestionVersion.stem, QuestionVersion.image,
                                             QuestionVersion.options)
                                      .where(QuestionVersion.id.in_(missing))):
            options = list(row.options or ())
            found[row.id] = (row.stem, bool(row.image), options, str(escape(row.stem)),
                             [str(escape(option)) for option in options])
            _versions.put(row.id, found[row.id])
    return found


def _words(total: int) -> dict:
    """The page's labels in the request's language, escaped as Jinja's autoescape would.

    Labels with numbers are translated once as format strings and formatted per question, as the
    template's ``_()`` does.
    """
    def word(text) -> str:
        return str(escape(text))

    # Literal _() calls, so that the catalogs keep extracting these labels.
    question, answer_to = _("Question %(n)d of %(total)d"), _("Your answer to question %(n)d")
    return {
        "answered": word(_("answered")), "not_answered": word(_("not answered")),
        "flagged": word(_("flagged for review")), "saved": word(_("Saved")),
        "question": [word(question % {"n": n, "total": total}) for n in range(1, total + 1)],
        "answer_to": [word(answer_to % {"n": n}) for n in range(1, total + 1)],
        "points": _("Points: %(p)s"), "image": word(_("Image for the question")),
        "all_apply": word(_("choose all that apply")), "flag": word(_("Flag for review")),
        "clear": word(_("Clear my answer")), "previous": word(_("Previous")), "next": word(_("Next")),
        "review": word(_("Review and hand in")),
    }


def shown_items(attempt: ExamAttempt) -> ShownPaper:
    """The paper's questions in order, options in the order shown, with the stored answers."""
    paper = _cached_paper(attempt.paper_id)
    stored = {row.paper_item_id: row for row in db.session.execute(
        select(ExamAnswer.paper_item_id, ExamAnswer.choice, ExamAnswer.flagged, ExamAnswer.seq)
        .where(ExamAnswer.attempt_id == attempt.id))}
    shown = []
    for base in paper.items:
        answer = stored.get(base.id)
        shown.append(ShownItem(
            number=base.number, id=base.id, qtype=base.qtype, type_label=base.type_label,
            points=base.points, stem=base.stem, image=base.image, options=base.options,
            multiple=base.multiple, choice=list(answer.choice) if answer else [],
            flagged=bool(answer and answer.flagged), seq=answer.seq if answer else 0))
    return ShownPaper(shown, paper)


# --- sheets: the page's markup with holes ---------------------------------------------------------

def _sheet(paper: _Paper, name: str) -> str:
    """The navigator ("nav") or the questions of a view ("one", "list") as a format string.

    Its holes (``%s``) come in the order ShownPaper._fill gives their values; the kinds named here
    (_Hole) say what each is.
    """
    parts: list = []
    for index, item in enumerate(paper.items):
        if name == "nav":
            _nav_item(parts, index, item)
        else:
            _section(parts, paper, index, item, one=name == "one")
    # One format string: the static text with its "%" doubled, each hole a "%s".
    return "".join(part.replace("%", "%%") if part.__class__ is str else "%s" for part in parts)


def _nav_item(parts: list, index: int, item: ShownItem) -> None:
    n = item.number
    parts += [f'\n      <li><a href="#q-{n}" id="nav-{n}" data-number="{n}"\n             class="nav-q',
              (_Hole.NAV_CLASS, index, None), f'">{n}<span class="visually-hidden nav-desc">, ',
              (_Hole.NAV_DESC, index, None), "</span></a></li>"]


def _section(parts: list, paper: _Paper, index: int, item: ShownItem, one: bool) -> None:
    words, n, last = paper.words, item.number, index == len(paper.items) - 1
    stem_html, options_html = paper.html[index]
    points = escape(words["points"] % {"p": f"{item.points:g}"})
    parts += [f'\n    <section class="question" id="q-{n}" data-item="{item.id}" data-number="{n}"\n'
              f'             data-seq="', (_Hole.SEQ, index, None), f'" aria-labelledby="q-{n}-h">\n'
              f'      <h2 id="q-{n}-h" tabindex="-1">{words["question"][index]}\n'
              f'        <span class="q-meta">{escape(item.type_label)} · {points}</span></h2>\n'
              f'      <p class="stem" translate="no">{stem_html}</p>\n      ']
    if item.image:
        parts += ['<img class="stem-image" src="', (_Hole.IMAGE, index, None),
                  f'" alt="{words["image"]}">']
    parts += ['\n      <fieldset class="options" data-role="answer" ', (_Hole.FIELDSET, index, None),
              f'>\n        <legend class="visually-hidden">{words["answer_to"][index]}'
              + (f' ({words["all_apply"]})' if item.multiple else "") + "</legend>\n        "]
    kind = "checkbox" if item.multiple else "radio"
    for k, label in enumerate(options_html):
        letter = f'<span class="letter">{LETTERS[k]}.</span>' if item.qtype != "true_false" else ""
        parts += [f'\n        <label class="option"><input type="{kind}" name="a-{item.id}" value="{k}"',
                  (_Hole.CHECKED, index, k),
                  f'>\n          {letter}\n          <span translate="no">{label}</span></label>\n'
                  "        "]
    parts += ['\n      </fieldset>\n      <div class="q-tools">\n'
              '        <label class="flag"><input type="checkbox" data-role="flag"',
              (_Hole.FLAG, index, None), (_Hole.DISABLED, index, None), f'> {words["flag"]}</label>\n'
              '        <button type="button" class="link" data-role="clear"', (_Hole.DISABLED, index, None),
              f'>{words["clear"]}</button>\n'
              '        <span class="save-state" data-role="state" aria-live="polite">',
              (_Hole.SAVED, index, None), "</span>\n      </div>\n      "]
    if one:
        parts.append('\n      <p class="q-nav">\n        ')
        if index:
            parts.append(f'<a class="button secondary" href="#q-{n - 1}" rel="prev">{words["previous"]}</a>')
        parts.append("\n        ")
        if not last:
            parts.append(f'<a class="button" href="#q-{n + 1}" rel="next">{words["next"]}</a>\n        ')
        else:
            parts += ['<a class="button" href="', (_Hole.SUMMARY, None, None), f'">{words["review"]}</a>']
        parts.append("\n      </p>\n      ")
    parts.append("\n    </section>\n    ")


def clock(attempt: ExamAttempt, moment: datetime) -> dict:
    """The server's view of the attempt's time, for the page to count down from."""
    return {"status": attempt.status.value, "seconds_left": svc.seconds_left(attempt, moment),
            "deadline": attempt.deadline_at.isoformat(), "deadline_ms": _ms(attempt.deadline_at),
            "now": moment.isoformat(), "now_ms": _ms(moment)}


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
