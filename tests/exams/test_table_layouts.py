"""Question-bank spreadsheets in the layouts provinces and training bodies keep, built by hand here."""

import io

import pytest
from flask_babel import force_locale
from openpyxl import Workbook
from sqlalchemy import select

from exams.demo_content import KNOWLEDGE_TREE
from exams.formats import ImportContext, parse_file
from exams.formats.common import FileError
from exams.formats.table import IGNORED
from exams.models import QuestionImport
from exams.services.imports import bank_items
from lms.extensions import db

KPS = {code.lower(): code for code, _n, _p in KNOWLEDGE_TREE} | {
    name.lower(): code for code, name, _p in KNOWLEDGE_TREE}
CTX = ImportContext(knowledge_points=KPS)
WITH_DEFAULT_KP = ImportContext(knowledge_points=KPS, default_knowledge_point="fire.class")

PROVINCIAL_HEADER = ["序号", "试题类型", "试题内容", "选项A", "选项B", "选项C", "选项D", "正确答案",
                     "答案解析", "难度系数", "章节"]
PROVINCIAL_ROWS = [
    [1, "单选题", "手提式干粉灭火器使用时应站在火源的哪一侧？", "上风", "下风", "侧风", "任意", "A",
     "站在上风处，避免吸入粉尘。", 2, "灭火器选用"],
    [2, "多项选择题", "电气火灾可以使用哪些灭火器？", "二氧化碳", "干粉", "清水", "泡沫", "AB", "", "较难",
     "火灾分类"],
    [3, "判断题", "木材燃烧引起的火灾属于A类火灾。", None, None, None, None, "对", "", "易", "火灾分类"],
]


def xlsx(header, rows) -> bytes:
    """A workbook with one sheet: the header, then the rows."""
    book = Workbook()
    book.active.append(header)
    for values in rows:
        book.active.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def reasons(result) -> dict:
    return {tuple(e["pos"]): e["reason"] for e in result.errors}


def test_letter_columns_under_provincial_headers():
    result = parse_file(xlsx(PROVINCIAL_HEADER, PROVINCIAL_ROWS), "xlsx", CTX)
    assert not result.errors
    assert [(i["qtype"], i["stem"], i["options"], i["key"]) for i in result.items] == [
        ("single", "手提式干粉灭火器使用时应站在火源的哪一侧？", ["上风", "下风", "侧风", "任意"], [0]),
        ("multiple", "电气火灾可以使用哪些灭火器？", ["二氧化碳", "干粉", "清水", "泡沫"], [0, 1]),
        ("true_false", "木材燃烧引起的火灾属于A类火灾。", [], [0]),
    ]
    assert [i["explanation"] for i in result.items] == ["站在上风处，避免吸入粉尘。", "", ""]
    assert [i["difficulty"] for i in result.items] == [2, 4, 1]
    assert [i["knowledge_point"] for i in result.items] == ["fire.ext", "fire.class", "fire.class"]


def test_the_column_mapping_is_reported_with_ignored_columns():
    result = parse_file(xlsx(PROVINCIAL_HEADER, PROVINCIAL_ROWS), "xlsx", CTX)
    assert result.columns == {
        "序号": IGNORED, "试题类型": "type", "试题内容": "stem", "选项A": "option_A", "选项B": "option_B",
        "选项C": "option_C", "选项D": "option_D", "正确答案": "key", "答案解析": "explanation",
        "难度系数": "difficulty", "章节": "knowledge_point"}
    assert not IGNORED, "the review page tests the field for truth"


def test_a_repeated_header_is_listed_by_column_and_only_the_first_is_read():
    header = ["题型", "题干", "题目", "选项", "答案", "答案"]
    result = parse_file(xlsx(header, [["单选", "真题干", "不是题干", "A、甲 B、乙", "B", "A"]]), "xlsx",
                        WITH_DEFAULT_KP)
    assert result.columns == {"题型": "type", "题干": "stem", "题目": IGNORED, "选项": "options",
                              "答案": "key", "答案 (F)": IGNORED}
    assert [(i["stem"], i["key"]) for i in result.items] == [("真题干", [1])]


