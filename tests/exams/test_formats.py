"""Parsing every format: positions and reasons for bad items; exports read back into the same items."""

import io

import pytest
from openpyxl import Workbook

from exams.demo_content import KNOWLEDGE_TREE
from exams.formats import ImportContext, parse_file
from exams.formats.common import FileError, detect_format
from exams.formats.moodle import export as moodle_export
from exams.formats.table import COLUMNS, item_row
from exams.services.imports import workbook_bytes

CTX = ImportContext(knowledge_points={code.lower(): code for code, _n, _p in KNOWLEDGE_TREE}
                    | {"火灾分类": "fire.class"}, default_difficulty=3)
HEADER = [h for _f, h in COLUMNS]


def row(qtype="单选", stem="题干", options=("A1", "B1", "C1"), key="B", kp="fire.class", difficulty=2,
        **extra):
    values = {"type": qtype, "stem": stem, "key": key, "knowledge_point": kp,
              "difficulty": difficulty,
              **{f"option_{letter}": text
                 for letter, text in zip("ABCDEFGH", options, strict=False)}, **extra}
    return [values.get(field) for field, _h in COLUMNS]


def workbook(rows, merge=None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for values in rows:
        sheet.append(values)
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def reasons(result) -> dict:
    return {tuple(e["pos"]): e["reason"] for e in result.errors}


def test_excel_rows_are_checked_with_row_numbers():
    data = workbook([
        row(stem="好的单选题"),
        row(stem=""),
        row(stem="缺答案", key=None),
        row(stem="答案指向不存在的选项", key="D"),
        row(qtype="判断", stem="判断题正确", options=(), key="对"),
        row(qtype="多选", stem="多选题", options=("x", "y", "z"), key="A、C"),
        row(stem="未知知识点", kp="nope"),
        row(stem="难度越界", difficulty=9),
        row(stem="好的单选题。"),
    ])
    result = parse_file(data, "xlsx", CTX)
    assert [i["pos"] for i in result.items] == [["row", 2], ["row", 6], ["row", 7]]
    found = reasons(result)
    assert "stem is empty" in found[("row", 3)]
    assert "key is missing" in found[("row", 4)]
    assert "option D" in found[("row", 5)]
    assert "Unknown knowledge point" in found[("row", 8)]
    assert "1 to 5" in found[("row", 9)]
    assert "Row 2" in found[("row", 10)], "a duplicate by folded stem within the file"
    assert result.items[2]["key"] == [0, 2] and result.items[1]["key"] == [0]


def test_merged_cells_reject_the_rows_they_touch():
    data = workbook([row(stem="第一题"), row(stem="第二题"), row(stem="第三题")], merge="B3:B4")
    result = parse_file(data, "xlsx", CTX)
    assert [i["stem"] for i in result.items] == ["第一题"]
    assert set(reasons(result)) == {("row", 3), ("row", 4)}
    assert "Merged cells" in reasons(result)[("row", 3)]


def test_excel_missing_columns_and_non_workbooks_are_file_errors():
    book = Workbook()
    book.active.append(["题干 Stem", "other"])
    book.active.append(["x", "y"])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(FileError, match="Missing column"):
        parse_file(buffer.getvalue(), "xlsx", CTX)
    with pytest.raises(FileError, match="not an Excel"):
        parse_file(b"PK\x03\x04garbage", "xlsx", CTX)


@pytest.mark.parametrize("encoding, label", [("utf-8-sig", "UTF-8"), ("utf-8", "UTF-8"), ("gbk", "GB18030")])
def test_csv_encoding_is_detected(encoding, label):
    lines = [",".join(HEADER), ",".join(str(v or "") for v in row(stem="扑救电气火灾应先切断电源"))]
    result = parse_file("\n".join(lines).encode(encoding), "csv", CTX)
    assert result.encoding == label
    assert result.items[0]["stem"] == "扑救电气火灾应先切断电源"


MOODLE = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category"><category><text>$course$/top/fire.class</text></category></question>
  <question type="truefalse">
    <questiontext format="html"><text><![CDATA[<p>木材火灾属于A类</p>]]></text></questiontext>
    <answer fraction="100"><text>true</text></answer>
    <answer fraction="0"><text>false</text></answer></question>
  <question type="multichoice">
    <questiontext format="html"><text>选哪个</text></questiontext><single>true</single>
    <answer fraction="0"><text>甲</text></answer><answer fraction="100"><text>乙</text></answer></question>
  <question type="essay"><questiontext><text>论述</text></questiontext></question>
  <question type="multichoice"><questiontext format="html"><text>无正确项</text></questiontext>
    <answer fraction="0"><text>甲</text></answer><answer fraction="0"><text>乙</text></answer></question>
</quiz>"""


def test_moodle_xml_items_and_errors_by_question_index():
    result = parse_file(MOODLE.encode(), "moodlexml", CTX)
    assert [i["stem"] for i in result.items] == ["木材火灾属于A类", "选哪个"]
    assert result.items[0]["knowledge_point"] == "fire.class" and result.items[1]["key"] == [1]
    found = reasons(result)
    assert found[("question", 4)] == "Type not supported (essay): skipped."
    assert "key is missing" in found[("question", 5)]


@pytest.mark.parametrize("data, message", [
    (b"<quiz><question type='truefalse'>", "broken"),
    (b'<!DOCTYPE quiz [<!ENTITY x SYSTEM "file:///etc/passwd">]><quiz>&x;</quiz>', "entities"),
    (b"<html/>", "not a Moodle XML"),
])
def test_broken_or_hostile_xml_is_refused_as_a_whole(data, message):
    with pytest.raises(FileError, match=message):
        parse_file(data, "moodlexml", CTX)


GIFT = """// a comment
$CATEGORY: $course$/fire/fire.ext

::q1:: 扑救B类火灾可以用泡沫灭火器 {T}

::q2:: 哪种灭火器不能用于带电设备？ {
  =装有金属喇叭喷筒的二氧化碳灭火器
  ~ABC干粉灭火器
  ####见GB 50140
}

哪些适用于C类火灾？ {~%50%ABC干粉 ~%50%二氧化碳 ~%-100%水基型}

缺了右括号 {=甲 ~乙

匹配题 {=甲 -> 乙 =丙 -> 丁}
"""


def test_gift_questions_and_syntax_errors_by_line():
    result = parse_file(GIFT.encode(), "gift", CTX)
    assert [(i["qtype"], i["pos"]) for i in result.items] == [
        ("true_false", ["line", 4]), ("single", ["line", 6]), ("multiple", ["line", 12])]
    assert result.items[1]["explanation"] == "见GB 50140" and result.items[2]["key"] == [0, 1]
    assert all(i["knowledge_point"] == "fire.ext" for i in result.items)
    found = reasons(result)
    assert "Syntax error" in found[("line", 14)]
    assert "not supported" in found[("line", 16)]


AIKEN = """低压与高压的分界电压是？
A. 1 kV
B. 10 kV
ANSWER: A

特种作业人员最低年龄？
A) 16
B) 18
ANSWER: C

