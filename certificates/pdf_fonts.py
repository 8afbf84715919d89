"""The certificate's two fonts: the bundled CJK font registered once for the fixed labels and
once for the holder's values.

The labels' subset is the same in every certificate (the glyphs are put in a fixed order first),
so it is made and compressed once per process and reused from a small cache; the values' subset is
small. Each font has a face name of its own: ReportLab takes a second font of an already
registered face name for the first one, and tags subsets by their number alone.
"""

import copy
import threading
import zlib
from collections import OrderedDict
from functools import cache

from reportlab.pdfgen.canvas import Canvas

from lms import pdf

LABEL_FONT, TEXT_FONT = "WQYMicroHei-CertLabel", "WQYMicroHei-CertText"
FACE_NAMES = (b"WenQuanYiMicroHei-Labels", b"WenQuanYiMicroHei-Values")
#: Font subsets and their compressed streams kept, by content (the label subset is the hit).
SUBSET_CACHE_SIZE = 16


class _CachedFlate:
    """The Flate filter, remembering the compressed bytes of recent font files."""

    pdfname = "FlateDecode"

    def __init__(self):
        self.cache: OrderedDict[bytes, bytes] = OrderedDict()
        self.lock = threading.Lock()

    def encode(self, content: bytes) -> bytes:
        with self.lock:
            hit = self.cache.get(content)
            if hit is not None:
                self.cache.move_to_end(content)
                return hit
        packed = zlib.compress(content)
        with self.lock:
            self.cache[content] = packed
            while len(self.cache) > SUBSET_CACHE_SIZE:
                self.cache.popitem(last=False)
        return packed

    def decode(self, encoded: bytes) -> bytes:
        return zlib.decompress(encoded)


@cache
def fonts() -> tuple[str, str]:
    """Register the bundled font twice: once for the fixed labels, whose subset is the same in
    every certificate and so made and compressed once, once for the holder's values."""
    from reportlab.pdfbase import pdfdoc, pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    label = TTFont(LABEL_FONT, str(pdf.FONT_FILE), subfontIndex=0)
    text = copy.copy(label)
    text.fontName, text.state = TEXT_FONT, {}
    face = label.face
    subsets: OrderedDict[tuple, bytes] = OrderedDict()
    lock = threading.Lock()
    make_subset, add_subset_objects = face.makeSubset, face.addSubsetObjects
    flate = _CachedFlate()

    def cached_subset(subset) -> bytes:
        key = tuple(subset)
        with lock:
            if key in subsets:
                subsets.move_to_end(key)
                return subsets[key]
        data = make_subset(subset)
        with lock:
            subsets[key] = data
            while len(subsets) > SUBSET_CACHE_SIZE:
                subsets.popitem(last=False)
        return data

    def subset_objects(doc, fontname, subset):
        reference = add_subset_objects(doc, fontname, subset)
        stream = doc.idToObject[f"fontFile:{face.filename}({fontname})"]
        if stream.filters == [pdfdoc.PDFZCompress]:
            stream.filters = [flate]
        return reference

    face.makeSubset, face.addSubsetObjects = cached_subset, subset_objects
    # ReportLab takes a second font of an already registered face name for the first one (the
    # bundled font is registered by lms.pdf too), and tags subsets by their number alone: each
    # font gets a face name of its own, so it is a font of its own and so is its subset.
    face.name = FACE_NAMES[0]
    text.face = copy.copy(face)
    text.face.name = FACE_NAMES[1]
    pdfmetrics.registerFont(label)
    pdfmetrics.registerFont(text)
    return LABEL_FONT, TEXT_FONT


def labels_first(canvas: Canvas, chars: str) -> None:
    """Give the label font's glyphs of ``chars`` their codes in this order, once per document, so
    its subset is the same whichever labels the document prints."""
    from reportlab.pdfbase import pdfmetrics

    font = pdfmetrics.getFont(LABEL_FONT)
    if canvas._doc not in font.state:
        font.splitString(chars, canvas._doc)
