"""The compliance audit report as PDF: the three rates with their numerators and denominators, the
gaps counted, the children table (a region) or the gap list (an enterprise), the monthly trend
drawn in black and greys with distinct markers and dash patterns, the definitions and the rule
versions; every page's footer holds the as-of day, the time it was made, page x/y and a content hash.

The content hash is the SHA-256 of the report's data written canonically (sorted-key JSON): the
scope's code, the as-of day, the filters, every table row as codes and counts (not the words, so a
Chinese and an English report of the same data agree) and the trend points. The time the report
was made and its language are not part of it: two reports of the same data show the same hash.
"""

import hashlib
import io
import json
from copy import copy
from datetime import date, timedelta

from reportlab.graphics.shapes import Circle, Drawing, Line, Polygon, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer

from certificates.compliance.exports import (
    GAP_LABELS,
    RATE_KEYS,
    RATES,
    About,
    filters_dict,
    filters_text,
    rule_versions,
    scope_name,
)
from certificates.compliance.rates import Figures, Filters, enterprise_figures, overview, people
from certificates.compliance.snapshots import trend
from lms import catalog, pdf
from lms.clock import local_tz, now
from lms.i18n import _, current_locale
from lms.labels import POST_LABELS
from lms.models import Organization, Post, Region

#: Expiry window (days) within which the enterprise gap list shows a certificate about to run out.
EXPIRING_LISTED = 90
GREYS = (colors.black, colors.HexColor("#555555"), colors.HexColor("#999999"))
DASHES = (None, [6, 3], [2, 2])
CHART_MONTHS = 24


def build_report(scope: Region | Organization, filters: Filters, on: date, today: date) -> bytes:
    """The audit report of a region or an enterprise on ``on``, as PDF bytes."""
    about = About(scope, filters, on, now())
    if isinstance(scope, Region):
        data, story = _region_parts(scope, filters, on, today)
    else:
        data, story = _enterprise_parts(scope, filters, on, today)
    data |= {"scope": scope.code, "kind": "region" if isinstance(scope, Region) else "enterprise",
             "on": on.isoformat(), "filters": filters_dict(filters)}
    digest = content_hash(data)
    title = _("Compliance audit report: %(name)s", name=scope_name(scope))
    head = [Paragraph(_escape(title), pdf.styles()["title"]),
            Paragraph(_escape(_("As of %(day)s; made at %(time)s. Filters: %(filters)s",
                                day=on.isoformat(), time=_minute(about.made_at),
                                filters=filters_text(filters))), pdf.styles()["p"])]
    tail = _definitions(on) + [Paragraph(_escape(_("Content hash (SHA-256): %(hash)s", hash=digest)),
                                         pdf.styles()["small"]),
                               Paragraph(_escape(_("The hash covers the scope, the as-of day, the filters, "
                                                   "every table row and the trend points, not the time the "
                                                   "report was made or its language.")),
                                         pdf.styles()["small"])]
    footer = _("As of %(day)s · made %(time)s · SHA-256 %(hash)s",
               day=on.isoformat(), time=_minute(about.made_at), hash=digest[:16])
    return _render(head + story + tail, title=title, footer=footer)


