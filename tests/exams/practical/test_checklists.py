"""The checklist file: shipped checklists add up, pick by date, and a broken file is refused whole."""

import json
from datetime import date
from pathlib import Path

import pytest

from exams.practical.checklists import (
    CHECKLISTS_FILE,
    FULL_MARKS,
    ChecklistError,
    checklist_for,
    load_checklists,
    parse_checklists,
)

OPERATIONS = Path(__file__).resolve().parents[3] / "lms" / "data" / "operation_categories.json"

GOOD = """
[[checklist]]
code = "1.2"
version = "v1"
effective_from = 2010-07-01
source = "local"
name_zh = "测试"
name_en = "Test"
  [[checklist.subject]]
  code = "K1"
  name_zh = "科目一"
  name_en = "Subject one"
  source = "local"
    [[checklist.subject.item]]
    code = "K1.1"
    name_zh = "项目"
    name_en = "Item"
    points = 60
    source = "local"
    [[checklist.subject.item]]
    code = "K1.2"
    name_zh = "关键项目"
    name_en = "Critical item"
    points = 40
    critical = true
    source = "local"
"""


def test_the_shipped_file_loads_with_the_required_operations():
    found = load_checklists()
    assert {"1.2", "2.1", "3.1", "3.2"} <= set(found)
    subtypes = {s["code"] for c in json.loads(OPERATIONS.read_text())["categories"] for s in c["subtypes"]}
    assert set(found) <= subtypes, "every checklist code is an operation sub-type"
    for versions in found.values():
        for checklist in versions:
            assert sum(i.points for i in checklist.items) == FULL_MARKS
            assert [s.code for s in checklist.subjects] == ["K1", "K2", "K3", "K4"]
            assert any(i.critical for i in checklist.items)
            assert checklist.source.startswith(("[S] domain.md 5.2", "local"))
            for item in checklist.items:
                assert item.name_zh and item.name_en.isascii()
                assert item.source == "local" or item.source.startswith("[S]")
                if item.critical:
                    assert item.source == "local", "critical flags are a local decision"


def test_work_at_height_follows_the_published_weights():
    checklist = checklist_for("3.1", date(2026, 12, 15))
    assert [s.points for s in checklist.subjects] == [20, 60, 10, 10]


def test_the_file_ships_inside_the_exams_package():
    assert CHECKLISTS_FILE.parts[-3:] == ("exams", "data", "practical_checklists.toml")


def test_pick_by_sub_type_and_date():
    text = GOOD + GOOD.replace('version = "v1"', 'version = "v2"').replace("2010-07-01", "2026-06-01")
    found = parse_checklists(text)
    assert [c.version for c in found["1.2"]] == ["v1", "v2"]
    assert checklist_for("9.9", date(2026, 12, 15)) is None
    assert checklist_for("1.2", date(2026, 12, 15)).code == "1.2"


def test_names_follow_the_page_language():
    item = parse_checklists(GOOD)["1.2"][0].items[0]
    assert item.name("zh_Hans_CN") == "项目" and item.name("en") == "Item"


@pytest.mark.parametrize(("change", "message"), [
    (("points = 60", "points = 50"), "add up to 90 points, not 100"),
    (("points = 60", "points = -10"), "'points' must be a whole number above 0"),
    (("points = 60", 'points = "60"'), "'points' must be a whole number above 0"),
    (('code = "K1.2"', 'code = "K1.1"'), "codes used twice: K1.1"),
    (('name_en = "Item"', 'name_en = ""'), "item K1.1: 'name_en' is missing or empty"),
    (("critical = true", 'critical = "yes"'), "'critical' must be true or false"),
    (("effective_from = 2010-07-01", 'effective_from = "soon"'), "'effective_from' must be a date"),
    (('source = "local"\nname_zh = "测试"', 'name_zh = "测试"'), "'source' is missing"),
    (("code = \"1.2\"", "code = 1.2"), "'code' is missing or empty"),
    (("[[checklist]]", "[[checklist"), "not valid TOML"),
])
def test_a_broken_file_is_refused_with_a_clear_message(change, message):
    old, new = change
    with pytest.raises(ChecklistError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_checklists(GOOD.replace(old, new, 1))


def test_a_version_given_twice_and_an_empty_file_are_refused():
    with pytest.raises(ChecklistError, match="given twice"):
        parse_checklists(GOOD + GOOD)
    with pytest.raises(ChecklistError, match="no \\[\\[checklist\\]\\]"):
        parse_checklists("")
    with pytest.raises(ChecklistError, match="no subjects"):
        parse_checklists(GOOD[:GOOD.index("  [[checklist.subject]]")])


def test_load_reads_a_file(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(GOOD.replace("points = 60", "points = 61"), encoding="utf-8")
    with pytest.raises(ChecklistError, match="checklist 1.2 version v1: the items add up to 101 points"):
        load_checklists(path)
