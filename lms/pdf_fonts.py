"""Register the bundled CJK font (WenQuanYi Micro Hei, Apache-2.0) with ReportLab once."""

from functools import cache
from pathlib import Path

FONT_FILE = Path(__file__).resolve().parent / "fonts" / "wqy-microhei.ttc"
FONT_NAME = "WQYMicroHei"


@cache
def cjk_font() -> str:
    """Register the font on first use and return its ReportLab name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_FILE), subfontIndex=0))
    return FONT_NAME
