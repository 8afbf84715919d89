"""Exams journeys in Chromium: an editor imports, fixes and publishes; a learner practises and reviews."""

import io
from datetime import UTC, datetime

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from exams.demo import add_knowledge_tree
from exams.formats.table import COLUMNS
from exams.models import BankPurpose, Question, QuestionBank, QuestionStatus
from exams.services.questions import write_items
from lms.extensions import db
from lms.models import OrgKind
from lms.roles import Role

from support import PASSWORD

pytestmark = pytest.mark.browser

DISCARD = "放弃并修改文件"

ROWS = [
    ["单选", "扑救带电设备火灾时，不得选用哪种灭火器？", "ABC干粉灭火器", "装有金属喇叭喷筒的二氧化碳灭火器",
     "BC干粉灭火器", None, None, None, None, None, "B", "GB 50140-2005 第4.2.5条。", "fire.ext", 3],
    ["判断", "有限空间作业应先通风、再检测、后作业。", None, None, None, None, None, None, None, None, "对",
     "", "space.gas", 2],
    ["单选", "", "甲", "乙", None, None, None, None, None, None, "A", "", "fire.class", 2],
    ["单选", "氧含量合格范围是？", "19.5%～23.5%", "18%～21%", None, None, None, None, None, None, "D", "",
     "space.gas", 3],
]


