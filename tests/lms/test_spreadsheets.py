"""The shared spreadsheet reader refuses bombs before parsing them; the writer keeps formulas as text.

The bombs are built by hand in tests/xlsx_packages.py: real zip packages, cheap to make.
"""

import io
from datetime import date
from functools import cache

import pytest
import xlsx_packages as xp
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from lms import spreadsheets
from lms.config import Config
from lms.extensions import db
from lms.models import Employment, Person, RosterImport
from lms.roles import Role
from lms.roster.columns import COLUMNS, MAX_ROWS
from lms.roster.parser import read_workbook_rows
from lms.spreadsheets import (
    SpreadsheetRefused,
    append_row,
    csv_bytes,
    read_csv,
    read_file,
    read_xlsx,
    save_workbook,
)

from support import valid_id_number

HEADER = [h for _f, h, _w in COLUMNS]
PERSON = ["张三", valid_id_number(seq=31), "其他从业人员", None, None, "2024-01-01"]
EVIL = '=HYPERLINK("http://evil","x")'
WIDTH = Config.SPREADSHEET_MAX_COLUMNS
SHARED_STRINGS_BOMB = cache(lambda: xp.shared_strings_bomb(HEADER, megabytes=300))  # built once


@pytest.fixture
def english(app):
    """A request in English, so refusals render in the language the assertions use."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield app


def refusal(read, *args, **kwargs) -> str:
    with pytest.raises(SpreadsheetRefused) as caught:
        read(*args, **kwargs)
    return str(caught.value.args[0])


def _never(*_args, **_kwargs):
    raise AssertionError("the file was read or parsed although a limit had refused it")


# -- the package is judged before it is parsed ----------------------------------------------------------

def test_a_shared_strings_bomb_is_refused_from_its_declared_size_before_parsing(english, monkeypatch):
    bomb = SHARED_STRINGS_BOMB()
    assert len(bomb) < 1024 * 1024, "packed, the bomb is small; unpacked it is 300 MB"
    monkeypatch.setattr(spreadsheets, "load_workbook", _never)
    message = refusal(read_xlsx, bomb, max_rows=10)
    assert "unpacks to 300.0 MB, more than the 100.0 MB accepted" in message


def test_a_part_packed_far_tighter_than_real_files_is_refused(english, monkeypatch):
    bomb = xp.shared_strings_bomb(HEADER, megabytes=20)  # under the total cap, but ~1000:1
    monkeypatch.setattr(spreadsheets, "load_workbook", _never)
    message = refusal(read_xlsx, bomb, max_rows=10)
    assert "xl/sharedStrings.xml" in message and "more than the 100 times accepted" in message


def test_package_limits_come_from_the_app_config(english, monkeypatch):
    data = xp.workbook([HEADER, PERSON])
    assert len(read_xlsx(data, max_rows=10).rows) == 2
    monkeypatch.setitem(english.config, "SPREADSHEET_MAX_ENTRIES", 4)
    assert "holds 5 parts, more than the 4 accepted" in refusal(read_xlsx, data, max_rows=10)
    monkeypatch.setitem(english.config, "SPREADSHEET_MAX_ENTRIES", 500)
    monkeypatch.setitem(english.config, "SPREADSHEET_MAX_UNCOMPRESSED_BYTES", 1024)
    assert "more than the 1 KB accepted" in refusal(read_xlsx, data, max_rows=10)


def test_the_merged_range_bomb_is_refused_by_its_reach(english):
    message = refusal(read_xlsx, xp.merged_bomb(HEADER), max_rows=MAX_ROWS)
    assert "Merged cells A2:J1000001 reach beyond row 5001" in message


def test_merged_ranges_within_the_caps_are_returned_and_too_many_are_refused(english):
    data = xp.workbook([HEADER, PERSON, PERSON], merges=["B2:B3"])
    merged = read_xlsx(data, max_rows=10).merged
    assert [(m.ref, m.min_row, m.max_row, m.min_col, m.max_col) for m in merged] == [("B2:B3", 2, 3, 2, 2)]
    many = xp.workbook([HEADER], merges=[f"A{n}:B{n}" for n in range(2, 1003)])
    assert "more than 1000 merged cell ranges" in refusal(read_xlsx, many, max_rows=5000)
    whole_column = xp.workbook([HEADER], merges=["A:A"])
    assert "Merged cells A:A reach beyond" in refusal(read_xlsx, whole_column, max_rows=5000)


def test_tightly_packed_cells_are_counted_and_refused_before_openpyxl_parses(english, monkeypatch):
    # (10 rows + header) x 6 columns = 66 cells, each with room for a shared string: 132 items at most.
    fits = xp.workbook([HEADER, list(range(60)), list(range(60))])  # 126 cells
    assert len(read_xlsx(fits, max_rows=10, max_columns=6).rows) == 3
    monkeypatch.setattr(spreadsheets, "load_workbook", _never)
    packed = xp.workbook([HEADER, list(range(60)), list(range(60)), list(range(7))])  # 133 cells
    assert "more than 66 cells" in refusal(read_xlsx, packed, max_rows=10, max_columns=6)


def test_elements_outside_the_cells_are_counted_in_every_part_whatever_its_name(english, monkeypatch):
    junk = "<junk>" + "<x/>" * 100 + "</junk>"  # not linked from anywhere: counted all the same
    data = xp.package(xp.sheet_xml(xp.row_xml(1, HEADER)), extra_parts={"docs/readme.bin": junk})
    assert len(read_xlsx(data, max_rows=10).rows) == 1
    monkeypatch.setitem(english.config, "SPREADSHEET_MAX_OTHER_ELEMENTS", 100)
    monkeypatch.setattr(spreadsheets, "load_workbook", _never)
    assert "more than 100 XML elements" in refusal(read_xlsx, data, max_rows=10)


def _shared_strings_workbook(texts: list[str]) -> bytes:
    """A sheet whose first column points at ``texts`` through the shared-strings part, as Excel writes."""
    items = "".join(f"<si><t>{text}</t></si>" for text in texts).encode()
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="s"><v>{n - 1}</v></c></row>'
                   for n in range(1, len(texts) + 1))
    return xp.package(xp.sheet_xml(rows), shared_strings=lambda part: part.write(
        f'<sst xmlns="{xp.MAIN}">'.encode() + items + b"</sst>"))


def test_more_shared_strings_than_cells_are_refused_before_openpyxl_loads_them(english, monkeypatch):
    fine = _shared_strings_workbook(["姓名", "张三", "李四"])
    assert [row[0] for row in read_xlsx(fine, max_rows=5, max_columns=2).rows] == ["姓名", "张三", "李四"]
    monkeypatch.setattr(spreadsheets, "load_workbook", _never)
    flood = _shared_strings_workbook([f"s{n}" for n in range(13)])
    assert "more than 12 cells" in refusal(read_xlsx, flood, max_rows=5, max_columns=2)


def test_a_dtd_inside_the_sheet_is_refused(english):
    laughs = '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    data = xp.package(xp.sheet_xml(xp.row_xml(1, HEADER), doctype=laughs))
    assert "not an Excel workbook" in refusal(read_xlsx, data, max_rows=10)


# -- rows are streamed with a fixed width and a cap ------------------------------------------------------

def test_a_huge_dimension_claim_does_not_widen_the_rows():
    data = xp.workbook([HEADER, PERSON], dimension="A1:XFD1048576")
    assert {len(row) for row in read_xlsx(data, max_rows=10).rows} == {WIDTH}
    assert read_xlsx(data, max_rows=10, max_columns=6).rows[1] == tuple(PERSON[:3]) + (None, None,
                                                                                       "2024-01-01")


def test_the_roster_reader_ignores_a_huge_dimension_claim():
    data = xp.workbook([HEADER, PERSON], dimension="A1:XFD1048576")
    assert max(len(row) for row in read_workbook_rows(data)) == WIDTH  # was 16,384 cells a row


def test_rows_past_the_cap_are_refused_without_reading_on(english):
    # The row after the cap's first excess row would crash openpyxl: reaching it would be an error.
    data = xp.too_many_rows(HEADER, PERSON, max_rows=50)
    assert "more than 50 rows below the header" in refusal(read_xlsx, data, max_rows=50)
    exact = xp.workbook([HEADER] + [PERSON] * 50)
    assert len(read_xlsx(exact, max_rows=50).rows) == 51


# -- CSV and files from disk -----------------------------------------------------------------------------

def test_csv_is_decoded_as_utf8_or_gb18030_and_capped(english):
    text = "题型,题干\n判断,煤油着火属于B类火灾\n"
    assert read_csv(text.encode("gbk"), max_rows=5).encoding == "GB18030"
    table = read_csv(b"\xef\xbb\xbf" + text.encode(), max_rows=5)
    assert table.encoding == "UTF-8" and table.rows[1] == ("判断", "煤油着火属于B类火灾")
    assert "more than 1 rows" in refusal(read_csv, (text + "判断,第二题\n").encode(), max_rows=1)
    wide = read_csv(("," * 10000 + "\n").encode(), max_rows=1)
    assert len(wide.rows[0]) == WIDTH
    assert "is 11.0 MB, more than the 10.0 MB accepted" in refusal(read_csv, b"a" * (11 * 1024 * 1024),
                                                                    max_rows=1)


def test_a_large_file_is_refused_by_its_size_before_it_is_read(english, tmp_path, monkeypatch):
    big = tmp_path / "bank.csv"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: costs no disk
    monkeypatch.setattr(type(big), "open", _never)
    assert "is 50.0 MB, more than the 10.0 MB accepted" in refusal(read_file, big)
    monkeypatch.undo()
    small = tmp_path / "small.csv"
    small.write_bytes(b"a,b\n")
    assert read_file(small) == b"a,b\n"


# -- writing ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("write_only", [False, True])
def test_formula_like_text_is_written_as_text_and_other_values_keep_their_type(write_only):
    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet() if write_only else workbook.active
    values = [EVIL, "@SUM(A1)", "+1", "-1", "\tx", "plain", 3, 2.5, date(2024, 3, 1), None]
    append_row(sheet, values)
    append_row(sheet, [7, "=1+1"])
    cells = list(load_workbook(io.BytesIO(save_workbook(workbook))).active.iter_rows())
    assert [(c.value, c.data_type) for c in cells[0][:6]] == [(v, "s") for v in values[:6]]
    assert [c.data_type for c in cells[0][6:9]] == ["n", "n", "d"]
    assert cells[0][8].value.date() == date(2024, 3, 1)
    assert [(c.value, c.data_type) for c in cells[1][:2]] == [(7, "n"), ("=1+1", "s")]
    assert not cells[1][0].quotePrefix, "a number after a text cell does not take its style"


def test_csv_writer_prefixes_formula_like_text_and_starts_with_a_bom():
    data = csv_bytes([["姓名", "分数"], [EVIL, 3], ["@SUM(A1)", -2], ["-2", None], [date(2024, 3, 1), "ok"]])
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").split("\r\n") == [
        "姓名,分数", '"\'=HYPERLINK(""http://evil"",""x"")",3', "'@SUM(A1),-2", "'-2,", "2024-03-01,ok", ""]


# -- the roster import through the web -------------------------------------------------------------------

@pytest.fixture
def enterprise(make):
    return make.org("无锡炸弹测试有限公司")


@pytest.fixture
def admin(make, enterprise, login):
    make.account("entadmin", Role.ENTERPRISE_ADMIN, org=enterprise)
    login("entadmin")


@pytest.mark.parametrize("bomb, message", [
    (lambda: xp.merged_bomb(HEADER), "Merged cells A2:J1000001 reach beyond row 5001"),
    (SHARED_STRINGS_BOMB, "unpacks to 300.0 MB, more than the 100.0 MB accepted"),
    (lambda: xp.too_many_rows(HEADER, PERSON, MAX_ROWS), "more than 5000 rows below the header"),
], ids=["merged", "shared-strings", "rows"])
def test_roster_bombs_are_refused_with_a_clear_message_and_change_nothing(client, admin, enterprise,
                                                                         bomb, message):
    response = client.post("/roster/", data={"organization": enterprise.id,
                                             "file": (io.BytesIO(bomb()), "roster.xlsx")},
                           content_type="multipart/form-data", headers={"Accept-Language": "en"})
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(RosterImport.id))) == 0
    assert db.session.scalar(select(func.count(Person.id))) == 0
    assert db.session.scalar(select(func.count(Employment.id))) == 0


def test_control_characters_do_not_break_an_export():
    from openpyxl import Workbook, load_workbook

    from lms.spreadsheets import append_row, save_workbook

    book = Workbook()
    append_row(book.active, ["王\x01安全", "=SUM(1)\x02"])
    sheet = load_workbook(io.BytesIO(save_workbook(book))).active
    assert [c.value for c in sheet[1]] == ["王安全", "=SUM(1)"] and sheet["B1"].data_type == "s"
