"""Demo drill results: a primary school's classes run the escape drill, an enterprise's maintenance
team the confined-space drill; texts are those the drill program sends in Chinese."""

import random
import uuid
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from courses.drills.models import DrillResult
from lms.extensions import db
from lms.models import Account, Organization

#: (code, max points, critical, chance a class gets it right, text when right, text when wrong)
ESCAPE = [
    ("door_tested", 5, False, 0.6, "开门前你先用手背试了门的温度。",
     "你没有先试门温就开了门。开门前一定要用手背触摸门或门把手：门烫说明门后有火。"),
    ("wet_cloth", 10, False, 0.5, "在烟雾中你用湿毛巾捂住了口鼻。",
     "你穿过烟雾时没有用湿毛巾捂住口鼻。出发前先在水龙头处把毛巾打湿。"),
    ("crouch", 10, False, 0.7, "你在烟雾下弯腰低姿前进，那里空气较好、看得更清。",
     "你直立穿过烟雾。烟气在顶部最浓：应弯腰低姿、沿墙前进。"),
    ("lift", 20, True, 0.9, "你没有乘坐电梯，走了楼梯。",
     "你乘坐了电梯。火灾时切勿乘坐电梯：可能断电，电梯井会充满烟气。要走楼梯。"),
    ("call_119", 10, False, 0.55, "你拨打了119报警。",
     "你没有拨打119。安全后应立即拨打119，说清地址、什么在燃烧、是否有人被困。"),
]
CONFINED = [
    ("ventilate_first", 10, False, 0.6, "先通风再检测：先通风、再检测、后作业。",
     "你在通风前就进行了检测。规则是：先通风、再检测、后作业。"),
    ("tests_complete", 10, True, 0.75, "已在上、中、下三个位置检测气体。",
     "未检测全部位置。气体会分层：硫化氢下沉、甲烷上浮，必须检测上、中、下三处。"),
    ("attendant", 10, True, 0.85, "监护人在出入口外全程监护。",
     "外面没有监护人。监护人必须在外全程监护，不得离开。"),
    ("harness", 5, False, 0.6, "作业人员佩戴了安全带并系好通往外部的救生索。",
     "作业人员未佩戴安全带和救生索，外部人员无法不进入就把他拉出来。"),
    ("rescue", 15, True, 0.8, "你在外部用救生索施救（或佩戴呼吸器后才进入），没有盲目施救。",
     "盲目施救：你未佩戴呼吸器就进入，自己也倒下了。严禁无防护盲目施救。"),
]
OUTCOMES = {
    "escape": (("escaped", "你成功逃生并拨打了119。"), ("collapsed", "你在到达安全地点前因吸入烟气而晕倒。")),
    "confined-space": (("rescued", "倒下的同事被安全救出。"), ("blind_rescue", "施救者也倒下了：盲目施救。")),
}
#: (organization name, reporting username, drill, spec, {class: skill}, runs per class)
PLAN = [
    ("吴江区实验小学", "teacher", "escape", ESCAPE,
     {"三年级一班": 0.8, "五年级二班": 1.0, "六年级一班": 1.1}, 8),
    ("无锡恒通化工有限公司", "ent_admin", "confined-space", CONFINED, {"维修班": 1.0}, 6),
]


def add_demo_results(_sender, *, rng: random.Random, today: date, **_kwargs) -> None:
    """Receiver of lms.signals.demo_loaded: add drill runs (the caller commits)."""
    for org_name, username, drill, spec, classes, runs in PLAN:
        org = db.session.scalar(select(Organization).where(Organization.name == org_name))
        reporter = db.session.scalar(select(Account).where(Account.username == username))
        if org is None or reporter is None:
            continue
        for class_name, skill in classes.items():
            for n in range(1, runs + 1):
                db.session.add(_run(rng, today, org, reporter, drill, spec, class_name, skill, n))


def _run(rng, today, org, reporter, drill, spec, class_name, skill, n) -> DrillResult:
    days_back = rng.randrange(0, max(1, min(45, today.timetuple().tm_yday)))
    started = datetime.combine(today - timedelta(days=days_back), time(2), UTC)
    started += timedelta(minutes=rng.randrange(360))
    decisions, t = [], 0.0
    for code, points, critical, chance, right, wrong in spec:
        t += rng.uniform(3, 20)
        correct = rng.random() < min(0.98, chance * skill)
        decisions.append({"code": code, "correct": correct, "critical": critical, "t": round(t, 3),
                          "points": points if correct else 0, "max_points": points,
                          "message_id": code, "text": right if correct else wrong})
    score = round(100 * sum(d["points"] for d in decisions) / sum(d["max_points"] for d in decisions))
    passed = score >= 60 and not any(d["critical"] and not d["correct"] for d in decisions)
    outcome, outcome_text = OUTCOMES[drill][0 if passed else 1]
    return DrillResult(
        organization_id=org.id, class_name=class_name, participant=f"{n:02d}号", drill=drill,
        drill_version="1.0", seed=rng.randrange(10_000), run_id=str(uuid.UUID(int=rng.getrandbits(128),
                                                                             version=4)),
        started_at=started, duration_s=round(t + rng.uniform(5, 30), 1), score=score, max_score=100,
        passed=passed, language="zh_CN", outcome=outcome, outcome_text=outcome_text,
        decisions=decisions, details={"demo": True}, received_at=started + timedelta(minutes=5),
        reported_by_id=reporter.id)
