"""Safe reading and writing of spreadsheets: every Excel and CSV import and export goes through here.

Reading refuses a file before openpyxl parses it when the zip package declares more bytes than a real
file needs, or when one cheap streaming pass counts more rows, cells or other XML elements than one
holds (zip and XML bombs); that pass also reads the merged ranges. Then it streams the first sheet's
rows in openpyxl's read-only mode with a fixed width and a row cap. Writing keeps text that looks like
a formula as text, so an exported name or stem can never run in the reader's Excel.
"""

import csv
import io
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple
from xml.etree.ElementTree import ParseError

from defusedxml.ElementTree import DefusedXMLParser
from flask import current_app, has_app_context
from openpyxl import load_workbook
from openpyxl.cell import Cell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook import Workbook

from lms.config import Config
from lms.i18n import _l

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv; charset=utf-8"

#: Text starting with one of these is run as a formula by Excel or LibreOffice (CSV, or an edited cell).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

#: What openpyxl, zipfile and the XML parsers raise on a damaged or hostile package.
_BROKEN = (InvalidFileException, zipfile.BadZipFile, zlib.error, KeyError, IndexError, OSError,
           ValueError, TypeError, EOFError, ParseError)


class SpreadsheetRefused(ValueError):
    """A file refused as a whole; ``args[0]`` is a translated message that says why."""


class MergedRange(NamedTuple):
    """One ``<mergeCell>`` of a sheet, as written and as 1-based bounds."""

    ref: str
    min_col: int
    min_row: int
    max_col: int
    max_row: int


@dataclass
class Table:
    """The rows of a sheet or CSV file (header first), its merged ranges and the CSV's encoding."""

    rows: list[tuple]
    merged: list[MergedRange] = field(default_factory=list)
    encoding: str | None = None


# -- limits ------------------------------------------------------------------------------------------

