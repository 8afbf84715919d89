"""A paper carries the rules in force on the exam's date where the exam centre is, not the
blueprint's creation date; a changed paper layout stops assembly instead of mixing old and new."""

from datetime import date

import pytest

from exams.services.blueprints import RulesChanged, special_ops_theory
from exams.services.papers import assemble_one
from lms.extensions import db
from lms.models import RuleValue
from lms.regions import region_by_code


def provincial_rule(key: str, value, valid_from: date) -> None:
    """A Jiangsu value of a rule from ``valid_from`` on (a hypothetical provincial measure)."""
    db.session.add(RuleValue(key=key, region_id=region_by_code("320000").id, valid_from=valid_from,
                             value=value, unit=None, tag="U", source="test", version="苏测试〔2026〕1号"))
    db.session.commit()


@pytest.fixture
def theory(centre, exam_bank, fill):
    fill(exam_bank, "题", 80, 40)
    blueprint = special_ops_theory(centre, "LV", "低压电工理论", "1.2", date(2026, 3, 1))
    db.session.commit()
    return blueprint


def test_a_paper_takes_the_rule_in_force_on_the_exam_date_and_place(theory, exam_bank, now):
    provincial_rule("special_ops.exam.theory_minutes", 90, date(2026, 7, 1))
    before = assemble_one(theory, exam_bank, 1, now, exam_date=date(2026, 6, 30))
    after = assemble_one(theory, exam_bank, 2, now, exam_date=date(2026, 7, 1))
    assert theory.duration_minutes == 120
    assert (before.duration_minutes, after.duration_minutes) == (120, 90)
    assert after.rule_versions["special_ops.exam.theory_minutes"]["version"] == "苏测试〔2026〕1号"
    assert before.rule_versions["special_ops.exam.theory_minutes"]["version"] != "苏测试〔2026〕1号"


def test_a_rule_of_another_province_does_not_apply(theory, exam_bank, now):
    db.session.add(RuleValue(key="special_ops.exam.pass_mark", region_id=region_by_code("340000").id,
                             valid_from=date(2026, 1, 1), value=60, unit=None, tag="U", source="test",
                             version="皖测试"))
    db.session.commit()
    assert assemble_one(theory, exam_bank, 1, now, exam_date=date(2026, 8, 1)).pass_mark == 80


def test_a_new_paper_layout_stops_assembly_with_a_clear_reason(theory, exam_bank, now):
    provincial_rule("special_ops.exam.theory_paper",
                    {"true_false": 50, "single_choice": 50, "points_each": 1}, date(2026, 9, 1))
    assemble_one(theory, exam_bank, 1, now, exam_date=date(2026, 8, 31))
    with pytest.raises(RulesChanged):
        assemble_one(theory, exam_bank, 2, now, exam_date=date(2026, 9, 1))
