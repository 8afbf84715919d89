"""Rules are effective-dated data: lookups by date and scope, the 2026-06-01 revision as its own period."""

from datetime import date
from itertools import pairwise

import pytest

from lms.catalog import citation
from lms.extensions import db
from lms.models import RuleValue
from lms.regions import region_by_code
from lms.rules import RuleMissing, load_rule_file, rule_at


@pytest.fixture
def rules(make):
    make.rules()


def test_every_rule_in_the_file_has_a_tag_a_source_and_a_version():
    for item in load_rule_file():
        assert item["tag"] in {"C", "S", "U"}, item["key"]
        assert item["source"].strip(), item["key"]
        assert item["version"].strip(), item["key"]


def test_every_rule_version_has_an_english_citation(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        for item in load_rule_file():
            english = citation(item["version"])
            assert english.isascii() and english.strip(), (item["key"], item["version"])


def test_citations_stay_chinese_in_chinese(app):
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert citation("令3号 第9条") == "令3号 第9条"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert citation("令3号 第9条") == "SAWS Order No. 3, Art. 9"


def test_periods_of_one_rule_do_not_overlap():
    by_key = {}
    for item in load_rule_file():
        by_key.setdefault((item["key"], item.get("region")), []).append(item)
    for key, items in by_key.items():
        items.sort(key=lambda i: i["valid_from"])
        for earlier, later in pairwise(items):
            assert earlier.get("valid_to") is not None, key
            assert earlier["valid_to"] <= later["valid_from"], key


def test_principal_hours_differ_for_high_risk_entities(rules):
    on = date(2026, 1, 15)
    assert rule_at("hours.principal_safety_manager.initial.general", on).value == 32
    assert rule_at("hours.principal_safety_manager.initial.high_risk", on).value == 48
    assert rule_at("hours.principal_safety_manager.annual.general", on).value == 12
    assert rule_at("hours.principal_safety_manager.annual.high_risk", on).value == 16


def test_special_operations_makeup_rule_changes_on_2026_06_01(rules):
    before = rule_at("special_ops.exam.practical_attempts", date(2026, 5, 31))
    after = rule_at("special_ops.exam.practical_attempts", date(2026, 6, 1))
    assert (before.value, after.value) == (2, 5)
    assert before.version != after.version
    assert after.tag == "S"


def test_review_interval_is_abolished_from_the_revision(rules):
    assert rule_at("special_ops.certificate.review_interval_years", date(2026, 5, 31)).value[
        "standard"] == 3
    assert rule_at("special_ops.certificate.review_interval_years",
                   date(2026, 6, 1)).value == "abolished"


def test_no_value_before_the_rule_existed(rules):
    with pytest.raises(RuleMissing):
        rule_at("special_ops.min_age", date(2009, 12, 31))


def test_city_value_wins_over_province_and_national(rules):
    wuxi, jiangsu = region_by_code("320200"), region_by_code("320000")
    db.session.add_all([
        RuleValue(key="hours.employee.annual.general", region=jiangsu, valid_from=date(2025, 1, 1),
                  value=10, tag="U", source="test province value", version="省级 test"),
        RuleValue(key="hours.employee.annual.general", region=wuxi, valid_from=date(2025, 1, 1),
                  value=12, tag="U", source="test city value", version="市级 test"),
    ])
    db.session.commit()
    on = date(2026, 3, 1)
    assert rule_at("hours.employee.annual.general", on, region_by_code("320213")).value == 12
    assert rule_at("hours.employee.annual.general", on, region_by_code("320509")).value == 10
    national = rule_at("hours.employee.annual.general", on, region_by_code("341500"))
    assert (national.value, national.scope) == (8, "national")
