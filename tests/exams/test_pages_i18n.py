"""Exams pages rendered in Chinese show no untranslated English."""

import importlib.util
from datetime import date

import pytest

from exams.models import QuestionImport
from exams.services.blueprints import special_ops_theory
from exams.services.papers import assemble_one
from lms.extensions import db

from support import ROOT

_spec = importlib.util.spec_from_file_location("lms_i18n_tests", ROOT / "tests" / "lms" / "test_i18n.py")
_i18n = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_i18n)


@pytest.fixture
def staff_world(centre, exam_bank, practice_bank, editor, fill, now, make):
    from lms.roles import Role

    fill(exam_bank, "题", 70, 30, 5)
    fill(practice_bank, "练", 70, 30, 5)
    blueprint = special_ops_theory(centre, "LV", "低压电工理论", "1.2", date(2026, 3, 1))
    assemble_one(blueprint, exam_bank, 1, now)
    db.session.add(QuestionImport(bank_id=exam_bank.id, uploaded_by_id=editor.id, filename="a.xlsx",
                                  fmt="csv", encoding="GB18030", items=[],
                                  errors=[{"pos": ["row", 3], "reason": "题干为空。"}]))
    make.account("root", Role.SYSTEM_ADMIN)
    db.session.commit()
    return blueprint


PAGES = ["/exams/", "/exams/banks/new", "/exams/banks/1", "/exams/banks/1/questions/new",
         "/exams/questions/1",
         "/exams/questions/1/edit", "/exams/banks/1/import", "/exams/imports/1", "/exams/knowledge-points",
         "/exams/blueprints", "/exams/blueprints/1", "/exams/blueprints/1/statistics?bank=2",
         "/exams/papers/1", "/exams/practice", "/exams/practice/2", "/exams/practice/wrong-answers"]


#: Format, encoding and keyword names that stay as they are in Chinese text (like "Excel" in the core
#: list), plus the example answer letters "ACD".
FORMAT_NAMES = {"Moodle", "XML", "GIFT", "Aiken", "PNG", "JPEG", "GIF", "WebP", "UTF", "GBK", "CATEGORY",
                "ACD"}


@pytest.mark.parametrize("path", PAGES)
def test_exams_pages_in_chinese_show_no_untranslated_text(client, login, staff_world, path):
    login("root")
    response = client.get(path, headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 200, path
    words = _i18n.untranslated_words(response.get_data(as_text=True))
    assert [w for w in words if w not in FORMAT_NAMES] == []
