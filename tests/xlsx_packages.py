"""Hand-built .xlsx packages for the spreadsheet-limit tests: real zip files, hostile on purpose.

Each is a minimal valid package ([Content_Types].xml, _rels/.rels, xl/workbook.xml,
xl/_rels/workbook.xml.rels, xl/worksheets/sheet1.xml, optionally xl/sharedStrings.xml), written with
zipfile so that the bombs cost the test little to make.
"""

import io
import zipfile
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
RELS_TYPE = "application/vnd.openxmlformats-package.relationships+xml"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _content_types(shared: bool) -> str:
    strings = (f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHEET_TYPE}.sharedStrings+xml"/>'
               if shared else "")
    return (HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="{RELS_TYPE}"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{SHEET_TYPE}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SHEET_TYPE}.worksheet+xml"/>'
            f"{strings}</Types>")


def _workbook_rels(shared: bool) -> str:
    strings = (f'<Relationship Id="rId2" Type="{DOC_RELS}/sharedStrings" Target="sharedStrings.xml"/>'
               if shared else "")
    return (HEAD + f'<Relationships xmlns="{RELS}">'
            f'<Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
            f"{strings}</Relationships>")


def cell(ref: str, value) -> str:
    """One cell: text inline (no shared strings needed), numbers as numbers."""
    if isinstance(value, str):
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'
    return f'<c r="{ref}"><v>{value}</v></c>'


def row_xml(number: int, values) -> str:
    """A ``<row>`` with the non-empty values of one row."""
    cells = "".join(cell(f"{get_column_letter(i)}{number}", v)
                    for i, v in enumerate(values, start=1) if v not in (None, ""))
    return f'<row r="{number}">{cells}</row>'


def sheet_xml(rows_xml: str, *, merges=(), dimension: str | None = None, doctype: str = "") -> str:
    """A worksheet part around ready-made row XML."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    merged = "".join(f'<mergeCell ref="{ref}"/>' for ref in merges)
    merged = f'<mergeCells count="{len(merges)}">{merged}</mergeCells>' if merges else ""
    return (HEAD + doctype + f'<worksheet xmlns="{MAIN}">{dim}<sheetData>{rows_xml}</sheetData>'
            f"{merged}</worksheet>")


def package(sheet: str, *, shared_strings=None, extra_parts: dict | None = None) -> bytes:
    """The zip bytes of a one-sheet workbook.

    ``shared_strings`` is None (no part), or a callable that writes the part's bytes to a file.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        shared = shared_strings is not None
        archive.writestr("[Content_Types].xml", _content_types(shared))
        archive.writestr("_rels/.rels", HEAD + f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
                         f'Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        archive.writestr("xl/workbook.xml", HEAD + f'<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><sheets>'
                         '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
        archive.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(shared))
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        if shared:
            with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
                shared_strings(part)
        for name, data in (extra_parts or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def workbook(rows, **options) -> bytes:
    """A workbook whose first sheet holds ``rows`` (header first); options go to sheet_xml."""
    body = "".join(row_xml(n, values) for n, values in enumerate(rows, start=1))
    return package(sheet_xml(body, **options))


def merged_bomb(header) -> bytes:
    """The probe's 1.6 KB file: a header and one merged range of a million rows by ten columns."""
    return workbook([header], merges=["A2:J1000001"])


def shared_strings_bomb(header, megabytes: int = 300) -> bytes:
    """A header and a sharedStrings part that unpacks to ``megabytes`` MB of one repeated string.

    Written in 1 MB pieces through the zip stream: the test holds only the packed result (~300 KB).
    """
    piece = b"<si><t>" + b"A" * (1024 * 1024 - 15) + b"</t></si>"

    def write(part):
        part.write(HEAD.encode() + f'<sst xmlns="{MAIN}">'.encode())
        for _ in range(megabytes):
            part.write(piece)
        part.write(b"</sst>")

    return package(sheet_xml(row_xml(1, header)), shared_strings=write)


def too_many_rows(header, data_row, max_rows: int) -> bytes:
    """A header, ``max_rows + 1`` copies of ``data_row``, then a row that breaks any reader that gets there.

    The last row points at shared string 999999 of a workbook that has none: openpyxl fails on it,
    so a reader that stops at the cap never sees it.
    """
    rows = [row_xml(1, header)] + [row_xml(n, data_row) for n in range(2, max_rows + 3)]
    poison = f'<row r="{max_rows + 3}"><c r="A{max_rows + 3}" t="s"><v>999999</v></c></row>'
    # A true <dimension>, as Excel writes one: without it openpyxl reads the whole sheet to look for it.
    dimension = f"A1:{get_column_letter(len(header))}{max_rows + 3}"
    return package(sheet_xml("".join(rows) + poison, dimension=dimension))
