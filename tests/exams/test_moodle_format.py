"""Moodle XML as Moodle exports it: categories, HTML, embedded images, DOCTYPEs and other question types.

The files under files/moodle/ are written by hand after the published format, the way an unedited
export from Moodle looks (comments, category questions, CDATA, <file> elements with base64 bytes).
"""

import base64
import io
from pathlib import Path

import pytest
from PIL import Image

from exams.demo_content import KNOWLEDGE_TREE
from exams.formats import ImportContext, moodle, parse_file
from exams.formats.common import NEW_KP, FileError

FILES = Path(__file__).parent / "files" / "moodle"
#: Knowledge points by code and by name, as the import service builds them.
KPS = {code.lower(): code for code, _name, _parent in KNOWLEDGE_TREE} \
    | {name.lower(): code for code, name, _parent in KNOWLEDGE_TREE}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def parse(name: str, **ctx) -> object:
    return parse_file((FILES / name).read_bytes(), "moodlexml", ImportContext(knowledge_points=KPS, **ctx))


def reasons(entries: list[dict]) -> dict:
    return {tuple(e["pos"]): str(e["reason"]) for e in entries}


def by_stem(result) -> dict:
    return {item["stem"]: item for item in result.items}


def test_a_category_question_files_what_follows_under_its_whole_path():
    result = parse("categories.xml")
    items = by_stem(result)
    shock = items["带电作业时应戴绝缘手套。"]
    assert shock["knowledge_point"] == "elec.shock" and shock["category"] == "电气安全/触电防护"
    tagged = items["电气火灾属于E类火灾。"]
    assert tagged["knowledge_point"] == "fire.class", "a kp: tag wins over the category"
    assert result.categories == {"电气安全/触电防护": "elec.shock"}


@pytest.mark.parametrize("policy, default, expected", [
    ("create", None, NEW_KP + "电气安全/高压作业"),
    ("default", "elec", "elec"),
])
def test_a_category_matching_no_knowledge_point_is_created_or_defaulted(policy, default, expected):
    result = parse("categories.xml", unknown_categories=policy, default_knowledge_point=default)
    assert not result.errors
    high_voltage = by_stem(result)["高压验电时应使用哪种验电器？"]
    assert high_voltage["pos"] == ["question", 6]
    assert high_voltage["knowledge_point"] == expected
    assert high_voltage["category"] == "电气安全/高压作业"
    assert high_voltage["options"] == ["低压验电笔", "相应电压等级的高压验电器"]
    assert high_voltage["key"] == [1]
    assert result.categories == {"电气安全/触电防护": "elec.shock", "电气安全/高压作业": expected}


def test_a_category_matching_no_knowledge_point_is_rejected_by_default():
    result = parse("categories.xml")
    assert [i["pos"] for i in result.items] == [["question", 3], ["question", 4]]
    assert reasons(result.errors) == {
        ("question", 6): 'The category "电气安全/高压作业" matches no knowledge point.'}
    assert "电气安全/高压作业" not in result.categories


def test_html_is_reduced_to_plain_text_in_every_text_format():
    result = parse("html.xml")
    assert not result.errors and not result.notes
    voltage, grounding, plain, auto = result.items
    # <br> breaks the line, entities are decoded, the script is gone.
    assert voltage["stem"] == "注意：\n下列哪一项是 安全电压<36V>的正确说法？"
    assert voltage["options"] == ["干燥环境 & 一般场所：36V", "任何场所：220V"]
    assert voltage["explanation"] == "第一段：见 GB/T 3805\n\n第二段：潮湿场所更低"
    assert voltage["knowledge_point"] == "fire.class", "Moodle's 默认 segment is not part of the path"
    # Escaped HTML without CDATA; a line break in HTML source is a space.
    assert grounding["stem"] == "I类手持电动工具的金属外壳必须可靠 接地。\n对吗？"
    assert grounding["key"] == [1]
    assert plain["stem"] == "标签 <b> 在纯文本里只是文字\n第二行 a & b", "plain_text is taken as written"
    assert auto["stem"] == "自动格式第一行\n第二行有 粗体", "moodle_auto_format keeps its line breaks"
    assert auto["explanation"] == "**解析**\n见《电业安全工作规程》", "markdown keeps its line breaks"
    texts = [text for item in result.items for text in (item["stem"], item["explanation"], *item["options"])]
    marks = ("<p", "<br", "<strong", "<em", "script", "alert")
    assert not [text for text in texts if any(mark in text for mark in marks)]


