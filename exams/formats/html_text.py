"""Question text written as HTML (Moodle's default) reduced to the plain text the bank keeps."""

import html
import re

import nh3

#: Elements that end a line (or a paragraph) in the rendered text.
_BREAKS = re.compile(r"<\s*(br|/p|/div|/li|/h[1-6]|/tr)\b[^>]*>", re.IGNORECASE)
_PARAGRAPHS = re.compile(r"<\s*(p|div|li|h[1-6]|tr)\b[^>]*>", re.IGNORECASE)


def html_to_text(markup: str) -> str:
    """Line breaks where <br>, paragraphs and list items were; every tag gone; entities decoded.

    Scripts and styles are dropped with their content (nh3), never shown as escaped tags.
    """
    marked = _PARAGRAPHS.sub("\n", _BREAKS.sub("\n", markup))
    stripped = nh3.clean(marked, tags=set(), clean_content_tags={"script", "style"})
    text = html.unescape(stripped).replace("\xa0", " ")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
