"""Authorization-matrix plug-in for the exams package: out-of-scope banks, papers and attempts."""

from datetime import UTC, date, datetime

from exams.models import (
    AttemptKind,
    BankPurpose,
    BankTier,
    LessonQuiz,
    PracticeAttempt,
    QuestionBank,
    QuestionImport,
    QuestionVersion,
)
from exams.permissions import BANK_EDIT, BLUEPRINT, EXAM_BANK, LESSON_QUIZ, PRACTICE
from exams.services.blueprints import special_ops_theory
from exams.services.papers import assemble_one
from exams.services.questions import add_knowledge_point, write_items
from lms.extensions import db
from lms.models import OrgKind
from lms.roles import Role

SECRETS = ["六安秘密考题甲", "六安秘密练习题乙", "六安秘密题库", "六安秘密蓝图", "六安秘密导入题",
           "六安秘密练习企业"]


def _item(stem: str, qtype: str = "true_false") -> dict:
    options = [] if qtype == "true_false" else ["甲", "乙", "丙"]
    return {"qtype": qtype, "stem": stem, "options": options, "key": [0], "explanation": "",
            "knowledge_point": "mx", "difficulty": 3, "posts": [], "operation_codes": [],
            "status": "published", "image": "x.png"}


def extend_world(world, make):
    """A Lu'an exam centre with an exam bank, a Lu'an practice bank, a blueprint, a paper, an attempt.

    Practice banks and blueprint names are shared within a province (exams/access.py), so these
    records lie in Lu'an even when the foreign enterprise of the world is a Jiangsu one.
    """
    make.rules()
    add_knowledge_point("mx", "矩阵知识点", None)
    centre = make.org("六安考点", region_code="341502", kind=OrgKind.EXAM_CENTRE, industry=None)
    owner = world["foreign"]
    if world["place"].home_province:
        owner = make.org(SECRETS[5], region_code="341502", industry="non_coal_mining")
    now = datetime.now(UTC)
    exam = QuestionBank(code="LA-EXAM", name=SECRETS[2], purpose=BankPurpose.EXAM,
                        tier=BankTier.PROVINCIAL, organization=centre)
    practice = QuestionBank(code="LA-PRAC", name=SECRETS[2] + "练习", purpose=BankPurpose.PRACTICE,
                            tier=BankTier.PROVINCIAL, organization=owner)
    db.session.add_all([exam, practice])
    db.session.flush()
    exam_ids = write_items(exam, [_item(SECRETS[0] + str(i)) for i in range(70)]
                           + [_item(SECRETS[0] + "单" + str(i), "single") for i in range(30)], None, now)
    prac_ids = write_items(practice, [_item(SECRETS[1] + str(i)) for i in range(70)]
                           + [_item(SECRETS[1] + "单" + str(i), "single") for i in range(30)], None, now)
    blueprint = special_ops_theory(centre, "LA-BP", SECRETS[3], "1.2", date(2025, 1, 1))
    paper = assemble_one(blueprint, exam, 7, now)
    learner = make.account("la_learner", Role.LEARNER, org=owner)
    mock = assemble_one(blueprint, practice, 8, now, account_id=learner.id)
    attempt = PracticeAttempt(account_id=learner.id, bank_id=practice.id, kind=AttemptKind.MOCK,
                              paper_id=mock.id, started_at=now)
    staged = QuestionImport(bank_id=exam.id, uploaded_by_id=world["b_admin"].id, filename="x.xlsx",
                            fmt="xlsx", items=[{**_item(SECRETS[4]), "pos": ["row", 2]}], errors=[])
    # A quiz on the foreign course's lesson (matrix_courses runs first and made it).
    quiz = LessonQuiz(lesson_id=world["courses"]["lesson"].id, bank=practice, question_count=3)
    db.session.add_all([attempt, staged, quiz])
    db.session.flush()
    version = db.session.get(QuestionVersion, exam_ids[0])
    world["exams"] = {"exam": exam, "practice": practice, "exam_q": exam_ids[0], "prac_q": prac_ids[0],
                      "version": version.id, "blueprint": blueprint, "paper": paper, "attempt": attempt,
                      "staged": staged, "centre": centre, "quiz": quiz}
    world["secrets"].extend(SECRETS)