def _setting(name: str) -> int:
    """A limit from the app's config, or its default when no app runs (scripts, benchmarks)."""
    if has_app_context():
        return current_app.config.get(name, getattr(Config, name))
    return getattr(Config, name)


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(n // 1024, 1)} KB"


def _not_xlsx() -> SpreadsheetRefused:
    return SpreadsheetRefused(_l("This file is not an Excel workbook (.xlsx)."))


def check_file_size(size: int) -> None:
    """Refuse a file of ``size`` bytes when it is larger than SPREADSHEET_MAX_FILE_BYTES."""
    limit = _setting("SPREADSHEET_MAX_FILE_BYTES")
    if size > limit:
        raise SpreadsheetRefused(_l("The file is %(size)s, more than the %(limit)s accepted.",
                                    size=_size(size), limit=_size(limit)))


def read_file(path: Path) -> bytes:
    """A local file's bytes for an import, refused by its size before it is read."""
    limit = _setting("SPREADSHEET_MAX_FILE_BYTES")
    check_file_size(path.stat().st_size)
    with path.open("rb") as handle:
        # Read one byte past the limit: a file that grew, or a pipe stat cannot measure, is still caught.
        data = handle.read(limit + 1)
    check_file_size(len(data))
    return data


def _check_package(archive: zipfile.ZipFile) -> None:
    """Refuse a zip package whose declared sizes promise more work than any real workbook needs.

    zipfile never unpacks an entry past its declared size, so the declared sizes bound the work.
    """
    infos = archive.infolist()
    limit = _setting("SPREADSHEET_MAX_ENTRIES")
    if len(infos) > limit:
        raise SpreadsheetRefused(_l("The workbook holds %(n)d parts, more than the %(limit)d accepted.",
                                    n=len(infos), limit=limit))
    total, limit = sum(info.file_size for info in infos), _setting("SPREADSHEET_MAX_UNCOMPRESSED_BYTES")
    if total > limit:
        raise SpreadsheetRefused(_l("The workbook unpacks to %(size)s, more than the %(limit)s accepted. "
                                    "Split it into smaller files.", size=_size(total), limit=_size(limit)))
    for info in infos:
        _check_entry(info)


def _check_entry(info: zipfile.ZipInfo) -> None:
    # Excel only deflates; bzip2 and lzma decompress without an output bound per call, and an
    # encrypted part cannot be read anyway.
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.flag_bits & 0x1:
        raise _not_xlsx()
    ratio, limit = info.file_size / max(info.compress_size, 1), _setting("SPREADSHEET_MAX_RATIO")
    if info.file_size >= _setting("SPREADSHEET_RATIO_MIN_BYTES") and ratio > limit:
        raise SpreadsheetRefused(_l("The workbook part %(part)s unpacks to %(ratio)d times its packed "
                                    "size, more than the %(limit)d times accepted.",
                                    part=info.filename[:80], ratio=int(ratio), limit=limit))


# -- reading -----------------------------------------------------------------------------------------

def read_xlsx(data: bytes, *, max_rows: int, max_columns: int | None = None) -> Table:
    """The first sheet: its header and at most ``max_rows`` rows, and its merged ranges."""
    columns = max_columns or _setting("SPREADSHEET_MAX_COLUMNS")
    archive = _open_package(data)
    with archive:
        _check_package(archive)
        try:
            parts = _scan_package(archive, max_cells=(max_rows + 1) * columns)
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except SpreadsheetRefused:
            raise
        except _BROKEN:
            raise _not_xlsx() from None
        try:
            sheet = workbook.worksheets[0]
            # openpyxl keeps the sheet's part name only privately; it is the one its rows come from.
            merged = _check_first_sheet(parts[sheet._worksheet_path.lstrip("/")], max_rows, columns)
            return Table(rows=_sheet_rows(sheet, max_rows, columns), merged=merged)
        except SpreadsheetRefused:
            raise
        except _BROKEN:
            raise _not_xlsx() from None
        finally:
            workbook.close()


def _open_package(data: bytes) -> zipfile.ZipFile:
    if not data.startswith(b"PK\x03\x04"):
        raise _not_xlsx()
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _not_xlsx() from None


def _too_many_rows(max_rows: int) -> SpreadsheetRefused:
    return SpreadsheetRefused(_l("The sheet has more than %(limit)d rows below the header. Split it into "
                                 "smaller files.", limit=max_rows))


def _sheet_rows(sheet, max_rows: int, columns: int) -> list[tuple]:
    # The <dimension> element is the file's own claim (A1:XFD1048576 would make every row 16,384
    # cells wide): forget it and cut every row at ``columns``.
    sheet.reset_dimensions()
    rows = []
    for row in sheet.iter_rows(min_row=1, min_col=1, max_col=columns, values_only=True):
        if len(rows) > max_rows:  # the header and max_rows rows are in: stop before reading on
            raise _too_many_rows(max_rows)
        rows.append(row)
    return rows


# -- counting a package's XML before openpyxl parses it ----------------------------------------------

#: Elements whose contents openpyxl streams (a sheet's rows, the shared-string table). Everything
#: else it builds whole, as trees and objects, at a far higher cost per element.
_BULK = ("sheetData", "sst")
#: What openpyxl turns into one object each inside those: cells, shared strings, rich-text runs.
_ITEMS = frozenset({"c", "si", "r"})
#: Elements one such item may need (c, is, t or v, f) and then some; more is no real file.
_ELEMENTS_PER_ITEM = 4


class _Budget:
    """Element counts of a whole package, refused as soon as they pass the limits."""

    def __init__(self, max_cells: int):
        self.max_cells, self.max_other = max_cells, _setting("SPREADSHEET_MAX_OTHER_ELEMENTS")
        # Each cell may hold a shared string of its own: twice the cells is the most a real file needs.
        self.max_items = 2 * max_cells
        self.max_merged = _setting("SPREADSHEET_MAX_MERGED_RANGES")
        self.items = self.bulk = self.other = 0

    def add_bulk(self, is_item: bool) -> None:
        """One element inside a sheet's rows or the shared-string table."""
        self.bulk += 1
        self.items += is_item
        if self.items > self.max_items or self.bulk > self.max_items * _ELEMENTS_PER_ITEM:
            raise SpreadsheetRefused(_l("The sheet has more than %(limit)d cells.", limit=self.max_cells))

    def add_other(self) -> None:
        """One element anywhere else: styles, workbook, content types, other parts."""
        self.other += 1
        if self.other > self.max_other:
            raise SpreadsheetRefused(_l("Besides its cells the workbook holds more than %(limit)d XML "
                                        "elements (styles, charts, other parts). Copy the sheet into a new "
                                        "workbook and try again.", limit=self.max_other))


class _PartScan:
    """Parser target for one part: counts its elements into the package budget; keeps its rows and merges.

    Only counts are kept, no tree, so the scan costs little whatever the part holds.
    """

    def __init__(self, budget: _Budget):
        self.budget, self.depth, self.rows = budget, 0, 0
        self.merges: list[str] = []

    def start(self, tag: str, attrib: dict) -> None:
        """Called by the parser for every opening tag."""
        name = tag.rpartition("}")[2]
        if self.depth:
            self.budget.add_bulk(name in _ITEMS)
            self.rows += name == "row"
        else:
            self.budget.add_other()
            if name == "mergeCell":
                if len(self.merges) >= self.budget.max_merged:
                    raise SpreadsheetRefused(_l("The sheet has more than %(limit)d merged cell ranges. "
                                                "Unmerge the cells and try again.",
                                                limit=self.budget.max_merged))
                self.merges.append(attrib.get("ref", ""))
        if name in _BULK:
            self.depth += 1

    def end(self, tag: str) -> None:
        """Called by the parser for every closing tag."""
        if self.depth and tag.endswith(_BULK) and tag.rpartition("}")[2] in _BULK:
            self.depth -= 1

    def close(self) -> "_PartScan":
        """What the parser returns at the end of the part."""
        return self


def _scan_package(archive: zipfile.ZipFile, *, max_cells: int) -> dict[str, _PartScan]:
    """Count every part's XML elements in one streaming pass; refuse the file past the limits.

    openpyxl's work grows with elements, which byte limits bound only loosely (short elements pack
    tightly): 80 MB of content types cost it 28 s and 1.4 GB. Every part is counted, whatever its name
    or declared type, because a package's own links decide which parts openpyxl parses. DTDs (and so
    entity expansion) are refused; a part that is not XML is counted up to where it stops being XML,
    as far as any XML parser would get.
    """
    budget = _Budget(max_cells)
    scans = {}
    for info in archive.infolist():
        scans[info.filename] = scan = _PartScan(budget)
        parser = DefusedXMLParser(target=scan, forbid_dtd=True)
        with archive.open(info) as source:
            try:
                while chunk := source.read(1 << 16):
                    parser.feed(chunk)
                parser.close()
            except ParseError:
                continue
    return scans


def _check_first_sheet(scan: _PartScan, max_rows: int, columns: int) -> list[MergedRange]:
    """Refuse the sheet by its counted rows before reading them; its merged ranges, checked."""
    if scan.rows > max_rows + 1:
        raise _too_many_rows(max_rows)
    return [_merged_range(ref, max_rows + 1, columns) for ref in scan.merges]


def _merged_range(ref: str, max_row: int, max_col: int) -> MergedRange:
    bounds = range_boundaries(ref)  # ValueError on nonsense, reported as a broken workbook
    if None in bounds or bounds[2] > max_col or bounds[3] > max_row:
        raise SpreadsheetRefused(_l("Merged cells %(ref)s reach beyond row %(rows)d or column %(column)s, "
                                    "the largest sheet accepted. Unmerge the cells and try again.",
                                    ref=ref[:40], rows=max_row, column=get_column_letter(max_col)))
    return MergedRange(ref, *bounds)


def decode_csv(data: bytes) -> tuple[str, str]:
    """Text and the encoding found: UTF-8 (with or without BOM), else GB18030 (covers GBK)."""
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "GB18030"
    except UnicodeDecodeError:
        raise SpreadsheetRefused(_l("The CSV file is neither UTF-8 nor GBK/GB18030 text.")) from None


def read_csv(data: bytes, *, max_rows: int, max_columns: int | None = None) -> Table:
    """A CSV file's header and at most ``max_rows`` rows, each cut at ``max_columns`` cells."""
    check_file_size(len(data))
    columns = max_columns or _setting("SPREADSHEET_MAX_COLUMNS")
    text, encoding = decode_csv(data)
    rows = []
    try:
        for row in csv.reader(io.StringIO(text)):
            if len(rows) > max_rows:
                raise _too_many_rows(max_rows)
            rows.append(tuple(row[:columns]))
    except csv.Error as exc:
        raise SpreadsheetRefused(_l("The CSV file cannot be read: %(reason)s", reason=str(exc))) from None
    return Table(rows=rows, encoding=encoding)


# -- writing -----------------------------------------------------------------------------------------

def looks_like_formula(value) -> bool:
    """True for text that a spreadsheet program would run as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def _cell(sheet, value) -> Cell | None:
    if value is None:
        return None
    if isinstance(value, str):
        # Control characters cannot be stored in the XML of a workbook; dropping them keeps an
        # export of text someone pasted with such bytes from failing as a whole.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    # Placeholder position: append sets the real one. Every value becomes its own Cell because a
    # write-only sheet reuses one cell for plain values, which would inherit a text cell's style.
    cell = Cell(sheet, row=1, column=1, value=value)
    if looks_like_formula(value):
        cell.data_type = "s"  # openpyxl would store text starting with "=" as a formula
        cell.quotePrefix = True  # and Excel keeps it text even when someone edits the cell
    return cell


def append_row(sheet, values: Iterable) -> None:
    """Append a row to an openpyxl sheet; formula-like text is stored as text, other values as they are."""
    sheet.append([_cell(sheet, value) for value in values])


def save_workbook(workbook: Workbook) -> bytes:
    """The .xlsx bytes of a workbook."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_cell(value) -> str:
    """A value as CSV text; formula-like text gets a leading quote, the usual defence."""
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if looks_like_formula(value) else value
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def csv_bytes(rows: Iterable[Iterable]) -> bytes:
    """Rows as CSV in UTF-8 with a BOM (so Excel shows Chinese right), formula-like text defused."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