def test_the_first_embedded_image_travels_with_the_item():
    result = parse("images.xml")
    sign = by_stem(result)["如图所示的标志表示“当心触电”。"]
    assert sign["image_name"] == "当心触电.png", "the link's URL-encoded name finds the <file>"
    data = base64.b64decode(sign["image_b64"])
    assert data.startswith(PNG_SIGNATURE)
    assert Image.open(io.BytesIO(data)).size == (2, 2)
    assert "img" not in sign["stem"] and "PLUGINFILE" not in sign["stem"]
    assert reasons(result.notes)[("question", 2)] == (
        "Only one image per question is kept, the first in the question text; extra.gif is left out.")
    wiring = by_stem(result)["图中电路的开关接在相线上。"]
    assert wiring["image_name"] == "wiring plan.png", "a file in a folder, base64 split over lines"
    assert base64.b64decode(wiring["image_b64"]) == data


def test_images_that_cannot_be_kept_are_noted_and_the_questions_still_import():
    result = parse("images.xml")
    items = by_stem(result)
    disguised = items["图中的标志是什么颜色？"]
    missing = items["图示接线方式正确。"]
    in_option = items["哪个标志表示“禁止合闸”？"]
    for item in (disguised, missing, in_option):
        assert "image_b64" not in item and "image_name" not in item
    assert in_option["options"] == ["白底红字的标志牌", "绿底白字的标志牌"]
    assert reasons(result.notes) == {
        ("question", 2): "Only one image per question is kept, the first in the question text; "
                         "extra.gif is left out.",
        ("question", 3): "The file sign.png is not a readable PNG, JPEG, GIF or WebP image; "
                         "the question is imported without it.",
        ("question", 4): "The image missing.png is not embedded in the file; "
                         "the question is imported without it.",
        ("question", 6): "Only one image per question is kept, the first in the question text; "
                         "option.png is left out.",
    }
    assert reasons(result.errors) == {("question", 7): "The key is missing."}, \
        "a rejected question gets its error, not notes about its images"


def test_an_image_over_the_size_limit_is_noted_and_the_next_image_kept(monkeypatch):
    monkeypatch.setattr(moodle, "IMAGE_MAX_BYTES", 50)
    result = parse("images.xml")
    notes = reasons(result.notes)
    assert notes[("question", 5)] == (
        "The image wiring plan.png is larger than 4.76837e-05 MB; the question is imported without it.")
    assert "image_b64" not in by_stem(result)["图中电路的开关接在相线上。"]
    sign = by_stem(result)["如图所示的标志表示“当心触电”。"]
    assert notes[("question", 2)] == ("The image 当心触电.png is larger than 4.76837e-05 MB; "
                                      "the question is imported without it.")
    assert sign["image_name"] == "extra.gif", "the 79-byte PNG is over 50 bytes, the 45-byte GIF is not"
    assert base64.b64decode(sign["image_b64"]).startswith(b"GIF87a")


def test_the_size_limit_is_the_app_setting_when_there_is_an_app(app, monkeypatch):
    monkeypatch.setitem(app.config, "IMAGE_UPLOAD_MAX_BYTES", 60)
    with app.test_request_context():
        result = parse("images.xml")
    assert "larger than" in reasons(result.notes)[("question", 2)]
    assert result.items[0]["image_name"] == "extra.gif"
    monkeypatch.setitem(app.config, "IMAGE_UPLOAD_MAX_BYTES", 79)
    with app.test_request_context():
        assert parse("images.xml").items[0]["image_name"] == "当心触电.png"