def cases(world):
    """Requests per exams endpoint."""
    x = world["exams"]
    e, p, bp = x["exam"].id, x["practice"].id, x["blueprint"].id
    staged = x["staged"].id
    fl = world["courses"]["lesson"].id
    return {
        "exams.asset": [("GET", "/exams/assets/exams.css", None, "open")],
        "exams.banks": [("GET", "/exams/", None, BANK_EDIT)],
        "exams.new_bank": [("GET", "/exams/banks/new", None, BANK_EDIT),
                           ("POST", "/exams/banks/new", {"code": "INTRUDE", "name": "x", "purpose": "exam",
                                                         "tier": "national",
                                                         "organization": x["centre"].id}, BANK_EDIT)],
        "exams.template": [("GET", "/exams/template.xlsx", None, BANK_EDIT)],
        "exams.knowledge_points": [("GET", "/exams/knowledge-points", None, ("hidden", EXAM_BANK))],
        "exams.bank": [("GET", f"/exams/banks/{e}", None, "object"),
                       ("GET", f"/exams/banks/{p}?q={SECRETS[1][:4]}", None, "object")],
        "exams.bank_status": [("POST", f"/exams/banks/{e}/status", {"status": "retired",
                                                                    "ids": x["exam_q"]}, "object")],
        "exams.new_question": [("GET", f"/exams/banks/{e}/questions/new", None, "object"),
                               ("GET", f"/exams/banks/{p}/questions/new", None, "object")],
        "exams.question": [("GET", f"/exams/questions/{x['exam_q']}", None, "object"),
                           ("GET", f"/exams/questions/{x['prac_q']}", None, "object")],
        "exams.edit": [("GET", f"/exams/questions/{x['exam_q']}/edit", None, "object")],
        "exams.image": [("GET", f"/exams/versions/{x['version']}/image", None, "object")],
        "exams.upload": [("GET", f"/exams/banks/{e}/import", None, "object")],
        "exams.review": [("GET", f"/exams/imports/{staged}", None, "object")],
        "exams.confirm": [("POST", f"/exams/imports/{staged}/confirm", {}, "object")],
        "exams.cancel": [("POST", f"/exams/imports/{staged}/cancel", {}, "object")],
        "exams.export": [("GET", f"/exams/banks/{e}/export.xlsx", None, "object"),
                         ("GET", f"/exams/banks/{e}/export.xml", None, "object")],
        "exams.blueprints": [("GET", "/exams/blueprints", None, ("hidden", BLUEPRINT))],
        "exams.blueprint": [("GET", f"/exams/blueprints/{bp}", None, "object")],
        "exams.assemble": [("POST", f"/exams/blueprints/{bp}/assemble",
                            {"bank": e, "session_ref": "x", "count": 1}, "object")],
        "exams.paper": [("GET", f"/exams/papers/{x['paper'].id}", None, "object")],
        "exams.statistics": [("GET", f"/exams/blueprints/{bp}/statistics?bank={e}", None, "object")],
        "exams.practice_home": [("GET", "/exams/practice", None, PRACTICE)],
        "exams.practise": [("GET", f"/exams/practice/{p}", None, "object")],
        "exams.wrong_answers": [("GET", "/exams/practice/wrong-answers", None, PRACTICE)],
        "exams.mock_start": [("POST", f"/exams/practice/{p}/mock", {"blueprint": bp}, "object")],
        "exams.mock": [("GET", f"/exams/mock/{x['attempt'].id}", None, "object")],
        "exams.lesson_quizzes": [("GET", "/exams/lesson-quizzes", None, LESSON_QUIZ)],
        "exams.lesson_quiz_edit": [("GET", f"/exams/lessons/{fl}/quiz", None, "object"),
                                   ("POST", f"/exams/lessons/{fl}/quiz",
                                    {"bank": p, "knowledge_point": "", "question_count": 3}, "object")],
        "exams.lesson_quiz_remove": [("POST", f"/exams/lessons/{fl}/quiz/remove", {}, "object")],
        "exams.lesson_quiz_answer": [("POST", f"/exams/lesson-quizzes/{x['quiz'].id}/answer",
                                      {"version": x["prac_q"], "choice": 0}, "object")],
        "exams_api.banks": [("GET", "/api/v1/exams/banks", None, "api")],
        "exams_api.questions": [("GET", "/api/v1/exams/banks/LA-EXAM/questions", None, "api")],
    }