def content_hash(data: dict) -> str:
    """SHA-256 of the report's data in canonical JSON."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _minute(moment) -> str:
    return moment.astimezone(local_tz()).strftime("%Y-%m-%d %H:%M")


def _heading(text: str) -> Paragraph:
    """A section heading kept on the page of what follows it."""
    style = copy(pdf.styles()["h"])
    style.keepWithNext = 1
    return Paragraph(_escape(text), style)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- the parts -----------------------------------------------------------------------------------------

def _counts(figures: Figures) -> dict:
    return dict(figures.values) | {"training_available": figures.training_available}


def _region_parts(region: Region, filters: Filters, on: date, today: date) -> tuple[dict, list]:
    found = overview(region, filters, on, today)
    locale = current_locale()
    points = trend(region, filters, CHART_MONTHS)
    data = {"total": _counts(found.total),
            "children": [{"kind": c.kind, "code": c.code, "counts": _counts(c.figures)}
                         for c in found.children],
            "trend": [{"on": d.isoformat(), "counts": _counts(f)} for d, f in points]}
    story = _rates_part(found.total) + _gaps_part(found.total)
    story.append(_heading(_("Regions and enterprises")))
    if found.children:
        rows = [[c.name(locale), c.code, *_rate_cells(c.figures)] for c in found.children]
        story.append(pdf.table(_children_header(), rows, [44, 20, 26, 26, 26, 20, 18]))
    else:
        story.append(Paragraph(_escape(_("No enterprise in this region has employments on the job.")),
                               pdf.styles()["p"]))
    story.append(KeepTogether([_heading(_("Monthly trend")), *_trend_part(points)]))
    return data, story


def _enterprise_parts(org: Organization, filters: Filters, on: date, today: date) -> tuple[dict, list]:
    figures = enterprise_figures(org, filters, on, today)
    lines = [line for line in people(org, filters, on, today) if _gaps_of(line.fact, on)]
    data = {"total": _counts(figures),
            "gaps": [{"employment": line.employment.id, "post": str(line.fact.post),
                      "certificate": line.fact.certificate_id, "cover_until": line.fact.cover_until,
                      "gap": line.fact.gap, "assessment_until": line.fact.assessment_until,
                      "gaps": _gaps_of(line.fact, on)} for line in lines]}
    story = _rates_part(figures) + _gaps_part(figures)
    story.append(_heading(_("People with gaps")))
    if lines:
        header = [_("Name"), _("ID number"), _("Post"), _("Sub-type"), _("Gaps"),
                  _("Certificate in force until"), _("Assessment in force until")]
        rows = [[line.person.name, line.person.masked_id, _post(line.fact.post),
                 line.employment.operation_subtype or "", "; ".join(_gap_words(line.fact, on)),
                 _day(line.fact.cover_until), _day(line.fact.assessment_until)] for line in lines]
        story.append(pdf.table(header, rows, [18, 36, 30, 14, 36, 22, 22]))
    else:
        story.append(Paragraph(_escape(_("Nobody on the job here has a gap.")), pdf.styles()["p"]))
    story.append(Paragraph(_escape(_("Monthly trends are kept per region: see the report of the enterprise's "
                                     "region.")), pdf.styles()["small"]))
    return data, story


def _measure(fact, name: str) -> int:
    measures = getattr(fact, "measures", None)
    return int((measures.get(name) if measures is not None else getattr(fact, name, 0)) or 0)


def _gaps_of(fact, on: date) -> list[str]:
    """Codes of what an employment lacks on ``on``: certificate, expiry soon, assessment, training."""
    found = []
    if _measure(fact, "key_on_job") and not _measure(fact, "certified"):
        found.append("certificate:" + (fact.gap or "none"))
    elif fact.cover_until is not None and fact.cover_until <= on + timedelta(days=EXPIRING_LISTED):
        found.append("expiring")
    if _measure(fact, "hr_on_job") and not _measure(fact, "hr_passed"):
        found.append("assessment")
    if getattr(fact, "behind_hours", None):
        found.append("training")
    return found


def _gap_words(fact, on: date) -> list[str]:
    words = []
    for code in _gaps_of(fact, on):
        if code.startswith("certificate:"):
            words.append(str(GAP_LABELS.get(code.split(":", 1)[1], code)))
        elif code == "expiring":
            words.append(_("Certificate runs out within %(days)s days", days=EXPIRING_LISTED))
        elif code == "assessment":
            words.append(_("No passed assessment in force"))
        else:
            words.append(_("Behind on training hours"))
    return words


def _post(post: str) -> str:
    return str(POST_LABELS.get(Post(post), post))


def _day(value) -> str:
    return value.isoformat() if value else ""


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _rates_part(figures: Figures) -> list:
    header = [_("Rate"), _("Value"), _("Counted"), _("Out of")]
    training_known = figures.values["training_known"] if figures.training_available else None
    rows = [[str(RATES["certified_rate"][0]), _percent(figures.certified_rate), figures.certified,
             figures.key_on_job],
            [str(RATES["pass_rate"][0]), _percent(figures.pass_rate), figures.hr_passed, figures.hr_on_job],
            [str(RATES["training_rate"][0]), _percent(figures.training_rate),
             "—" if training_known is None else training_known - figures.training_behind,
             "—" if training_known is None else training_known]]
    part = [_heading(_("Rates")), pdf.table(header, rows, [84, 30, 33, 33])]
    if not figures.training_available:
        part.append(Paragraph(_escape(_("Training coverage is worked out for the current day only.")),
                              pdf.styles()["small"]))
    return part


def _gaps_part(figures: Figures) -> list:
    header = [_("Employments on the job"), _("Not certified"), _("Review overdue"),
              _("Expiring within 30 days"), _("Expiring within 60 days"), _("Expiring within 90 days"),
              _("Training behind")]
    behind = figures.training_behind if figures.training_available else "—"
    rows = [[figures.on_job, figures.not_certified, figures.review_overdue, figures.expiring_30,
             figures.expiring_60, figures.expiring_90, behind]]
    return [_heading(_("Gaps")), pdf.table(header, rows, [30, 25, 25, 25, 25, 25, 25])]


def _children_header() -> list[str]:
    return [_("Name"), _("Code"), _("Certified / key posts"), _("Certified-on-the-job rate"),
            _("Passed / high-risk"), _("Pass rate"), _("Training coverage")]


def _rate_cells(figures: Figures) -> list[str]:
    return [f"{figures.certified} / {figures.key_on_job}", _percent(figures.certified_rate),
            f"{figures.hr_passed} / {figures.hr_on_job}", _percent(figures.pass_rate),
            _percent(figures.training_rate)]


def _definitions(on: date) -> list:
    styles = pdf.styles()
    part = [_heading(_("Definitions"))]
    for name, text in RATES.values():
        part.append(Paragraph(f"<b>{_escape(str(name))}</b>: {_escape(str(text))}", styles["p"]))
        part.append(Spacer(1, 2 * mm))
    part.append(_heading(_("Rule versions")))
    versions = rule_versions(on)
    rows = [[key, catalog.citation(version)] for key, version in versions.items()]
    part.append(pdf.table([_("Rule"), _("Version")], rows or [["—", "—"]], [80, 100]))
    return part


# -- the trend chart -----------------------------------------------------------------------------------

def _series(points: list[tuple[date, Figures]]) -> list[tuple[str, list[tuple[int, float]]]]:
    named = [(str(RATES[key][0]), key) for key in ("certified_rate", "pass_rate", "training_rate")]
    series = []
    for label, key in named:
        values = [(n, getattr(figures, key)) for n, (_d, figures) in enumerate(points)]
        values = [(n, v) for n, v in values if v is not None]
        if values:
            series.append((label, values))
    return series


def _trend_part(points: list[tuple[date, Figures]]) -> list:
    if len(points) < 2:
        return [Paragraph(_escape(_("Fewer than two monthly snapshots are kept yet: no trend to draw.")),
                          pdf.styles()["p"])]
    rows = [[d.isoformat(), _percent(f.certified_rate), _percent(f.pass_rate), _percent(f.training_rate)]
            for d, f in points]
    header = [_("Snapshot day"), *(str(RATES[key][0]) for key in RATE_KEYS)]
    return [trend_chart(points), Spacer(1, 3 * mm), pdf.table(header, rows, [30, 50, 50, 50])]


def trend_chart(points: list[tuple[date, Figures]], width_mm: float = 180, height_mm: float = 80) -> Drawing:
    """The three rates over the snapshots: black and greys, a marker shape and a dash pattern each."""
    font = pdf.cjk_font()
    width, height = width_mm * mm, height_mm * mm
    left, right, bottom, top = 14 * mm, width - 4 * mm, 12 * mm, height - 18 * mm
    drawing = Drawing(width, height)
    for percent in range(0, 101, 25):
        y = bottom + (top - bottom) * percent / 100
        drawing.add(Line(left, y, right, y, strokeColor=colors.HexColor("#dddddd"), strokeWidth=0.5))
        drawing.add(String(left - 2 * mm, y - 2.5, f"{percent}%", fontName=font, fontSize=7,
                           textAnchor="end"))
    drawing.add(Line(left, bottom, left, top, strokeColor=colors.black, strokeWidth=0.6))
    count = len(points)

    def x_of(n: int) -> float:
        return left + (right - left) * n / max(count - 1, 1)

    step = max(1, (count + 11) // 12)  # at most about twelve labels along the axis
    for n, (day, _figures) in enumerate(points):
        if n % step == 0 or n == count - 1:
            drawing.add(String(x_of(n), bottom - 5 * mm, day.strftime("%Y-%m"), fontName=font, fontSize=7,
                               textAnchor="middle"))
    for index, (label, values) in enumerate(_series(points)):
        coords = [(x_of(n), bottom + (top - bottom) * v) for n, v in values]
        flat = [c for xy in coords for c in xy]
        drawing.add(PolyLine(flat, strokeColor=GREYS[index], strokeWidth=1.2, strokeDashArray=DASHES[index]))
        for x, y in coords:
            drawing.add(_marker(index, x, y))
        _legend(drawing, index, label, left, height - (3 + 4.5 * index) * mm, font)
    return drawing


def _marker(index: int, x: float, y: float, size: float = 2.6):
    colour = GREYS[index]
    if index == 0:
        return Circle(x, y, size, fillColor=colour, strokeColor=colour)
    if index == 1:
        return Rect(x - size, y - size, 2 * size, 2 * size, fillColor=colors.white, strokeColor=colour,
                    strokeWidth=1)
    return Polygon([x, y + size * 1.2, x - size * 1.1, y - size, x + size * 1.1, y - size],
                   fillColor=colour, strokeColor=colour)


def _legend(drawing: Drawing, index: int, label: str, x: float, y: float, font: str) -> None:
    drawing.add(Line(x, y, x + 10 * mm, y, strokeColor=GREYS[index], strokeWidth=1.2,
                     strokeDashArray=DASHES[index]))
    drawing.add(_marker(index, x + 5 * mm, y))
    drawing.add(String(x + 12 * mm, y - 2.5, label, fontName=font, fontSize=7))


# -- pages ---------------------------------------------------------------------------------------------

def _render(story: list, *, title: str, footer: str) -> bytes:
    """A4 pages, byte-stable for equal inputs; every page's foot: ``footer`` and page x/y."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, title=title, invariant=1, leftMargin=pdf.MARGIN,
                                 rightMargin=pdf.MARGIN, bottomMargin=pdf.MARGIN + 4 * mm)
    document.build(story, canvasmaker=_numbered(footer))
    return buffer.getvalue()


def _numbered(footer: str):
    """A canvas class that holds its pages back until the end, to print "page x/y" on each."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):  # noqa: N802 (ReportLab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._foot(total)
                super().showPage()
            super().save()

        def _foot(self, total: int) -> None:
            self.saveState()
            self.setFont(pdf.cjk_font(), 7)
            self.setFillColor(colors.HexColor("#555555"))
            self.drawString(pdf.MARGIN, 8 * mm, footer)
            self.drawRightString(A4[0] - pdf.MARGIN, 8 * mm,
                                 _("Page %(page)s of %(pages)s", page=self._pageNumber, pages=total))
            self.restoreState()

    return NumberedCanvas