没有答案行的题
A. 甲
B. 乙
"""


def test_aiken_questions_and_errors_by_line():
    with_default = ImportContext(knowledge_points=CTX.knowledge_points, default_knowledge_point="elec")
    result = parse_file(AIKEN.encode(), "aiken", with_default)
    assert [i["pos"] for i in result.items] == [["line", 1]]
    assert result.items[0]["knowledge_point"] == "elec"
    assert "knowledge point is missing" in reasons(parse_file(AIKEN.encode(), "aiken", CTX))[("line", 1)]
    found = reasons(result)
    assert "option C" in found[("line", 6)]
    assert "ANSWER line is missing" in found[("line", 11)]


def test_format_is_detected_from_name_and_content():
    assert detect_format("x.xlsx", b"") == "xlsx"
    assert detect_format("bank", b"<?xml version='1.0'?><quiz/>") == "moodlexml"
    assert detect_format("bank.txt", AIKEN.encode()) == "aiken"
    assert detect_format("bank.txt", GIFT.encode()) == "gift"


def _round_trip_items():
    result = parse_file(workbook([
        row(stem="第一题", key="C", posts="主要负责人,安全管理人员", operation_codes="1.2",
            status="published"),
        row(qtype="判断", stem="第二题 & <b>标记</b>", options=(), key="错", status="reviewed"),
        row(qtype="多选", stem="第三题", options=("a", "b", "c", "d", "e", "f", "g"), key="ABG",
            explanation="多行\n解析"),
    ]), "xlsx", CTX)
    assert not result.errors
    return result.items


def _strip(items):
    return [{k: v for k, v in i.items() if k != "pos"} for i in items]


def test_excel_export_reads_back_into_the_same_items():
    items = _round_trip_items()
    again = parse_file(workbook_bytes(items), "xlsx", CTX)
    assert _strip(again.items) == _strip(items)
    assert item_row(items[0])[0] == "单选"


def test_moodle_export_reads_back_into_the_same_items():
    items = _round_trip_items()
    again = parse_file(moodle_export(items), "moodlexml", CTX)
    assert not again.errors
    assert _strip(again.items) == _strip(items)