@pytest.mark.parametrize("header", [
    [" 题型 ", "题干：", "选项 A", "选项 B", "选项 C", "选项 D", "答案（必填）", "解析", "难度", "知识点"],
    ["题目类型", "题目内容(必填)", "A", "B", "C", "D", "题目答案", "试题解析", "难易程度", "所属章节"],
    ["*题型：", "试题", "A选项", "B选项", "C选项", "D选项", "参考答案", "解析", "难度【1-5】", "知识点分类"],
    ["题型", "题目", "选项Ａ", "选项Ｂ", "选项Ｃ", "选项Ｄ", "标准答案：", "解析", "难度", "知识点"],
    ["题型 Type", "题干 Stem", "选项A Option A", "选项B Option B", "选项C Option C", "选项D Option D",
     "答案 Key", "解析 Explanation", "难度 Difficulty", "知识点 Knowledge point"],
    ["type", "Stem", "Option A", "option_b", "OPTION C", "Option D", "Answer", "explanation", "difficulty",
     "knowledge_point"],
])
def test_header_names_are_matched_loosely(header):
    result = parse_file(xlsx(header, [row[1:] for row in PROVINCIAL_ROWS]), "xlsx", CTX)
    assert not result.errors
    assert [(i["stem"], i["options"], i["key"], i["difficulty"]) for i in result.items] == [
        ("手提式干粉灭火器使用时应站在火源的哪一侧？", ["上风", "下风", "侧风", "任意"], [0], 2),
        ("电气火灾可以使用哪些灭火器？", ["二氧化碳", "干粉", "清水", "泡沫"], [0, 1], 4),
        ("木材燃烧引起的火灾属于A类火灾。", [], [0], 1),
    ]
    assert list(result.columns) == [text.strip() for text in header]


ONE_CELL_HEADER = ["题型", "题目", "选项", "答案"]


@pytest.mark.parametrize("cell", [
    "A、上风 B、下风 C、侧风",
    "A.上风 B.下风 C.侧风",
    "A. 上风  B. 下风  C. 侧风",
    "A．上风 B．下风 C．侧风",
    "A:上风 B:下风 C:侧风",
    "A：上风 B：下风 C：侧风",
    "(A)上风 (B)下风 (C)侧风",
    "（A）上风 （B）下风 （C）侧风",
    "A、上风\nB、下风\nC、侧风",
    "A.上风\r\nB.下风\r\n\r\nC.侧风\n",
    "（A）上风\u3000（B）下风\u3000（C）侧风",
    "Ａ、上风 Ｂ、下风 Ｃ、侧风",
])
def test_one_cell_of_options_in_every_separator_style(cell):
    result = parse_file(xlsx(ONE_CELL_HEADER, [["单选", "使用灭火器时应站在哪里？", cell, "A"]]), "xlsx",
                        WITH_DEFAULT_KP)
    assert not result.errors
    assert [(i["options"], i["key"]) for i in result.items] == [(["上风", "下风", "侧风"], [0])]
    assert result.columns["选项"] == "options"


def test_letters_inside_an_option_text_do_not_split_it():
    cell = "A、适用于B类火灾 B、见图(C)所示 C、ABC干粉\nD、B.C两类"
    result = parse_file(xlsx(ONE_CELL_HEADER, [["多选", "哪些说法正确？", cell, "A、D"]]), "xlsx",
                        WITH_DEFAULT_KP)
    assert [(i["options"], i["key"]) for i in result.items] == [
        (["适用于B类火灾", "见图(C)所示", "ABC干粉", "B.C两类"], [0, 3])]


def test_one_cell_of_options_that_cannot_be_read_rejects_its_row():
    rows = [["单选", "没有字母", "上风 下风", "A"],
            ["单选", "缺了选项A的内容", "A、 B、下风 C、侧风", "B"],
            ["单选", "九个选项", " ".join(f"{letter}、第{letter}项" for letter in "ABCDEFGHI"), "A"]]
    found = reasons(parse_file(xlsx(ONE_CELL_HEADER, rows), "xlsx", WITH_DEFAULT_KP))
    assert found[("row", 2)] == 'The options must start with option A, written as "A、", "A." or "(A)".'
    assert found[("row", 3)] == "Option A is empty but a later option is filled in."
    assert found[("row", 4)] == "A question may have at most 8 options."


def test_a_ninth_option_column_is_refused_not_dropped():
    header = ["题型", "题干", *[f"选项{letter}" for letter in "ABCDEFGHI"], "答案"]
    rows = [["单选", "九个选项", *"甲乙丙丁戊己庚辛壬", "A"],
            ["单选", "两个选项", "甲", "乙", *[None] * 7, "B"]]
    result = parse_file(xlsx(header, rows), "xlsx", WITH_DEFAULT_KP)
    assert reasons(result) == {("row", 2): "A question may have at most 8 options."}
    assert [(i["options"], i["key"]) for i in result.items] == [(["甲", "乙"], [1])]


