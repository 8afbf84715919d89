"""GIFT files read as Moodle's GIFT documentation describes them; inputs written by hand from its rules."""

from dataclasses import replace
from pathlib import Path

import pytest

from exams.demo_content import KNOWLEDGE_TREE
from exams.formats import ImportContext, parse_file
from exams.formats.common import NEW_KP, FileError, detect_format

FILES = Path(__file__).parent / "files" / "gift"
CTX = ImportContext(knowledge_points={code.lower(): code for code, _n, _p in KNOWLEDGE_TREE},
                    default_knowledge_point="fire.class")
SKIPPED = "Type not supported (%s): skipped."


def gift(text: str, ctx: ImportContext = CTX):
    """The parse of GIFT text given as a str."""
    return parse_file(text.encode("utf-8"), "gift", ctx)


def reasons(result) -> dict:
    return {e["pos"][1]: e["reason"] for e in result.errors}


def only_item(text: str) -> dict:
    """The one item of a one-question file; fails on any error."""
    result = gift(text)
    assert result.errors == []
    assert len(result.items) == 1
    return result.items[0]


def only_error(text: str) -> str:
    """The reason of the one error of a one-question file, which imports nothing."""
    result = gift(text)
    assert result.items == []
    assert len(result.errors) == 1
    return result.errors[0]["reason"]


def shape(item: dict) -> tuple:
    return item["qtype"], item["stem"], item["options"], item["key"], item["explanation"]


# -- the file mixing supported and unsupported types ------------------------------------------------


def test_mixed_file_imports_the_supported_questions_and_skips_the_others():
    data = (FILES / "mixed.gift").read_bytes()
    assert detect_format("mixed.gift", data) == "gift"
    result = parse_file(data, "gift", CTX)
    assert [(i["pos"], *shape(i)) for i in result.items] == [
        (["line", 4], "true_false", "人体触电时，电流通过心脏最危险。", [], [0], ""),
        (["line", 6], "single", "我国安全电压额定值的最高等级是", ["42 V", "36 V", "24 V"], [0],
         "GB/T 3805 规定的最高等级为 42 V。"),
        (["line", 26], "multiple", "下列哪些属于直接接触触电的防护措施？", ["绝缘", "屏护", "保护接地"],
         [0, 1], ""),
        (["line", 32], "single", "触电急救时，首先要使触电者迅速____，越快越好。",
         ["送往医院", "脱离电源", "喝水"], [1], ""),
        (["line", 36], "true_false", "用于人身保护的剩余电流动作保护器，额定动作电流一般不大于 30 mA。", [],
         [0], "30 mA 是人身保护的常用值。"),
    ]
    assert reasons(result) == {
        14: SKIPPED % "essay", 16: SKIPPED % "numerical", 18: SKIPPED % "matching",
        24: SKIPPED % "short answer", 34: SKIPPED % "description",
    }
    assert {i["knowledge_point"] for i in result.items} == {"elec.shock"}
    assert result.categories == {"elec/elec.shock": "elec.shock"}


def test_a_file_of_unsupported_questions_only_is_not_a_file_error():
    result = gift("论述 {}\n\n数值 {#3:2}\n")
    assert reasons(result) == {1: SKIPPED % "essay", 3: SKIPPED % "numerical"}


# -- short answer, partial credit, multiple answers, wildcard ---------------------------------------


@pytest.mark.parametrize("text", [
    "Two plus two equals {=four =4}",
    "Who's buried in Grant's tomb?{=no one =nobody}",
    "::填空:: 我国的报警电话是 {=119}",
    "Two plus {=two =2} equals four.",
    "带权重的填空 {=%100%切断电源 =%50%断电 #部分正确}",
])
def test_only_equals_answers_are_a_short_answer_question(text):
    assert only_error(text) == SKIPPED % "short answer"


@pytest.mark.parametrize("text", [
    "Any answer counts {=%100%four =%0%* #wrong}",
    "通配 {=正确 ~错误 ~*}",
])
def test_a_lone_star_answer_is_the_short_answer_wildcard(text):
    assert only_error(text) == SKIPPED % "short answer"


