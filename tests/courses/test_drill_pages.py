"""Drill-result pages: figures by class and drill, common mistakes, regional overview, scoping, i18n."""

import importlib.util
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from courses.drills import stats
from courses.drills.models import DrillResult
from courses.drills.routes import chosen_period
from lms.extensions import db
from lms.models import OrgKind
from lms.roles import Role

from support import ROOT

_spec = importlib.util.spec_from_file_location("core_i18n", ROOT / "tests" / "lms" / "test_i18n.py")
core_i18n = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(core_i18n)

TEXTS = {"wet_cloth": ("你穿过烟雾时没有用湿毛巾捂住口鼻。", "You went through smoke without a wet cloth."),
         "lift": ("你乘坐了电梯。", "You took the lift."),
         "door_tested": ("你没有先试门温就开了门。", "You opened a door without feeling it first.")}


def add_run(org, reporter, class_name, passed, wrong=(), drill="escape", lang="zh_CN", when=None,
            participant="01"):
    """Store one run whose wrong decisions are ``wrong`` (codes may repeat)."""
    decisions = [{"code": code, "correct": False, "critical": code == "lift", "t": 1.0, "points": 0,
                  "max_points": 10, "message_id": TEXTS[code][1],
                  "text": TEXTS[code][0 if lang == "zh_CN" else 1]} for code in wrong]
    decisions.append({"code": "call_119", "correct": True, "critical": False, "t": 2.0, "points": 10,
                      "max_points": 10, "message_id": "You called 119.", "text": "你拨打了119报警。"})
    result = DrillResult(
        organization_id=org.id, class_name=class_name, participant=participant, drill=drill,
        drill_version="1.0", seed=1, run_id=str(uuid.uuid4()),
        started_at=when or datetime.now(UTC) - timedelta(hours=1), duration_s=60.0,
        score=80 if passed else 40, max_score=100, passed=passed, language=lang, outcome="escaped",
        outcome_text="你成功逃生并拨打了119。", decisions=decisions, details={},
        reported_by_id=reporter.id)
    db.session.add(result)
    db.session.commit()
    return result


@pytest.fixture
def drills(make):
    school = make.org("吴江区实验小学", region_code="320509", kind=OrgKind.SCHOOL, industry=None)
    quiet = make.org("吴江区第二小学", region_code="320509", kind=OrgKind.SCHOOL, industry=None)
    ent = make.org("无锡恒通化工", region_code="320213", industry="hazardous_chemicals")
    foreign = make.org("六安秘密小学", region_code="341502", kind=OrgKind.SCHOOL, industry=None)
    teacher = make.account("teacher", Role.SCHOOL_TEACHER, org=school)
    make.account("ent_admin", Role.ENTERPRISE_ADMIN, org=ent)
    make.account("wujiang", Role.REGULATOR, region_code="320509")
    make.account("wuxi", Role.REGULATOR, region_code="320200")
    b_teacher = make.account("b_teacher", Role.SCHOOL_TEACHER, org=foreign)
    runs = [add_run(school, teacher, "三年级一班", True, ["wet_cloth", "wet_cloth"], participant="01"),
            add_run(school, teacher, "三年级一班", True, ["wet_cloth", "door_tested"], participant="02"),
            add_run(school, teacher, "三年级一班", False, ["lift"], participant="02"),
            add_run(school, teacher, "五年级二班", True, ["door_tested"], lang="en"),
            add_run(school, teacher, "五年级二班", True, when=datetime(2020, 5, 1, tzinfo=UTC))]
    add_run(ent, teacher, "维修班", False, ["lift"], drill="confined-space")
    secret = add_run(foreign, b_teacher, "乙秘密班级", False, ["lift"])
    return {"school": school, "quiet": quiet, "ent": ent, "foreign": foreign, "runs": runs,
            "secret": secret}


def this_year(app):
    with app.test_request_context("/"):
        return chosen_period()[1]


def test_figures_by_class_and_drill_count_this_years_runs(app, drills):
    period = this_year(app)
    rows = stats.by_class_and_drill(drills["school"].id, period)
    assert [(c, d, t.runs, t.passed, t.participants, t.pass_rate) for c, d, t in rows] == [
        ("三年级一班", "escape", 3, 2, 2, 67), ("五年级二班", "escape", 1, 1, 1, 100)]
    total = stats.org_total(drills["school"].id, period)
    assert (total.runs, total.classes, total.pass_rate) == (4, 2, 75)
    assert total.participants == 3  # "01" of two classes is two people
    old = stats.org_total(drills["school"].id, stats.Period(datetime(2020, 1, 1, tzinfo=UTC),
                                                            datetime(2021, 1, 1, tzinfo=UTC)))
    assert old.runs == 1


def test_common_mistakes_count_runs_not_repeats_and_speak_the_readers_language(app, drills):
    period = this_year(app)
    zh = stats.common_mistakes(drills["school"].id, period, "zh_CN")
    assert [(m.code, m.runs, m.drill_runs, m.share, m.critical) for m in zh] == [
        ("door_tested", 2, 4, 50, False), ("wet_cloth", 2, 4, 50, False), ("lift", 1, 4, 25, True)]
    assert zh[0].text == TEXTS["door_tested"][0]
    en = stats.common_mistakes(drills["school"].id, period, "en")
    assert {m.code: m.text for m in en}["door_tested"] == TEXTS["door_tested"][1]
    # No English run made this mistake, so the Chinese text is better than none.
    assert {m.code: m.text for m in en}["wet_cloth"] == TEXTS["wet_cloth"][0]
    only = stats.common_mistakes(drills["school"].id, period, "zh_CN", class_name="五年级二班")
    assert [m.code for m in only] == ["door_tested"]