def test_letter_columns_win_over_one_cell_of_options():
    header = ["题型", "题干", "选项", "选项A", "选项B", "答案"]
    result = parse_file(xlsx(header, [["单选", "两种都有", "A、丙 B、丁", "甲", "乙", "B"]]), "xlsx",
                        WITH_DEFAULT_KP)
    assert result.columns["选项"] == IGNORED
    assert [i["options"] for i in result.items] == [["甲", "乙"]]


TRUE_KEYS = ["对", "正确", "√", "✓", "✔", "A", "a", "T", "t", "是", "Y", "y", "TRUE", "（√）", "Ｔ"]
FALSE_KEYS = ["错", "错误", "×", "✗", "✘", "X", "B", "b", "F", "f", "否", "N", "n", "False", "(×)", "Ｆ"]
TYPE_SPELLINGS = ["判断题", "是非题", "判断", "是非"]


def test_true_false_keys_in_every_spelling():
    keys = TRUE_KEYS + FALSE_KEYS
    rows = [[TYPE_SPELLINGS[n % len(TYPE_SPELLINGS)], f"判断题第{n}问：{key}", None, key]
            for n, key in enumerate(keys)]
    result = parse_file(xlsx(ONE_CELL_HEADER, rows), "xlsx", WITH_DEFAULT_KP)
    assert not result.errors
    assert [(i["qtype"], i["key"]) for i in result.items] == (
        [("true_false", [0])] * len(TRUE_KEYS) + [("true_false", [1])] * len(FALSE_KEYS))


def test_a_true_false_letter_key_means_the_word_of_that_option():
    rows = [["判断题", "选项先写错误", "A、错误 B、正确", "A"],
            ["判断题", "选项先写正确", "A、正确 B、错误", "A"],
            ["判断题", "选项是别的字", "A、甲 B、乙", "B"]]
    result = parse_file(xlsx(ONE_CELL_HEADER, rows), "xlsx", WITH_DEFAULT_KP)
    assert [(i["stem"], i["options"], i["key"]) for i in result.items] == [
        ("选项先写错误", [], [1]), ("选项先写正确", [], [0]), ("选项是别的字", [], [1])]


MULTIPLE_KEYS = ["ABD", "A,B,D", "A，B，D", "A、B、D", "A B D", "A；B；D", "abd", "a、b、d", "ＡＢＤ",
                 "【ABD】", " DBA "]


@pytest.mark.parametrize("qtype", ["多选题", "多项选择题", "多选"])
def test_multiple_choice_keys_in_every_spelling(qtype):
    rows = [[qtype, f"多选题第{n}问", "A、甲 B、乙 C、丙 D、丁", key] for n, key in enumerate(MULTIPLE_KEYS)]
    result = parse_file(xlsx(ONE_CELL_HEADER, rows), "xlsx", WITH_DEFAULT_KP)
    assert not result.errors
    assert [(i["qtype"], i["key"]) for i in result.items] == [("multiple", [0, 1, 3])] * len(MULTIPLE_KEYS)


@pytest.mark.parametrize("qtype", ["单选题", "单项选择题", "单选", "单项选择"])
def test_single_choice_type_words(qtype):
    result = parse_file(xlsx(ONE_CELL_HEADER, [[qtype, "单选题", "A、甲 B、乙", "b"]]), "xlsx",
                        WITH_DEFAULT_KP)
    assert [(i["qtype"], i["key"]) for i in result.items] == [("single", [1])]


CSV_LINES = [
    "题型,题目,选项,答案,难易程度",
    '单项选择题,扑救电气火灾应先做什么？,"A、切断电源\nB、用水扑救\nC、打开门窗",A,中',
    '多选题,灭火的基本方法有哪些？,A.冷却 B.窒息 C.隔离 D.通风,"A,B,C",较易',
    "判断题,√表示正确,,√,难",
]


@pytest.mark.parametrize("encoding, label", [("gbk", "GB18030"), ("utf-8-sig", "UTF-8"), ("utf-8", "UTF-8")])
def test_csv_in_gbk_and_utf8_with_the_same_headers(encoding, label):
    result = parse_file("\r\n".join(CSV_LINES).encode(encoding), "csv", WITH_DEFAULT_KP)
    assert result.encoding == label and not result.errors
    assert [(i["qtype"], i["stem"], i["options"], i["key"], i["difficulty"]) for i in result.items] == [
        ("single", "扑救电气火灾应先做什么？", ["切断电源", "用水扑救", "打开门窗"], [0], 3),
        ("multiple", "灭火的基本方法有哪些？", ["冷却", "窒息", "隔离", "通风"], [0, 1, 2], 2),
        ("true_false", "√表示正确", [], [0], 5),
    ]
    assert result.columns == {"题型": "type", "题目": "stem", "选项": "options", "答案": "key",
                              "难易程度": "difficulty"}