def test_partial_credit_in_a_single_choice_is_a_wrong_option():
    item = only_item("Which one? {~wrong ~%50%half =full}")
    assert shape(item) == ("single", "Which one?", ["wrong", "half", "full"], [2], "")


def test_multiple_answers_are_the_options_with_positive_weight():
    item = only_item("What two people are entombed in Grant's tomb? {\n"
                     "  ~%-100%No one\n  ~%50%Grant\n  ~%50%Grant's wife\n  ~%-100%Grant's father\n}")
    assert shape(item) == ("multiple", "What two people are entombed in Grant's tomb?",
                           ["No one", "Grant", "Grant's wife", "Grant's father"], [1, 2], "")
    thirds = only_item("哪些可用于电气火灾？{~%33.333%二氧化碳 ~%33.333%干粉 ~%33.333%七氟丙烷 ~%-100%水}")
    assert thirds["qtype"] == "multiple" and thirds["key"] == [0, 1, 2]


def test_weights_without_equals_stay_multiple_answer_even_with_one_right_option():
    # Moodle makes a block without "=" a multiple-answer (checkbox) question, however many are right
    item = only_item("哪个对？{~%100%甲 ~乙 ~丙}")
    assert item["qtype"] == "multiple" and item["key"] == [0]


def test_zero_percent_equals_is_not_correct():
    item = only_item("选一个 {=%0%甲 ~乙 =丙}")
    assert item["qtype"] == "single" and item["key"] == [2]
    assert "No option is marked correct" in only_error("都不对 {=%0%甲 ~乙}")


def test_a_choice_without_any_correct_option_is_an_error():
    assert "No option is marked correct" in only_error("无正确项 {~甲 ~乙 ~%0%丙}")


# -- missing word ---------------------------------------------------------------------------------


def test_missing_word_keeps_its_blank_where_the_block_was():
    item = only_item("Moodle costs {~lots of money =nothing ~a small amount} to download.")
    assert item["stem"] == "Moodle costs ____ to download."
    assert item["options"] == ["lots of money", "nothing", "a small amount"] and item["key"] == [1]
    assert only_item("Grant is {~buried =entombed ~living} in Grant's tomb.")["stem"] == \
        "Grant is ____ in Grant's tomb."
    assert only_item("扑救电气火灾时应先{=切断电源 ~用水扑救}，再进行灭火。")["stem"] == \
        "扑救电气火灾时应先____，再进行灭火。"
    assert only_item("{=脱离电源 ~送医} 是触电急救的第一步。")["stem"] == "____ 是触电急救的第一步。"


def test_a_block_at_the_end_keeps_the_stem_as_is():
    assert only_item("Who's buried in Grant's tomb?{~Grant ~Jefferson =no one}")["stem"] == \
        "Who's buried in Grant's tomb?"
    assert only_item("::题:: 哪种灭火器不宜扑救带电火灾？ {\n=水基型\n~二氧化碳\n}  \n")["stem"] == \
        "哪种灭火器不宜扑救带电火灾？"


# -- format markers -------------------------------------------------------------------------------


def test_html_question_text_is_read_as_html_and_answers_follow_its_format():
    item = only_item("::h1::[html]<p>以下哪种<b>灭火器</b>适用于 A&amp;B 类火灾？</p> {\n"
                     "  =<i>泡沫</i>灭火器 #[html]<b>对</b>\n"
                     "  ~[plain]<水基型>\n"
                     "  ####[markdown]**见** GB 50140\n}")
    assert shape(item) == ("single", "以下哪种灭火器适用于 A&B 类火灾？", ["泡沫灭火器", "<水基型>"], [0],
                           "**见** GB 50140")


def test_html_missing_word_and_html_answers_in_a_plain_question():
    item = only_item("[html]<p>扑救<b>电气</b>火灾应先{=切断电源 ~用水}再灭火。</p>")
    assert item["stem"] == "扑救电气火灾应先____再灭火。"
    item = only_item("选出正确的 {=[html]电压&lt;36 V ~[html]<p>电压&gt;1000 V</p>\n"
                     "####[html]<p>见<br>规程</p>}")
    assert item["options"] == ["电压<36 V", "电压>1000 V"] and item["explanation"] == "见\n规程"