@pytest.mark.parametrize("data", [
    (FILES / "doctype.xml").read_bytes(),
    (FILES / "doctype.xml").read_bytes().replace(
        b'SYSTEM "http://example.org/moodle/quiz.dtd"', b"[<!ELEMENT quiz ANY>]"),
])
def test_any_doctype_is_refused(data):
    assert b"<!DOCTYPE quiz" in data
    with pytest.raises(FileError, match="entities or DTDs, which are not accepted"):
        parse_file(data, "moodlexml", ImportContext(knowledge_points=KPS))


def test_other_question_types_are_skipped_one_by_one_while_the_rest_import():
    result = parse("types.xml")
    assert [(i["pos"], i["qtype"], i["key"]) for i in result.items] == [
        (["question", 3], "true_false", [1]),
        (["question", 4], "single", [2]),
        (["question", 6], "multiple", [0, 1]),
        (["question", 11], "multiple", [0, 2, 3]),
    ]
    assert result.items[1]["options"] == ["水基型灭火器", "ABC干粉灭火器", "二氧化碳灭火器", "泡沫灭火器"]
    assert result.items[2]["options"] == ["ABC干粉灭火器", "二氧化碳灭火器", "水基型灭火器"]
    assert result.items[0]["explanation"] == "带电设备火灾应使用二氧化碳或干粉灭火器。"
    assert all(i["knowledge_point"] == "fire.ext" for i in result.items)
    assert reasons(result.errors) == {
        ("question", 5): "Type not supported (short answer): skipped.",
        ("question", 7): "Type not supported (essay): skipped.",
        ("question", 8): "Type not supported (numerical): skipped.",
        ("question", 9): "Type not supported (matching): skipped.",
        ("question", 10): "Type not supported (embedded answers (cloze)): skipped.",
        ("question", 12): "Type not supported (drag and drop): skipped.",
    }, "the description at question 2 is skipped without an error"
    assert not result.notes


def _quiz(*questions: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n' + "\n".join(questions)
            + "\n</quiz>").encode()


def _choice(single: str, fractions: list[str]) -> str:
    answers = "".join(f'<answer fraction="{f}" format="html"><text><![CDATA[<p>选项{n}</p>]]></text>'
                      f'<feedback format="html"><text></text></feedback></answer>'
                      for n, f in enumerate(fractions))
    return (f'<question type="multichoice"><name><text>q</text></name><questiontext format="html">'
            f'<text><![CDATA[<p>题{single}{"/".join(fractions)}</p>]]></text></questiontext>'
            f'<single>{single}</single>{answers}<tags><tag><text>kp:elec</text></tag></tags></question>')


@pytest.mark.parametrize("single, fractions, qtype, key", [
    ("true", ["0", "100", "0"], "single", [1]),
    ("1", ["100.0000000", "-33.33333", "0"], "single", [0]),
    ("true", ["50", "100", "0"], "single", [1]),
    ("false", ["33.33333", "33.33333", "-100", "33.33333"], "multiple", [0, 1, 3]),
    ("0", ["50", "-50", "50"], "multiple", [0, 2]),
    ("FALSE", ["100", "0"], "multiple", [0]),
])
def test_multichoice_single_and_fractions(single, fractions, qtype, key):
    result = parse_file(_quiz(_choice(single, fractions)), "moodlexml", ImportContext(knowledge_points=KPS))
    assert [(i["qtype"], i["key"]) for i in result.items] == [(qtype, key)]


@pytest.mark.parametrize("fraction", ["abc", "nan", "inf"])
def test_a_fraction_that_is_not_a_number_rejects_its_question(fraction):
    result = parse_file(_quiz(_choice("true", [fraction, "100"])), "moodlexml",
                        ImportContext(knowledge_points=KPS))
    assert reasons(result.errors) == {("question", 1): "An answer has a fraction that is not a number."}
