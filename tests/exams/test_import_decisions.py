"""What an import decides besides reading the file: categories without a knowledge point, drafts in
exam banks, publishing in practice banks, embedded images, and the command's exit codes."""

import base64
import io

import pytest
from sqlalchemy import func, select

from exams.models import BankPurpose, KnowledgePoint, Question, QuestionImport, QuestionStatus
from lms.extensions import db
from lms.models import AuditEvent

# Written by hand after Moodle's GIFT documentation: a category Moodle-style, one that exists by name.
GIFT = """// 由题库管理员导出
$CATEGORY: $course$/top/消防安全/新增章节/高层建筑

::q1:: 高层建筑发生火灾时，应乘坐电梯逃生。 {F}

::q2:: 扑救电气火灾应首先 {=切断电源 ~用水扑救 ~打开门窗}

$CATEGORY: $course$/top/火灾分类

::q3:: 固体物质火灾属于A类火灾。 {T}
"""


def upload(client, bank, data: bytes, name: str, **fields):
    return client.post(f"/exams/banks/{bank.id}/import", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), name), "fmt": "auto", "default_difficulty": "3",
                             "default_kp": "", **fields}, headers={"Accept-Language": "en"})


def staged():
    return db.session.scalar(select(QuestionImport).order_by(QuestionImport.id.desc()))


def stems_by_kp(bank) -> dict[str, set[str]]:
    db.session.expire_all()
    rows = db.session.execute(select(KnowledgePoint.name, Question).join(Question.knowledge_point)
                              .where(Question.bank_id == bank.id)).all()
    found: dict[str, set[str]] = {}
    for name, question in rows:
        found.setdefault(name, set()).add(question.current.stem)
    return found


def test_the_review_shows_each_category_and_waits_for_a_decision(client, login, exam_bank, editor):
    login("editor")
    assert upload(client, exam_bank, GIFT.encode(), "bank.gift").status_code == 302
    page = client.get(f"/exams/imports/{staged().id}", headers={"Accept-Language": "en"}).get_data(
        as_text=True)
    assert "消防安全/新增章节/高层建筑" in page and "No match yet" in page
    assert "火灾分类" in page and "Categories that match no knowledge point" in page
    assert 'form="confirm-form"' in page
    assert db.session.scalar(select(func.count(Question.id))) == 0


def test_reject_imports_only_the_questions_whose_category_matched(client, login, exam_bank, editor):
    login("editor")
    upload(client, exam_bank, GIFT.encode(), "bank.gift")
    client.post(f"/exams/imports/{staged().id}/confirm", data={"unknown": "reject", "under": ""})
    assert stems_by_kp(exam_bank) == {"火灾分类": {"固体物质火灾属于A类火灾。"}}


def test_create_makes_the_category_path_under_the_chosen_knowledge_point(client, login, exam_bank, editor):
    login("editor")
    upload(client, exam_bank, GIFT.encode(), "bank.gift")
    client.post(f"/exams/imports/{staged().id}/confirm", data={"unknown": "create", "under": "fire"})
    found = stems_by_kp(exam_bank)
    assert found["高层建筑"] == {"高层建筑发生火灾时，应乘坐电梯逃生。", "扑救电气火灾应首先"}
    created = db.session.scalar(select(KnowledgePoint).where(KnowledgePoint.name == "高层建筑"))
    path = [kp.name for kp in db.session.scalars(select(KnowledgePoint).where(
        KnowledgePoint.id.in_([created.parent.parent.id, created.parent.id, created.id])))]
    # 消防安全 already exists at the top level, but "create" builds under the chosen node: 消防 (fire).
    assert created.parent.parent.parent.code == "fire" and set(path) == {"消防安全", "新增章节", "高层建筑"}


def test_default_files_them_under_the_chosen_knowledge_point(client, login, exam_bank, editor):
    login("editor")
    upload(client, exam_bank, GIFT.encode(), "bank.gift")
    client.post(f"/exams/imports/{staged().id}/confirm", data={"unknown": "default", "under": "fire.ext"})
    found = stems_by_kp(exam_bank)
    fire_ext = db.session.scalar(select(KnowledgePoint.name).where(KnowledgePoint.code == "fire.ext"))
    assert len(found[fire_ext]) == 2 and found["火灾分类"] == {"固体物质火灾属于A类火灾。"}