@pytest.mark.parametrize("text, stem", [
    ("[markdown]**触电**急救的第一步是什么？{=脱离电源 ~人工呼吸}", "**触电**急救的第一步是什么？"),
    ("[plain]<b>原样</b>保留的题干 {=甲 ~乙}", "<b>原样</b>保留的题干"),
    ("[moodle]Moodle 自动格式的题干 {=甲 ~乙}", "Moodle 自动格式的题干"),
])
def test_markdown_plain_and_moodle_markers_are_dropped_and_the_text_kept(text, stem):
    assert only_item(text)["stem"] == stem


def test_markers_on_answers_are_not_left_in_option_text():
    item = only_item("选 {=[markdown]*甲* ~[plain]乙}")
    assert item["options"] == ["*甲*", "乙"]


def test_square_brackets_that_are_no_format_stay_text():
    assert only_item("[注意] 题干 {T}")["stem"] == "[注意] 题干"


# -- escapes --------------------------------------------------------------------------------------


def test_escapes_are_unescaped_in_stem_options_and_explanation():
    item = only_item(r"""::esc\:1:: 集合 \{a\} 中 \= 号与 \~ 号 {
  =a\=b #反馈\: 不保留
  ~c\~d
  ~e\#f \\ g
  ####解析\: 见 \{x\}
}""")
    assert shape(item) == ("single", "集合 {a} 中 = 号与 ~ 号", ["a=b", "c~d", "e#f \\ g"], [0],
                           "解析: 见 {x}")


def test_an_escaped_backslash_before_a_brace_leaves_the_brace_as_markup():
    item = only_item(r"文件在 C\:\Windows\\{T}")
    assert item["stem"] == "文件在 C:\\Windows\\" and item["key"] == [0]


def test_backslash_n_is_a_line_break():
    assert only_item(r"第一行\n第二行 {F}")["stem"] == "第一行\n第二行"
    assert only_item(r"字面 \\n 不换行 {F}")["stem"] == "字面 \\n 不换行"


# -- unsupported types ----------------------------------------------------------------------------


@pytest.mark.parametrize("text, kind", [
    ("Write a short biography of Dag Hammarskjöld. {}", "essay"),
    ("简述触电急救的步骤。{####参考答案：脱离电源、判断、呼救、心肺复苏}", "essay"),
    ("When was Ulysses S. Grant born? {#1822:5}", "numerical"),
    ("What is a number from 1 to 5? {#1..5}", "numerical"),
    ("When was Ulysses S. Grant born? {#\n  =1822:0 #Correct!\n  =%50%1822:2\n}", "numerical"),
    ("Match the following countries with their corresponding capitals. {\n  =Canada -> Ottawa\n"
     "  =Italy -> Rome\n  =Japan -> Tokyo\n}", "matching"),
    ("You can use your pencil and paper for these next math questions.", "description"),
])
def test_unsupported_types_are_skipped_with_their_name(text, kind):
    assert only_error(text) == SKIPPED % kind


def test_syntax_errors_are_still_syntax_errors_and_the_rest_imports():
    result = gift("缺了右括号 {=甲 ~乙\n\n"
                  "没有选项 {甲乙}\n\n"
                  "两个 {=甲 ~乙} 答案块 {T}\n\n"
                  "答案块里 {先有文字 =甲 ~乙}\n\n"
                  "空选项 {= ~乙}\n\n"
                  "好的题 {=甲 ~乙}\n")
    assert [i["pos"] for i in result.items] == [["line", 11]]
    found = reasons(result)
    assert "Syntax error" in found[1] and "Syntax error" in found[3] and "Syntax error" in found[5]
    assert "Text before the first" in found[7] and "option is empty" in found[9]


# -- titles, comments, feedback, true/false -------------------------------------------------------


def test_titles_comments_and_feedback():
    item = only_item("// 开头的注释\n::Q2:: What's between orange and green in the spectrum?\n"
                     "// 题中的注释 =不是选项\n"
                     "{ =yellow # right; good! ~red # wrong, it's yellow ~blue # wrong, it's yellow\n"
                     "####Yellow lies between them. }")
    assert shape(item) == ("single", "What's between orange and green in the spectrum?",
                           ["yellow", "red", "blue"], [0], "Yellow lies between them.")
    assert item["pos"] == ["line", 2]


