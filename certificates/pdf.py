"""The certificate as a print-ready PDF: byte-stable, with the CJK font subset and the signed QR.

Each certificate fills half an A4 sheet (210 x 148.5 mm), laid out like the printout of the
electronic 特种作业操作证 / 安全合格证: the title, the holder's photo, the fields, the review record,
the issuing authority and the QR code an inspector scans. A single certificate prints on the top
half of one A4 page; a batch prints two to a page with a cut line, like the admission tickets.

The labels are fixed Chinese with an English gloss, not catalog strings: the PDF of an issued
certificate is frozen by its SHA-256 and must render to the same bytes whoever downloads it, in
whatever language, after any change to the translations.

Speed: the canvas is drawn directly (no flowables); the QR matrix comes from certificates.qr (the
same symbol as segno with a fixed mask, several times faster) and is drawn as one path in module
units; the fixed labels have a font of their own whose subset is the same in every certificate,
so it is made and compressed once (certificates.pdf_fonts); photos are decoded and scaled once
per file digest (the digest names the bytes, so the cache can never be stale) and go into the PDF
as JPEG without a second decode. Batches: certificates.pdf_batch.
"""

import hashlib
import io
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

from PIL import Image, ImageOps
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from certificates import signing
from certificates.models import Certificate, CertificateEvent, CertificateType
from certificates.pdf_fonts import fonts as _fonts
from certificates.pdf_fonts import labels_first
from certificates.qr import qr_matrix
from lms import catalog
from lms.idcard import mask_id_number
from lms.storage import FileStore, current_store

CARD_W, CARD_H = A4[0], A4[1] / 2
INSET = 8 * mm
PHOTO_W, PHOTO_H = 26 * mm, 36 * mm
#: About 200 dpi at the printed size (up to 300 dpi is kept as it comes).
PHOTO_PX = (205, 283)
QR_SIDE = 34 * mm
QR_BORDER = 2
#: Photos kept decoded and scaled, by file digest.
PHOTO_CACHE_SIZE = 512

INK = colors.HexColor("#1a1a1a")
GREY = colors.HexColor("#555555")
RED = colors.HexColor("#a4161a")
RULE = colors.HexColor("#9aa5b1")
PAPER = colors.HexColor("#fbf8ef")

TITLES = {
    CertificateType.SPECIAL_OPS: (
        "中华人民共和国特种作业操作证", "Special Operations Certificate of the People's Republic of China"),
    CertificateType.SAFETY_QUALIFICATION: (
        "安全生产知识和管理能力考核合格证", "Certificate of Work Safety Knowledge and Management Ability"),
}
POSTS = {"principal": "主要负责人 Principal person in charge",
         "safety_manager": "安全生产管理人员 Safety manager",
         "special_operations": "特种作业人员 Special operations"}


@dataclass(frozen=True)
class Sheet:
    """Everything printed on one certificate."""

    cert_type: CertificateType
    number: str
    name: str
    masked_id: str
    fields: list[tuple[str, str, str]]
    reviews: list[str]
    authority: str
    reissue: str
    qr_text: str
    photo_digest: str | None


# --- what is printed ----------------------------------------------------------------------------

def _day(value) -> str:
    return value.isoformat() if value else "—"


def _operation(cert: Certificate) -> tuple[str, str]:
    category = catalog.operation_category(cert.operation_category
                                          or (cert.operation_subtype or "").split(".")[0] or None)
    subtype = catalog.operation_subtype(cert.operation_subtype)
    return (category["zh"] if category else (cert.operation_category or "—"),
            f"{subtype['code']} {subtype['zh']}" if subtype else (cert.operation_subtype or "—"))


def _reviews(events: Iterable[CertificateEvent]) -> list[str]:
    lines = []
    for event in events:
        if event.kind != "reviewed":
            continue
        data = event.data or {}
        line = f"{event.on.isoformat()}  复审合格"
        if data.get("next_review_on"):
            line += f"  下次复审 {data['next_review_on']}"
        if data.get("authority"):
            line += f"  {data['authority']}"
        lines.append(line)
    return lines


