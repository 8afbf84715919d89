"""Versioning: a published question edited gets a new version; frozen papers keep the old one."""

from datetime import UTC, date, datetime

from sqlalchemy import select

from exams.models import Question, QuestionStatus
from exams.services.blueprints import special_ops_theory
from exams.services.papers import assemble_one
from exams.services.questions import edit_question, item_of, set_status
from lms.extensions import db
from lms.models import AuditEvent

NOW = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def test_editing_a_published_question_makes_a_new_version_and_papers_keep_theirs(centre, exam_bank,
                                                                                 editor, fill):
    fill(exam_bank, "甲", 70, 30)
    blueprint = special_ops_theory(centre, "LV", "低压", "1.2", date(2026, 3, 1))
    paper = assemble_one(blueprint, exam_bank, 5, NOW)
    item = paper.items[0]
    question = db.session.get(Question, item.question_id)
    changed = {**item_of(question), "stem": "改写后的题干"}
    version = edit_question(question, changed, editor, NOW)
    db.session.commit()
    assert version.number == 2 and question.current.stem == "改写后的题干"
    db.session.expire_all()
    assert db.session.get(type(item), item.id).version.number == 1
    assert db.session.get(type(item), item.id).version.stem != "改写后的题干"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "exams.question.edited"))


def test_drafts_are_edited_in_place(exam_bank, editor, fill):
    fill(exam_bank, "甲", 1, 0)
    question = db.session.scalar(select(Question))
    question.status = QuestionStatus.DRAFT
    edit_question(question, {**item_of(question), "stem": "新题干"}, editor, NOW)
    assert question.version_no == 1 and question.current.stem == "新题干"


def test_status_workflow_only_allows_listed_moves(exam_bank, editor, fill):
    ids = fill(exam_bank, "甲", 3, 0)
    assert set_status(exam_bank, ids, QuestionStatus.DRAFT, editor) == 0  # published -> draft refused
    assert set_status(exam_bank, ids, QuestionStatus.RETIRED, editor) == 3


def test_question_pages_create_edit_and_version(client, login, exam_bank, editor, fill):
    login("editor")
    response = client.post(f"/exams/banks/{exam_bank.id}/questions/new", data={
        "qtype": "single", "stem": "扑救电气火灾首先应", "options": "切断电源\n用水扑救\n打开窗户",
        "key": "A", "knowledge_point": "elec.shock", "difficulty": "2", "explanation": "先断电"})
    assert response.status_code == 302
    question = db.session.scalar(select(Question))
    assert question.current.key == [0] and question.status is QuestionStatus.DRAFT
    bad = client.post(f"/exams/banks/{exam_bank.id}/questions/new", data={
        "qtype": "single", "stem": "另一题", "options": "甲\n乙", "key": "D", "knowledge_point": "elec",
        "difficulty": "2"}, headers={"Accept-Language": "en"})
    assert b"option D, which does not exist" in bad.data
    dup = client.post(f"/exams/banks/{exam_bank.id}/questions/new", data={
        "qtype": "true_false", "stem": "扑救电气火灾，首先应！", "key": "对", "knowledge_point": "elec",
        "difficulty": "2"}, headers={"Accept-Language": "en"})
    assert b"Already in the bank as question" in dup.data
    client.post(f"/exams/banks/{exam_bank.id}/status", data={"ids": question.id, "status": "published"})
    client.post(f"/exams/questions/{question.id}/edit", data={
        "qtype": "single", "stem": "扑救电气火灾首先应当", "options": "切断电源\n用水扑救\n打开窗户",
        "key": "A", "knowledge_point": "elec.shock", "difficulty": "3"})
    db.session.expire_all()
    question = db.session.get(Question, question.id)
    assert question.version_no == 2 and question.difficulty == 3
    page = client.get(f"/exams/questions/{question.id}").get_data(as_text=True)
    assert "扑救电气火灾首先应当" in page and "扑救电气火灾首先应<" in page
