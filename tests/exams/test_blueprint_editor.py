"""The blueprint's cell editor: one row of choices per cell, blank rows to add, per-row messages."""

from datetime import date

import pytest
from sqlalchemy import select

from exams.models import Blueprint, KnowledgePoint, QuestionType
from exams.services.blueprints import EXTRA_CELL_ROWS, special_ops_theory
from lms.extensions import db


@pytest.fixture
def blueprint(centre):
    made = special_ops_theory(centre, "LV", "低压电工理论", "1.2", date(2026, 3, 1))
    db.session.commit()
    return made


def settings(**extra) -> dict:
    """The settings fields of the form, unchanged from the rules' defaults."""
    return {"name": "低压电工理论", "duration_minutes": 120, "pass_mark": 80, "points_true_false": 1,
            "points_single": 1, "points_multiple": 1, **extra}


def row(n: int, qtype="", kp="any", low="", high="", count="", remove=False) -> dict:
    data = {f"cells-{n}-qtype": qtype, f"cells-{n}-knowledge_point": kp, f"cells-{n}-difficulty_min": low,
            f"cells-{n}-difficulty_max": high, f"cells-{n}-count": count}
    if remove:
        data[f"cells-{n}-remove"] = "y"
    return data


def cells_of(blueprint_id: int) -> list[tuple]:
    db.session.expire_all()
    found = db.session.get(Blueprint, blueprint_id)
    return [(c.qtype, c.knowledge_point.code if c.knowledge_point else None, c.difficulty_min,
             c.difficulty_max, c.count) for c in found.cells]


def test_editor_shows_each_cell_as_choices_and_blank_rows(client, login, editor, blueprint):
    login("editor")
    html = client.get(f"/exams/blueprints/{blueprint.id}", headers={"Accept-Language": "en"}).get_data(
        as_text=True)
    assert html.count('name="cells-') // 6 == len(blueprint.cells) + EXTRA_CELL_ROWS
    assert '<option selected value="true_false">' in html
    assert "Any knowledge point" in html and "<textarea" not in html


def test_rows_change_add_and_remove_cells(client, login, editor, blueprint):
    login("editor")
    kp = db.session.scalar(select(KnowledgePoint).where(KnowledgePoint.code == "fire.class"))
    data = settings(**row(0, "true_false", "any", 1, 5, 60), **row(1, "single", "any", 1, 5, 30, remove=True),
                    **row(2, "single", str(kp.id), 2, 4, 10), **row(3), **row(4))
    response = client.post(f"/exams/blueprints/{blueprint.id}", data=data)
    assert response.status_code == 302
    assert cells_of(blueprint.id) == [(QuestionType.TRUE_FALSE, None, 1, 5, 60),
                                      (QuestionType.SINGLE, "fire.class", 2, 4, 10)]


def test_bad_rows_are_named_and_nothing_is_saved(client, login, editor, blueprint):
    login("editor")
    before = cells_of(blueprint.id)
    data = settings(**row(0, "true_false", "any", 4, 2, 60), **row(1, "", "any", "", "", 5),
                    **row(2, "single", "99999", 1, 5, 3))
    html = client.post(f"/exams/blueprints/{blueprint.id}", data=data,
                       headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Row 1: The difficulty runs from 1 to 5" in html
    assert "Row 2: Choose a question type." in html
    assert "Row 3: " in html
    assert cells_of(blueprint.id) == before


def test_a_blueprint_keeps_at_least_one_cell(client, login, editor, blueprint):
    login("editor")
    before = cells_of(blueprint.id)
    data = settings(**row(0, "true_false", "any", 1, 5, 70, remove=True),
                    **row(1, "single", "any", 1, 5, 30, remove=True))
    html = client.post(f"/exams/blueprints/{blueprint.id}", data=data,
                       headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "A blueprint needs at least one cell." in html
    assert cells_of(blueprint.id) == before