def qr_key_of(cert: Certificate) -> str | None:
    """The key the certificate's QR was signed with when issued, where the issue recorded it, so
    a later download renders the same bytes after a key rotation."""
    for event in cert.events:
        if event.kind in ("issued", "imported", "reissued") and (event.data or {}).get("qr_key"):
            return event.data["qr_key"]
    return None


def sheet_for(cert: Certificate, *, qr_text: str | None = None) -> Sheet:
    """The texts of ``cert`` (``qr_text`` when already signed, e.g. by a batch worker)."""
    person = cert.person
    cert_type = CertificateType(cert.cert_type)
    if cert_type is CertificateType.SPECIAL_OPS:
        category, operation = _operation(cert)
        fields = [("作业类别", "Category", category), ("操作项目", "Operation", operation)]
    else:
        fields = [("人员类别", "Position", POSTS.get(cert.post, cert.post))]
    fields += [("初领日期", "Issued", _day(cert.issued_on)),
               ("有效期至", "Valid until", _day(cert.expires_on))]
    if cert_type is CertificateType.SPECIAL_OPS:
        fields.append(("应复审日期", "Next review", _day(cert.next_review_on)
                       if cert.next_review_on else "无需复审 None due"))
    reissue = f"补发（第{cert.reissue_count}次）Reissued" if cert.reissue_count else ""
    if qr_text is None:
        qr_text = signing.sign_payload(cert, kid=qr_key_of(cert))
    return Sheet(cert_type=cert_type, number=cert.number or "—", name=person.name,
                 masked_id=mask_id_number(person.id_number), fields=fields,
                 reviews=_reviews(cert.events), authority=cert.issuing_authority or "—",
                 reissue=reissue, qr_text=qr_text, photo_digest=person.photo_digest)


# --- photos and QR codes ------------------------------------------------------------------------

_photos: OrderedDict[str, bytes | None] = OrderedDict()
_photos_lock = threading.Lock()


def photo_jpeg(digest: str | None) -> bytes | None:
    """The holder's photo as a JPEG scaled for print, or None (placeholder); cached by digest."""
    if digest is None:
        return None
    with _photos_lock:
        if digest in _photos:
            _photos.move_to_end(digest)
            return _photos[digest]
    data = _load_photo(current_store(), digest)
    with _photos_lock:
        _photos[digest] = data
        while len(_photos) > PHOTO_CACHE_SIZE:
            _photos.popitem(last=False)
    return data


def _load_photo(store: FileStore, digest: str) -> bytes | None:
    """The stored photo scaled for print; None when it is missing or unreadable (placeholder)."""
    try:
        with store.open(digest) as fh:
            return _scaled(fh)
    except (OSError, ValueError, SyntaxError):
        return None