NO_STEM = xlsx(["试题类型", "选项", "正确答案"], [["单选", "A、甲 B、乙", "A"]])
STEM_NAMES = "(题干, 题目, 题目内容, 试题内容, 试题, Stem)"


def _missing_message() -> str:
    with pytest.raises(FileError) as caught:
        parse_file(NO_STEM, "xlsx", CTX)
    return caught.value.args[0]


def test_a_missing_column_is_named_in_the_reader_language(app):
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert str(_missing_message()) == f"缺少列：题干 {STEM_NAMES}。请下载模板查看所需的列。"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert str(_missing_message()) == (f"Missing column(s): Stem {STEM_NAMES}. Download the template "
                                           "to see the expected columns.")


def test_a_missing_column_message_follows_the_language_it_is_shown_in(app):
    with app.test_request_context(), force_locale("en"):
        message = _missing_message()
    with app.test_request_context(), force_locale("zh_CN"):
        assert str(message).startswith(f"缺少列：题干 {STEM_NAMES}。")
    with app.test_request_context(), force_locale("en"):
        assert "Type" not in str(_missing_message()), "题型 is there under a name of its own"


def test_every_missing_required_column_is_listed(app):
    data = xlsx(["序号", "选项"], [[1, "A、甲 B、乙"]])
    with app.test_request_context(), force_locale("en"), pytest.raises(FileError) as caught:
        parse_file(data, "xlsx", CTX)
    with app.test_request_context(), force_locale("en"):
        assert str(caught.value.args[0]) == (
            "Missing column(s): Question type (题型, 试题类型, 题目类型, Type, Question type); "
            f"Stem {STEM_NAMES}; Key (答案, 正确答案, 题目答案, 参考答案, 标准答案, Key, Answer). "
            "Download the template to see the expected columns.")


def latest_import() -> QuestionImport:
    db.session.expire_all()
    return db.session.scalar(select(QuestionImport).order_by(QuestionImport.id.desc()).limit(1))


def upload(client, bank, data, name, lang="en"):
    return client.post(f"/exams/banks/{bank.id}/import", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), name), "fmt": "auto", "default_difficulty": "3",
                             "default_kp": ""}, headers={"Accept-Language": lang})


def test_a_provincial_workbook_through_the_import_page(client, login, exam_bank, editor):
    login("editor")
    response = upload(client, exam_bank, xlsx(PROVINCIAL_HEADER, PROVINCIAL_ROWS), "省题库.xlsx")
    assert response.status_code == 302 and bank_items(exam_bank) == []
    assert client.post(f"/exams/imports/{latest_import().id}/confirm").status_code == 302
    assert [(i["qtype"], i["stem"], i["options"], i["key"], i["difficulty"], i["knowledge_point"],
             i["explanation"]) for i in bank_items(exam_bank)] == [
        ("single", "手提式干粉灭火器使用时应站在火源的哪一侧？", ["上风", "下风", "侧风", "任意"], [0], 2,
         "fire.ext", "站在上风处，避免吸入粉尘。"),
        ("multiple", "电气火灾可以使用哪些灭火器？", ["二氧化碳", "干粉", "清水", "泡沫"], [0, 1], 4,
         "fire.class", ""),
        ("true_false", "木材燃烧引起的火灾属于A类火灾。", [], [0], 1, "fire.class", ""),
    ]


def test_a_gbk_csv_through_the_import_page(client, login, exam_bank, editor):
    login("editor")
    lines = [line + ",火灾分类" for line in CSV_LINES]
    lines[0] = CSV_LINES[0] + ",知识点"
    upload(client, exam_bank, "\r\n".join(lines).encode("gbk"), "题库.csv")
    client.post(f"/exams/imports/{latest_import().id}/confirm")
    assert [(i["stem"], i["options"], i["key"]) for i in bank_items(exam_bank)] == [
        ("扑救电气火灾应先做什么？", ["切断电源", "用水扑救", "打开门窗"], [0]),
        ("灭火的基本方法有哪些？", ["冷却", "窒息", "隔离", "通风"], [0, 1, 2]),
        ("√表示正确", [], [0]),
    ]


def test_the_import_page_names_a_missing_column_in_the_reader_language(client, login, exam_bank, editor):
    login("editor")
    english = upload(client, exam_bank, NO_STEM, "题库.xlsx", lang="en").get_data(as_text=True)
    assert f"Missing column(s): Stem {STEM_NAMES}." in english
    chinese = upload(client, exam_bank, NO_STEM, "题库.xlsx", lang="zh-CN").get_data(as_text=True)
    assert f"缺少列：题干 {STEM_NAMES}。" in chinese
