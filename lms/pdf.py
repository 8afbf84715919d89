"""The one place PDFs are made: the bundled CJK font, paragraph styles, tables, QR codes, pages.

Every document is rendered with ReportLab's invariant mode, so the same inputs give the same bytes
(documents can be hashed and frozen), and embeds a subset of the bundled font, so it prints the
same everywhere.
"""

import io
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

FONT_FILE = Path(__file__).resolve().parent / "fonts" / "wqy-microhei.ttc"
FONT_NAME = "WQYMicroHei"
MARGIN = 15 * mm


@cache
def cjk_font() -> str:
    """Register the bundled WenQuanYi Micro Hei (Apache-2.0) on first use; return its name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_FILE), subfontIndex=0))
    return FONT_NAME


def styles() -> dict[str, ParagraphStyle]:
    """Title, heading, body and small paragraph styles in the CJK font."""
    font = cjk_font()
    return {"title": ParagraphStyle("title", fontName=font, fontSize=16, leading=22, spaceAfter=6),
            "h": ParagraphStyle("h", fontName=font, fontSize=12, leading=16, spaceBefore=8,
                                spaceAfter=4),
            "p": ParagraphStyle("p", fontName=font, fontSize=9, leading=12),
            "small": ParagraphStyle("small", fontName=font, fontSize=7, leading=9,
                                    textColor=colors.HexColor("#555555"))}


def table(header: Sequence, rows: Sequence[Sequence], widths_mm: Sequence[float]) -> Table:
    """A gridded table with a repeated, shaded header row; cells wrap."""
    style = styles()["p"]
    data = [[Paragraph(str(c), style) for c in header]]
    data += [[Paragraph(str(c), style) for c in row] for row in rows]
    result = Table(data, colWidths=[w * mm for w in widths_mm], repeatRows=1)
    result.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")),
                                ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return result


def qr_code(text: str, size_mm: float = 30) -> Drawing:
    """A QR code of ``text`` as a flowable drawing ``size_mm`` wide."""
    widget = QrCodeWidget(text, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    side = size_mm * mm
    drawing = Drawing(side, side, transform=[side / (x1 - x0), 0, 0, side / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


def footer(text: str) -> Callable:
    """A page callback printing ``text`` and the page number at the foot of every page."""

    def draw(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(cjk_font(), 7)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(MARGIN, 8 * mm, text)
        canvas.drawRightString(A4[0] - MARGIN, 8 * mm, str(doc.page))
        canvas.restoreState()

    return draw


def render(story: list, *, title: str, footer_text: str = "") -> bytes:
    """Lay ``story`` out on A4 pages and return the PDF bytes (byte-stable for equal inputs)."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, title=title, invariant=1, leftMargin=MARGIN,
                                 rightMargin=MARGIN, bottomMargin=MARGIN + 4 * mm)
    on_page = footer(footer_text)
    document.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()