def test_the_teacher_sees_the_schools_results_page(client, login, drills):
    login("teacher")
    html = client.get("/courses/drills/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    for text in ("三年级一班", "五年级二班", "67%", TEXTS["wet_cloth"][0], "2 / 4", "严重"):
        assert text in html, text
    assert "六安秘密小学" not in html and "乙秘密班级" not in html and "无锡恒通化工" not in html
    filtered = client.get("/courses/drills/?class=五年级二班").get_data(as_text=True)
    assert TEXTS["wet_cloth"][0] not in filtered
    run = drills["runs"][0]
    detail = client.get(f"/courses/drills/runs/{run.id}").get_data(as_text=True)
    assert run.run_id in detail and TEXTS["wet_cloth"][0] in detail


def test_out_of_scope_results_answer_404(client, login, drills):
    login("teacher")
    assert client.get(f"/courses/drills/?org={drills['foreign'].id}").status_code == 404
    assert client.get(f"/courses/drills/?org={drills['ent'].id}").status_code == 404
    assert client.get(f"/courses/drills/runs/{drills['secret'].id}").status_code == 404
    assert client.get("/courses/drills/region").status_code == 403


def test_the_enterprise_admin_sees_their_enterprise_only(client, login, drills):
    login("ent_admin")
    html = client.get("/courses/drills/").get_data(as_text=True)
    assert "维修班" in html and "三年级一班" not in html
    assert client.get(f"/courses/drills/?org={drills['school'].id}").status_code == 404


def test_a_trainer_sees_the_runs_their_training_body_reported_and_no_other(client, login, make,
                                                                          drills):
    centre = make.org("无锡安培培训中心", region_code="320213", industry=None)
    trainer = make.account("trainer", Role.TRAINER, org=centre)
    add_run(centre, trainer, "叉车司机培训班", True, ["wet_cloth"])
    login("trainer")
    html = client.get("/courses/drills/").get_data(as_text=True)
    assert "叉车司机培训班" in html and "三年级一班" not in html and "维修班" not in html
    assert client.get(f"/courses/drills/?org={drills['school'].id}").status_code == 404
    assert client.get(f"/courses/drills/runs/{drills['secret'].id}").status_code == 404


def test_a_regulator_sees_participation_by_organization_in_the_region(client, login, drills):
    login("wujiang")
    assert client.get("/courses/drills/").status_code == 403
    html = client.get("/courses/drills/region").get_data(as_text=True)
    assert "吴江区实验小学" in html and "吴江区第二小学" in html
    assert "无锡恒通化工" not in html and "六安秘密小学" not in html
    assert "75%" in html  # 3 of the school's 4 runs this year passed
    period_rows = stats.region_rows(db.true(), this_year(client.application))
    quiet = next(t for o, t, _d in period_rows if o.id == drills["quiet"].id)
    assert quiet.runs == 0 and quiet.pass_rate is None


def test_the_wuxi_regulator_sees_the_wuxi_enterprise_that_reported(client, login, drills):
    login("wuxi")
    html = client.get("/courses/drills/region").get_data(as_text=True)
    assert "无锡恒通化工" in html and "吴江区实验小学" not in html


def test_the_pages_are_in_the_navigation_of_those_who_may_see_them(client, login, drills):
    login("teacher")
    assert "/courses/drills/" in client.get("/dashboard").get_data(as_text=True)
    client.post("/logout")
    login("wujiang")
    html = client.get("/dashboard").get_data(as_text=True)
    assert "/courses/drills/region" in html and 'href="/courses/drills/"' not in html


@pytest.mark.parametrize(("user", "url"), [
    ("teacher", "/courses/drills/"), ("teacher", "/courses/drills/runs/{run}"),
    ("wujiang", "/courses/drills/region"), ("teacher", "/courses/drills/?year=1999")])
def test_drill_pages_in_chinese_show_no_untranslated_text(client, login, drills, user, url):
    login(user)
    response = client.get(url.format(run=drills["runs"][0].id), headers={"Accept-Language": "zh-CN"})
    assert response.status_code in {200, 404}
    html = response.get_data(as_text=True)
    assert 'lang="zh-CN"' in html
    main = html[html.index('<main id="main">'):html.index("</main>")]
    assert core_i18n.untranslated_words(main) == []
    start = html.index('<nav class="main-nav"')
    nav = html[start:html.index("</nav>", start)]
    assert "演练" in nav
    assert core_i18n.untranslated_words(nav) == []


def test_an_empty_school_page_says_so(client, login, make):
    school = make.org("空小学", region_code="320509", kind=OrgKind.SCHOOL, industry=None)
    make.account("t2", Role.SCHOOL_TEACHER, org=school)
    login("t2")
    html = client.get("/courses/drills/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "No drill results in this period yet." in html
    assert date.today().year == int(html.split('name="year" type="number" value="')[1][:4])


def test_mistakes_count_only_the_latest_runs_past_the_window(app, client, login, drills, monkeypatch):
    monkeypatch.setattr(stats, "MISTAKE_WINDOW", 2)
    latest = sorted(drills["runs"][:4], key=lambda r: r.started_at)[-2:]
    expected = {d["code"] for r in latest for d in r.decisions if not d["correct"]}
    found = stats.common_mistakes(drills["school"].id, this_year(app), "zh_CN")
    assert {m.code for m in found} == expected and {m.drill_runs for m in found} == {2}
    login("teacher")
    html = client.get("/courses/drills/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Counted over the latest 2 runs of the period." in html