def _scaled(fh: BinaryIO) -> bytes:
    with Image.open(fh) as image:
        image.draft("RGB", PHOTO_PX)
        scaled = ImageOps.exif_transpose(image)
        if scaled.mode != "RGB":
            rgba = scaled.convert("RGBA")
            paper = Image.new("RGB", rgba.size, "white")
            paper.paste(rgba, mask=rgba.getchannel("A"))
            scaled = paper
        # JPEGs were decoded at a fraction of their size already; what is left is reduced by
        # whole factors (cheap), and scaled to the printed size only beyond 1.5 times it (up to
        # 300 dpi is kept: resampling would cost more than the few extra bytes).
        factor = min(scaled.size[0] // PHOTO_PX[0], scaled.size[1] // PHOTO_PX[1])
        if factor >= 2:
            scaled = scaled.reduce(factor)
        if scaled.size[0] > 1.5 * PHOTO_PX[0] or scaled.size[1] > 1.5 * PHOTO_PX[1]:
            scaled.thumbnail(PHOTO_PX, Image.Resampling.BILINEAR, reducing_gap=None)
        out = io.BytesIO()
        scaled.save(out, "JPEG", quality=80)
    return out.getvalue()


_DARK_RUN = re.compile(rb"\x01+")


def qr_runs(text: str) -> tuple[int, str]:
    """The QR code of ``text`` (error level M, fixed mask) as its width in modules and the PDF
    path of its dark modules, one rectangle per run, in module units from the top left."""
    matrix = qr_matrix(text)
    ops = [f"{m.start()} {r} {m.end() - m.start()} 1 re"
           for r, row in enumerate(matrix) for m in _DARK_RUN.finditer(bytes(row))]
    return len(matrix), "\n".join(ops)


def draw_qr(canvas: Canvas, qr: tuple[int, str], x: float, y: float, side: float) -> None:
    """The QR code ``side`` wide with its lower-left corner at (x, y), quiet zone included, as
    one filled path drawn in module units (a few bytes per run instead of four scaled numbers)."""
    size, ops = qr
    box = side / (size + 2 * QR_BORDER)
    canvas.saveState()
    canvas.setFillColor(colors.black)
    canvas.transform(box, 0, 0, -box, x + QR_BORDER * box, y + side - QR_BORDER * box)
    canvas.addLiteral(f"{ops}\nf")
    canvas.restoreState()


#: Every fixed text printed in the label font; its glyphs are put in the subset first, in this
#: order, so the label font's subset is the same in every certificate (and cached).
LABEL_TEXTS = (*(t for pair in TITLES.values() for t in pair), "证号", "No.", "姓名", "Name",
               "身份证号", "ID No.", "作业类别", "Category", "操作项目", "Operation", "人员类别",
               "Position", "初领日期", "Issued", "有效期至", "Valid until", "应复审日期",
               "Next review", "扫码核验 Scan to verify", "复审记录", "Review record", "—", "签发机关",
               "Issued by", "本证在全国范围内有效 Valid nationwide", "照片", "Photo",
               "没有可打印的证书 No certificates to print", "证书打印 Certificates")
LABEL_CHARS = "".join(sorted(set("".join(LABEL_TEXTS)) - {" "}))


# --- drawing ------------------------------------------------------------------------------------

def _fit(text: str, font: str, size: float, width: float, smallest: float = 6) -> float:
    wide = stringWidth(text, font, size)
    return size if wide <= width else max(smallest, size * width / wide)


def _draw_frame(canvas: Canvas, y0: float) -> None:
    """Paper tint and the double border of a certificate whose half sheet starts at ``y0``."""
    canvas.saveState()
    canvas.setFillColor(PAPER)
    canvas.setStrokeColor(RED)
    canvas.setLineWidth(1.4)
    canvas.rect(INSET, y0 + INSET, CARD_W - 2 * INSET, CARD_H - 2 * INSET, fill=1, stroke=1)
    canvas.setLineWidth(0.5)
    inner = 1.6 * mm
    canvas.rect(INSET + inner, y0 + INSET + inner, CARD_W - 2 * (INSET + inner),
                CARD_H - 2 * (INSET + inner), fill=0, stroke=1)
    canvas.restoreState()


def _draw_sheet(canvas: Canvas, sheet: Sheet, y0: float, qr, photo: bytes | None) -> None:
    label, text = _fonts()
    labels_first(canvas, LABEL_CHARS)
    _draw_frame(canvas, y0)
    left, right = INSET + 7 * mm, CARD_W - INSET - 7 * mm
    top = y0 + CARD_H - INSET - 6 * mm
    title, title_en = TITLES[sheet.cert_type]
    canvas.setFillColor(RED)
    canvas.setFont(label, 17)
    canvas.drawCentredString(CARD_W / 2, top - 6 * mm, title)
    canvas.setFont(label, 7.5)
    canvas.drawCentredString(CARD_W / 2, top - 10.5 * mm, title_en)
    # Number line, with the reissue annotation where there is one.
    number_y = top - 18 * mm
    _pair(canvas, left, number_y, "证号", "No.", 10)
    canvas.setFillColor(INK)
    canvas.setFont(text, 11)
    canvas.drawString(left + 16 * mm, number_y, sheet.number)
    if sheet.reissue:
        canvas.setFillColor(RED)
        canvas.setFont(text, 9)
        canvas.drawRightString(right, number_y, sheet.reissue)
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    canvas.line(left, number_y - 2.5 * mm, right, number_y - 2.5 * mm)
    # Photo at the left, fields in the middle, the QR code at the right.
    photo_top = number_y - 6 * mm
    _draw_photo(canvas, photo, left, photo_top - PHOTO_H)
    fx = left + PHOTO_W + 7 * mm
    value_x = fx + 30 * mm
    value_w = right - QR_SIDE - 4 * mm - value_x
    rows = [("姓名", "Name", sheet.name), ("身份证号", "ID No.", sheet.masked_id), *sheet.fields]
    y = photo_top - 4 * mm
    for zh, en, value in rows:
        _pair(canvas, fx, y, zh, en, 9)
        canvas.setFillColor(INK)
        canvas.setFont(text, _fit(value, text, 10.5, value_w))
        canvas.drawString(value_x, y, value)
        y -= 6.6 * mm
    qr_y = photo_top - QR_SIDE
    canvas.setFillColor(colors.white)
    canvas.rect(right - QR_SIDE, qr_y, QR_SIDE, QR_SIDE, fill=1, stroke=0)
    draw_qr(canvas, qr, right - QR_SIDE, qr_y, QR_SIDE)
    canvas.setFillColor(GREY)
    canvas.setFont(label, 7)
    canvas.drawCentredString(right - QR_SIDE / 2, qr_y - 3.5 * mm, "扫码核验 Scan to verify")
    # Review record and the issuing authority at the foot.
    foot = y0 + INSET + 7 * mm
    _draw_reviews(canvas, sheet, left, min(y, qr_y - 6 * mm) - 1 * mm, foot + 8 * mm, right)
    _pair(canvas, left, foot, "签发机关", "Issued by", 10)
    canvas.setFillColor(INK)
    canvas.setFont(text, _fit(sheet.authority, text, 11, 100 * mm))
    canvas.drawString(left + 30 * mm, foot, sheet.authority)
    canvas.setFillColor(GREY)
    canvas.setFont(label, 6.5)
    canvas.drawRightString(right, foot, "本证在全国范围内有效 Valid nationwide")


def _pair(canvas: Canvas, x: float, y: float, zh: str, en: str, size: float) -> None:
    """A label in Chinese with its English gloss after it, smaller."""
    label = _fonts()[0]
    canvas.setFillColor(GREY)
    canvas.setFont(label, size)
    canvas.drawString(x, y, zh)
    canvas.setFont(label, size * 0.66)
    canvas.drawString(x + stringWidth(zh, label, size) + 1.2 * mm, y, en)


def _draw_reviews(canvas: Canvas, sheet: Sheet, x: float, y_top: float, y_bottom: float,
                  right: float) -> None:
    if sheet.cert_type is not CertificateType.SPECIAL_OPS and not sheet.reviews:
        return
    label, text = _fonts()
    _pair(canvas, x, y_top, "复审记录", "Review record", 9)
    canvas.setStrokeColor(RULE)
    canvas.line(x, y_top - 1.5 * mm, right, y_top - 1.5 * mm)
    canvas.setFillColor(INK)
    y = y_top - 5.5 * mm
    lines = sheet.reviews
    room = max(1, int((y - y_bottom) // (4.5 * mm)) + 1)
    if len(lines) > room:
        lines = lines[-room:]
    if not lines:
        canvas.setFont(label, 8.5)
        canvas.drawString(x + 2 * mm, y, "—")
    canvas.setFont(text, 8.5)
    for line in lines:
        canvas.drawString(x + 2 * mm, y, line)
        y -= 4.5 * mm


def _draw_photo(canvas: Canvas, photo: bytes | None, x: float, y: float) -> None:
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.6)
    if photo is None:
        canvas.setFillColor(colors.HexColor("#eef1f4"))
        canvas.rect(x, y, PHOTO_W, PHOTO_H, fill=1, stroke=1)
        canvas.setFillColor(GREY)
        canvas.setFont(_fonts()[0], 9)
        canvas.drawCentredString(x + PHOTO_W / 2, y + PHOTO_H / 2, "照片")
        canvas.drawCentredString(x + PHOTO_W / 2, y + PHOTO_H / 2 - 4 * mm, "Photo")
        return
    name, width, height = _draw_jpeg(canvas, photo)
    scale = min(PHOTO_W / width, PHOTO_H / height)
    w, h = width * scale, height * scale
    canvas.saveState()
    canvas.translate(x + (PHOTO_W - w) / 2, y + (PHOTO_H - h) / 2)
    canvas.scale(w, h)
    canvas.addLiteral(f"/{name} Do")
    canvas.restoreState()
    canvas.rect(x, y, PHOTO_W, PHOTO_H, fill=0, stroke=1)


def _draw_jpeg(canvas: Canvas, data: bytes) -> tuple[str, int, int]:
    """Put the JPEG into the document once, as it is; return its XObject name and pixel size.

    As Canvas.drawImage does, except that drawImage decodes the photo to name it by its pixels (a
    second decode of every photo): the JPEG's own bytes name it just as well.
    """
    from reportlab.pdfbase import pdfdoc, pdfutils

    name = "jpeg" + hashlib.sha1(data, usedforsecurity=False).hexdigest()
    registered = canvas._doc.getXObjectName(name)
    image = canvas._doc.idToObject.get(registered)
    if image is None:
        # The JPEG goes in as it is (DCTDecode alone): ReportLab would wrap it in ASCII85 too, a
        # quarter more bytes for every photo of a batch, in memory and in the file.
        width, height = pdfutils.readJPEGInfo(io.BytesIO(data))[:2]
        image = pdfdoc.PDFImageXObject(name)
        image.width, image.height, image.bitsPerComponent = width, height, 8
        image.colorSpace, image.streamContent, image._filters = "DeviceRGB", data, ("DCTDecode",)
        canvas._setXObjects(image)
        canvas._doc.Reference(image, registered)
        canvas._doc.addForm(name, image)
    canvas._currentPageHasImages = 1
    canvas._formsinuse.append(name)
    return registered, image.width, image.height


def _draw_watermark(canvas: Canvas, text: str, y0: float) -> None:
    """``text`` large and diagonal across the certificate, in translucent red."""
    font = _fonts()[1]
    canvas.saveState()
    canvas.setFillColor(RED)
    canvas.setFillAlpha(0.28)
    canvas.translate(CARD_W / 2, y0 + CARD_H / 2)
    canvas.rotate(math.degrees(math.atan2(CARD_H - 2 * INSET, CARD_W - 2 * INSET)))
    size = _fit(text, font, 60, CARD_W * 0.9, smallest=20)
    canvas.setFont(font, size)
    canvas.drawCentredString(0, -size / 3, text)
    canvas.restoreState()


def _cut_line(canvas: Canvas) -> None:
    canvas.saveState()
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.4)
    canvas.setDash(3, 3)
    canvas.line(4 * mm, CARD_H, CARD_W - 4 * mm, CARD_H)
    canvas.restoreState()


def _canvas(out, title: str) -> Canvas:
    # The initial font is one of ours: a canvas starts every page in Helvetica otherwise, which
    # would be listed (unembedded) among the document's fonts.
    canvas = Canvas(out, pagesize=A4, invariant=1, pageCompression=1, initialFontName=_fonts()[0])
    canvas.setTitle(title)
    canvas.setSubject(title)
    canvas.setCreator("LMS certificates")
    return canvas


# --- documents ----------------------------------------------------------------------------------

def render_certificate(cert: Certificate, *, watermark: str | None = None) -> bytes:
    """The certificate on the top half of an A4 page; the same record gives the same bytes.

    ``watermark`` (e.g. "已撤销 REVOKED") is printed across it for a certificate that no longer
    stands; the caller decides.
    """
    sheet = sheet_for(cert)
    buffer = io.BytesIO()
    canvas = _canvas(buffer, f"{TITLES[sheet.cert_type][0]} {sheet.number}")
    _draw_sheet(canvas, sheet, CARD_H, qr_runs(sheet.qr_text), photo_jpeg(sheet.photo_digest))
    if watermark:
        _draw_watermark(canvas, watermark, CARD_H)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