def workbook(rows) -> bytes:
    book = Workbook()
    book.active.append([h for _f, h in COLUMNS])
    for values in rows:
        book.active.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def sign_in(page, base, username):
    page.goto(base + "/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


@pytest.fixture
def exam_bank_editor(make):
    """The demo exam centre's exam bank and its question-bank editor."""
    make.rules()
    add_knowledge_tree()
    centre = make.org("无锡市安全生产培训考试考核中心", kind=OrgKind.EXAM_CENTRE, industry=None)
    db.session.add(QuestionBank(code="JS-EXAM", name="江苏省考试题库", purpose=BankPurpose.EXAM,
                                organization=centre))
    return make.account("bank_editor", Role.QUESTION_EDITOR, org=centre)


def test_editor_imports_fixes_and_publishes(live_server, page, exam_bank_editor, shoot, axe_check,
                                            tmp_path, nav):
    bad, fixed = tmp_path / "题库.xlsx", tmp_path / "题库-已改.xlsx"
    bad.write_bytes(workbook(ROWS))
    good_rows = [row[:] for row in ROWS]
    good_rows[2][1], good_rows[3][10] = "木材燃烧引起的火灾属于A类火灾吗？选出正确的类别。", "A"
    fixed.write_bytes(workbook(good_rows))

    sign_in(page, live_server, "bank_editor")
    nav(page, "题库", exact=True).click()
    axe_check(page)
    shoot(page, "exams-banks-zh")
    page.get_by_role("link", name="江苏省考试题库").click()
    page.get_by_role("link", name="导入试题").click()
    page.get_by_label("试题文件").set_input_files(str(bad))
    page.get_by_role("button", name="检查文件").click()
    page.wait_for_url("**/exams/imports/*")
    page.get_by_role("cell", name="题干为空。").wait_for()
    page.get_by_role("cell", name="答案指向不存在的选项 D。").wait_for()
    axe_check(page)
    shoot(page, "exams-import-review-zh")
    assert db.session.scalar(select(func.count(Question.id))) == 0

    page.get_by_role("button", name=DISCARD).click()
    page.get_by_label("试题文件").set_input_files(str(fixed))
    page.get_by_role("button", name="检查文件").click()
    page.wait_for_url("**/exams/imports/*")
    page.get_by_role("button", name="导入 4 道有效试题").click()
    page.wait_for_url("**/exams/banks/*")
    page.get_by_text("已按文件内容导入 4 道试题。").wait_for()
    for box in page.locator("input[name=ids]").all():
        box.check()
    page.get_by_label("将所选试题改为").select_option("published")
    page.get_by_role("button", name="应用").click()
    page.get_by_text("已更改 4 道试题。").wait_for()
    axe_check(page)
    shoot(page, "exams-bank-published-zh")
    db.session.expire_all()
    statuses = db.session.scalars(select(Question.status)).all()
    assert statuses == [QuestionStatus.PUBLISHED] * 4


def test_learner_practises_and_reviews_the_wrong_answer_book(live_server, page, make, shoot, axe_check,
                                                              nav):
    make.rules()
    add_knowledge_tree()
    centre = make.org("无锡市安全生产培训考试考核中心", kind=OrgKind.EXAM_CENTRE, industry=None)
    ent = make.org("无锡恒通化工有限公司", high_risk=True, industry="hazardous_chemicals")
    bank = QuestionBank(code="JS-PRACTICE", name="江苏省安全生产练习题库", purpose=BankPurpose.PRACTICE,
                        organization=centre)
    db.session.add(bank)
    db.session.flush()
    write_items(bank, [{"qtype": "single", "stem": "煤油燃烧引起的火灾属于哪一类火灾？",
                        "options": ["A类火灾", "B类火灾", "C类火灾", "D类火灾"], "key": [1],
                        "explanation": "GB/T 4968-2008：液体火灾为B类。", "knowledge_point": "fire.class",
                        "difficulty": 2, "posts": [], "operation_codes": [], "status": "published",
                        "image": None}], None, datetime.now(UTC))
    db.session.commit()
    make.account("learner", Role.LEARNER, org=ent)

    sign_in(page, live_server, "learner")
    nav(page, "练习", exact=True).click()
    axe_check(page)
    shoot(page, "exams-practice-home-zh")
    page.get_by_role("link", name="火灾分类").click()
    page.get_by_label("A类火灾").check()
    page.get_by_role("button", name="提交答案").click()
    page.get_by_role("heading", name="答错了，已记入你的错题本。").wait_for()
    page.get_by_text("液体火灾为B类").wait_for()
    axe_check(page)
    shoot(page, "exams-practice-feedback-zh")
    page.get_by_role("link", name="选择其他知识点").click()
    page.get_by_role("link", name="我的错题本").click()
    page.get_by_text("煤油燃烧引起的火灾属于哪一类火灾？").wait_for()
    axe_check(page)
    shoot(page, "exams-wrong-book-zh")
    page.get_by_role("link", name="再练一次").click()
    page.get_by_label("B类火灾").check()
    page.get_by_role("button", name="提交答案").click()
    page.get_by_role("heading", name="回答正确！").wait_for()
    page.goto(live_server + "/exams/practice/wrong-answers")
    page.get_by_text("你的错题本是空的。").wait_for()


MOODLE = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category">
    <category><text>$course$/top/默认类别/消防安全/高层建筑</text></category>
  </question>
  <question type="truefalse">
    <name><text>电梯</text></name>
    <questiontext format="html">
      <text><![CDATA[<p>高层建筑发生火灾时，<br>应乘坐电梯逃生。</p>]]></text>
    </questiontext>
    <answer fraction="0"><text>true</text></answer>
    <answer fraction="100"><text>false</text></answer>
  </question>
  <question type="essay">
    <name><text>论述</text></name>
    <questiontext format="html"><text><![CDATA[<p>论述高层建筑防火要点。</p>]]></text></questiontext>
  </question>
  <question type="category"><category><text>$course$/top/火灾分类</text></category></question>
  <question type="multichoice">
    <name><text>分类</text></name>
    <questiontext format="html"><text><![CDATA[<p>下列属于B类火灾的是</p>]]></text></questiontext>
    <single>false</single>
    <answer fraction="50"><text>汽油火灾</text></answer>
    <answer fraction="50"><text>乙醇火灾</text></answer>
    <answer fraction="-100"><text>木材火灾</text></answer>
  </question>
</quiz>
"""


def test_editor_decides_what_happens_to_a_moodle_category_without_a_knowledge_point(
        live_server, page, exam_bank_editor, shoot, axe_check, tmp_path, nav):
    export = tmp_path / "moodle-export.xml"
    export.write_text(MOODLE, encoding="utf-8")

    sign_in(page, live_server, "bank_editor")
    nav(page, "题库", exact=True).click()
    page.get_by_role("link", name="江苏省考试题库").click()
    page.get_by_role("link", name="导入试题").click()
    page.get_by_label("试题文件").set_input_files(str(export))
    page.get_by_role("button", name="检查文件").click()
    page.wait_for_url("**/exams/imports/*")
    page.get_by_role("cell", name="消防安全/高层建筑", exact=True).wait_for()
    page.get_by_text("不支持的题型（问答题）：已跳过。").wait_for()
    page.get_by_label("将其新建为知识点").check()
    axe_check(page)
    shoot(page, "exams-import-categories-zh")
    page.get_by_role("button", name="导入 2 道有效试题").click()
    page.wait_for_url("**/exams/banks/*")
    db.session.expire_all()
    questions = db.session.scalars(select(Question)).all()
    assert {q.knowledge_point.name for q in questions} == {"高层建筑", "火灾分类"}
    assert {q.status for q in questions} == {QuestionStatus.DRAFT}
    stems = {q.current.stem for q in questions}
    assert stems == {"高层建筑发生火灾时，\n应乘坐电梯逃生。", "下列属于B类火灾的是"}