@pytest.mark.parametrize("block, key, explanation", [
    ("{T}", [0], ""), ("{TRUE}", [0], ""), ("{F}", [1], ""), ("{FALSE}", [1], ""), ("{ T }", [0], ""),
    ("{FALSE#错，应是对的#对####因为如此}", [1], "因为如此"), ("{T####解析}", [0], "解析"),
])
def test_true_false_forms(block, key, explanation):
    item = only_item(f"::tf:: 1+1\\=2 {block}")
    assert shape(item) == ("true_false", "1+1=2", [], key, explanation)


# -- categories -----------------------------------------------------------------------------------


def _category_file(policy: str, default: str | None = None):
    ctx = replace(CTX, default_knowledge_point=default, unknown_categories=policy)
    return parse_file((FILES / "category.gift").read_bytes(), "gift", ctx)


def test_unknown_category_rejected_names_the_category():
    result = _category_file("reject")
    assert [(i["pos"], i["knowledge_point"], i["category"]) for i in result.items] == [
        (["line", 10], "fire.ext", "fire/fire.ext")]
    found = reasons(result)
    assert "knowledge point is missing" in found[2], "no category before the first $CATEGORY"
    assert "电气安全/触电防护" in found[6] and "matches no knowledge point" in found[6]
    assert result.categories["fire/fire.ext"] == "fire.ext"
    assert not result.categories.get("电气安全/触电防护")


def test_unknown_category_created():
    result = _category_file("create")
    assert [(i["pos"], i["knowledge_point"]) for i in result.items] == [
        (["line", 6], NEW_KP + "电气安全/触电防护"), (["line", 10], "fire.ext")]
    assert result.categories == {"电气安全/触电防护": NEW_KP + "电气安全/触电防护",
                                 "fire/fire.ext": "fire.ext"}


def test_unknown_category_filed_under_the_default():
    result = _category_file("default", default="elec")
    assert [(i["pos"], i["knowledge_point"]) for i in result.items] == [
        (["line", 2], "elec"), (["line", 6], "elec"), (["line", 10], "fire.ext")]
    assert result.items[0]["category"] is None
    assert result.categories == {"电气安全/触电防护": "elec", "fire/fire.ext": "fire.ext"}


def test_category_line_at_the_top_of_a_question_block():
    result = gift("$CATEGORY: $course$/top/fire/fire.ext\n// 注释\n::q:: 题干 {T}\n")
    assert result.items[0]["pos"] == ["line", 3] and result.items[0]["knowledge_point"] == "fire.ext"


# -- encodings and line endings -------------------------------------------------------------------


def test_windows_1252_file_is_a_clear_file_error():
    data = b"::Q1:: Caf\xe9 au lait is a \x93French\x94 drink. {T}\r\n"
    with pytest.raises(FileError, match="must be UTF-8"):
        parse_file(data, "gift", CTX)


def test_crlf_line_endings_and_a_bom():
    text = ("\ufeff$CATEGORY: $course$/top/fire/fire.ext\r\n\r\n::q1:: 第一题\r\n{=甲\r\n~乙 #反馈\r\n"
            "####解析\r\n}\r\n\r\n第二题 \\n 换行 {F}\r\n")
    result = parse_file(text.encode("utf-8"), "gift", CTX)
    assert result.errors == []
    assert [(i["pos"], *shape(i)) for i in result.items] == [
        (["line", 3], "single", "第一题", ["甲", "乙"], [0], "解析"),
        (["line", 9], "true_false", "第二题 \n 换行", [], [1], ""),
    ]
    assert result.categories == {"fire/fire.ext": "fire.ext"}


def test_old_mac_line_endings_and_unicode_line_separators_keep_line_numbers():
    result = gift("第一题 {T}\r\r第二\u2028题 {F}\r")
    assert [(i["pos"], i["stem"]) for i in result.items] == [(["line", 1], "第一题"),
                                                            (["line", 3], "第二\u2028题")]