def test_exam_bank_imports_are_drafts_and_publishing_them_is_audited(client, login, exam_bank, editor):
    login("editor")
    upload(client, exam_bank, GIFT.encode(), "bank.gift", publish="y")
    client.post(f"/exams/imports/{staged().id}/confirm", data={"unknown": "create", "under": ""})
    db.session.expire_all()
    questions = db.session.scalars(select(Question)).all()
    assert {q.status for q in questions} == {QuestionStatus.DRAFT}
    ids = [str(q.id) for q in questions]
    client.post(f"/exams/banks/{exam_bank.id}/status", data={"status": "published", "ids": ids})
    db.session.expire_all()
    assert {q.status for q in db.session.scalars(select(Question))} == {QuestionStatus.PUBLISHED}
    events = {e.action: e for e in db.session.scalars(select(AuditEvent))}
    assert events["exams.import.confirmed"].actor_id == editor.id
    assert events["exams.question.status"].actor_id == editor.id
    assert events["exams.question.status"].details["status"] == "published"


def test_practice_banks_may_publish_on_import(client, login, practice_bank, editor):
    login("editor")
    upload(client, practice_bank, GIFT.encode(), "bank.gift", publish="y")
    client.post(f"/exams/imports/{staged().id}/confirm", data={"unknown": "create", "under": ""})
    db.session.expire_all()
    assert {q.status for q in db.session.scalars(select(Question))} == {QuestionStatus.PUBLISHED}


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def moodle_with_image(image: bytes) -> bytes:
    """A Moodle XML question with its picture embedded, as Moodle writes it (base64 <file>)."""
    encoded = base64.b64encode(image).decode()
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
<!-- question: 0  -->
  <question type="category">
    <category><text>$course$/top/火灾分类</text></category>
  </question>
<!-- question: 41  -->
  <question type="truefalse">
    <name><text>标志</text></name>
    <questiontext format="html">
      <text><![CDATA[<p>图中所示为灭火器标志。<img src="@@PLUGINFILE@@/sign.png" alt="标志"></p>]]></text>
      <file name="sign.png" path="/" encoding="base64">{encoded}</file>
    </questiontext>
    <generalfeedback format="html"><text></text></generalfeedback>
    <defaultgrade>1.0000000</defaultgrade>
    <penalty>1.0000000</penalty>
    <hidden>0</hidden>
    <answer fraction="100" format="moodle_auto_format"><text>true</text></answer>
    <answer fraction="0" format="moodle_auto_format"><text>false</text></answer>
  </question>
</quiz>
""".encode()


def test_an_embedded_image_becomes_the_question_image(client, login, exam_bank, editor):
    login("editor")
    image = png_bytes()
    assert upload(client, exam_bank, moodle_with_image(image), "quiz.xml").status_code == 302
    client.post(f"/exams/imports/{staged().id}/confirm", data={"unknown": "reject", "under": ""})
    db.session.expire_all()
    version = db.session.scalar(select(Question)).current
    assert "灭火器标志" in version.stem and "<img" not in version.stem
    with client.get(f"/exams/versions/{version.id}/image") as served:
        assert served.status_code == 200 and served.mimetype == "image/png" and served.data == image


@pytest.fixture
def files(tmp_path):
    (tmp_path / "bank.gift").write_text(GIFT, encoding="utf-8")
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    return tmp_path


def test_the_command_exits_2_for_a_refused_file_and_1_for_rejected_items(runner, exam_bank, files):
    refused = runner.invoke(args=["questions", "import", str(files / "broken.xlsx"), "--bank", "EXAM"])
    assert refused.exit_code == 2 and "Traceback" not in refused.output
    for extra in ([], ["--dry-run"]):
        rejected = runner.invoke(args=["questions", "import", str(files / "bank.gift"), "--bank", "EXAM",
                                       "--unknown-categories", "reject", *extra])
        assert rejected.exit_code == 1 and "1 valid, 2 rejected" in rejected.output
    assert db.session.scalar(select(func.count(Question.id))) == 0


def test_the_command_creates_categories_and_prints_the_mapping(runner, exam_bank, files):
    result = runner.invoke(args=["questions", "import", str(files / "bank.gift"), "--bank", "EXAM",
                                 "--unknown-categories", "create", "--knowledge-point", "fire"])
    assert result.exit_code == 0, result.output
    assert "category 消防安全/新增章节/高层建筑 -> new knowledge point" in result.output
    assert "category 火灾分类 -> fire.class" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Question.id))) == 3
    assert exam_bank.purpose is BankPurpose.EXAM


@pytest.mark.parametrize("text, path", [
    ("$course$/top/电气安全/触电防护", ("电气安全", "触电防护")),
    ("$course$/top/Default for 低压电工班/电气安全", ("电气安全",)),
    ("$course$/top/低压电工班的默认类别/电气安全", ("电气安全",)),
    ("$system$/top/A//B 类火灾/灭火", ("A/B 类火灾", "灭火")),
    ("$course$/top", ()),
])
def test_category_paths_drop_moodles_own_segments_and_keep_escaped_slashes(text, path):
    from exams.formats.common import category_path

    assert category_path(text) == path
