"""Blueprints and assembly: counts per cell, reproducible seeds, remapped keys, make-up, parallel forms."""

from collections import Counter
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from exams.assembly import load_pool, plan_paper
from exams.models import BlueprintCell, KnowledgePoint, Paper, PaperItem, PaperPurpose, QuestionType
from exams.services.blueprints import principal_paper, special_ops_theory, validate
from exams.services.papers import assemble_one, assemble_session
from lms.extensions import db

NOW = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def theory(centre):
    blueprint = special_ops_theory(centre, "LV", "低压电工理论", "1.2", date(2026, 3, 1))
    db.session.commit()
    return blueprint


def test_theory_blueprint_comes_from_the_rules_and_names_their_versions(theory, fill):
    assert [(c.qtype, c.count) for c in theory.cells] == [(QuestionType.TRUE_FALSE, 70),
                                                          (QuestionType.SINGLE, 30)]
    assert (theory.duration_minutes, theory.pass_mark, theory.total_points) == (120, 80, 100)
    assert theory.rule_versions["special_ops.exam.theory_paper"]["version"] == "exam practice"
    assert theory.rule_versions["special_ops.exam.pass_mark"]["version"] == "暂行办法 第9条"
    assert not theory.counts_unconfirmed


def test_principal_blueprint_keeps_its_mix_as_unconfirmed_data(centre, fill):
    blueprint = principal_paper(centre, "P", "主要负责人", "principal", date(2026, 3, 1),
                                mix={"true_false": 20, "single": 20, "multiple": 10})
    assert blueprint.counts_unconfirmed and blueprint.question_count == 50
    assert blueprint.rule_versions["principal_certificate.exam.minutes"]["value"] == 120


def test_validation_names_the_cell_and_how_many_are_missing(theory, exam_bank, fill):
    fill(exam_bank, "甲", 65, 30)
    gaps = validate(theory, exam_bank)
    assert [(g.cell.qtype, g.need, g.have, g.missing) for g in gaps] == [(QuestionType.TRUE_FALSE, 70, 65, 5)]
    theory.cells.append(BlueprintCell(qtype=QuestionType.SINGLE, count=3, difficulty_min=5,
                                      difficulty_max=5, knowledge_point=db.session.scalar(
                                          select(KnowledgePoint).where(KnowledgePoint.code == "space"))))
    gaps = validate(theory, exam_bank)
    assert gaps[-1].cell.knowledge_point.code == "space" and gaps[-1].missing == 3


def test_paper_follows_the_blueprint_counts_and_is_reproducible_from_its_seed(theory, exam_bank, fill):
    fill(exam_bank, "甲", 200, 80)
    paper = assemble_one(theory, exam_bank, 1234, NOW)
    db.session.commit()
    assert Counter(i.qtype for i in paper.items) == {"true_false": 70, "single": 30}
    assert len({i.question_id for i in paper.items}) == 100
    assert sum(i.points for i in paper.items) == 100
    again = plan_paper(load_pool(theory, exam_bank), paper.seed)
    assert [(i.version_id, o) for (i, _p), o in zip(again.items, again.option_orders, strict=True)] == [
        (i.question_version_id, i.option_order) for i in paper.items]
    other = plan_paper(load_pool(theory, exam_bank), paper.seed + 1)
    assert [i.qid for i, _p in other.items] != [i.question_id for i in paper.items]


def test_options_are_shuffled_per_paper_and_the_key_follows_them(theory, exam_bank, fill):
    fill(exam_bank, "甲", 70, 30)
    papers = [assemble_one(theory, exam_bank, seed, NOW) for seed in (1, 2)]
    orders = set()
    for paper in papers:
        for item in paper.items:
            version = item.version
            if item.qtype == "single":
                assert sorted(item.option_order) == list(range(len(version.options)))
                shown_right = [version.options[item.option_order[k]] for k in item.key]
                assert shown_right == [version.options[k] for k in version.key]
                orders.add(tuple(item.option_order))
            else:
                assert item.option_order == [] and item.key == version.key
    assert len(orders) > 1, "option order differs between items and papers"


def test_makeup_paper_avoids_questions_the_candidate_saw(theory, exam_bank, make, fill):
    fill(exam_bank, "甲", 150, 70)
    person = make.person("补考人")
    first = assemble_one(theory, exam_bank, 1, NOW, person_id=person.id)
    makeup = assemble_one(theory, exam_bank, 2, NOW, purpose=PaperPurpose.MAKEUP, person_id=person.id)
    seen = {i.question_id for i in first.items}
    assert not seen & {i.question_id for i in makeup.items}


def test_makeup_reuses_seen_questions_only_where_the_bank_is_short(theory, exam_bank, make, fill):
    fill(exam_bank, "甲", 100, 30)
    person = make.person("补考人")
    first = assemble_one(theory, exam_bank, 1, NOW, person_id=person.id)
    makeup = assemble_one(theory, exam_bank, 2, NOW, purpose=PaperPurpose.MAKEUP, person_id=person.id)
    seen = {i.question_id for i in first.items}
    repeated = [i for i in makeup.items if i.question_id in seen]
    assert len(makeup.items) == 100
    assert Counter(i.qtype for i in repeated) == {"true_false": 40, "single": 30}


def test_parallel_forms_of_a_session_have_close_mean_difficulty(theory, exam_bank, fill):
    # Skewed difficulties so plain random papers would differ noticeably.
    fill(exam_bank, "甲", 300, 120, difficulty=lambda i: 1 if i % 3 else 5)
    ids = assemble_session(theory, exam_bank, "2026-03-S1", 40, NOW, None)
    db.session.commit()
    means = [m for (m,) in db.session.execute(select(Paper.mean_difficulty).where(Paper.id.in_(ids)))]
    assert len(means) == 40 and max(means) - min(means) <= 0.1
    assert db.session.scalar(select(func.count(PaperItem.id))) == 4000
    for paper_id in ids[:3]:
        items = db.session.scalars(select(PaperItem).where(PaperItem.paper_id == paper_id)).all()
        assert sum(i.version.question.difficulty for i in items) / 100 == pytest.approx(
            db.session.get(Paper, paper_id).mean_difficulty, abs=1e-3)
