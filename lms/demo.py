"""A realistic, reproducible demo dataset: regions, rules, organizations, ~500 employees, accounts."""

import random
import string
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from lms.accounts import grant_role
from lms.auth.passwords import hash_password
from lms.clock import today as clock_today
from lms.extensions import db
from lms.idcard import check_digit
from lms.models import Account, Employment, Organization, OrgKind, Person, Post, RoleGrant
from lms.regions import region_by_code, seed_regions
from lms.roles import Role
from lms.rules import seed_rules
from lms.signals import demo_finished, demo_loaded

DEMO_PASSWORD = "Demo-2026-safety"

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯"
    "邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华建国志红玉斌鹏飞宇浩凯晨欣婷雪琳健文博"

#: (name, district code, industry, high risk, headcount)
ENTERPRISES = [
    ("无锡恒通化工有限公司", "320281", "hazardous_chemicals", True, 40),
    ("江阴澄江特钢冶炼有限公司", "320281", "metal_smelting", True, 38),
    ("宜兴陶都建材有限公司", "320282", "building_materials", False, 22),
    ("无锡锡山精密机械有限公司", "320205", "machinery", False, 25),
    ("无锡惠山新材料化学有限公司", "320206", "hazardous_chemicals", True, 32),
    ("无锡滨湖纺织印染有限公司", "320211", "textiles", False, 24),
    ("无锡梁溪商贸物流有限公司", "320213", "commerce", False, 18),
    ("无锡新吴电子科技有限公司", "320214", "electronics", False, 30),
    ("无锡太湖建设工程有限公司", "320211", "construction", False, 26),
    ("无锡锡东危险货物运输有限公司", "320205", "transport", False, 16),
    ("吴江盛泽丝绸印染有限公司", "320509", "textiles", False, 28),
    ("吴江汾湖精细化工有限公司", "320509", "hazardous_chemicals", True, 30),
    ("吴江东方电缆有限公司", "320509", "machinery", False, 22),
    ("吴江松陵食品有限公司", "320509", "light_industry", False, 15),
    ("六安金安矿业有限公司", "341502", "non_coal_mining", True, 28),
    ("霍邱铁矿开采有限公司", "341522", "non_coal_mining", True, 26),
    ("六安裕安烟花爆竹有限公司", "341503", "fireworks", True, 14),
    ("舒城化工园区新能源有限公司", "341523", "hazardous_chemicals", True, 20),
    ("金寨县建筑安装有限公司", "341524", "construction", False, 18),
    ("霍山县茶业加工有限公司", "341525", "light_industry", False, 12),
]

#: Operation sub-types typical of each industry, used for special-operations workers.
INDUSTRY_SUBTYPES = {
    "hazardous_chemicals": ["9.3", "9.4", "9.8", "9.16", "1.2", "2.1"],
    "metal_smelting": ["8.1", "1.1", "1.2", "2.1"],
    "non_coal_mining": ["6.1", "6.4", "6.6", "6.8", "1.2"],
    "fireworks": ["10.1", "10.4", "10.5"],
    "construction": ["3.1", "3.2", "2.1", "1.2"],
}
DEFAULT_SUBTYPES = ["1.2", "2.1", "3.2", "4.1"]

OTHER_ORGS = [
    ("无锡市安全生产培训考试考核中心", "320213", OrgKind.EXAM_CENTRE),
    ("吴江区实验小学", "320509", OrgKind.SCHOOL),
    ("江苏省应急管理厅", "320000", OrgKind.REGULATOR),
    ("无锡市应急管理局", "320200", OrgKind.REGULATOR),
    ("苏州市应急管理局", "320500", OrgKind.REGULATOR),
    ("苏州市吴江区应急管理局", "320509", OrgKind.REGULATOR),
    ("六安市应急管理局", "341500", OrgKind.REGULATOR),
]


@dataclass(frozen=True)
class DemoAccount:
    """A demo login and what it is for."""

    username: str
    role: Role
    scope: str


def database_is_empty() -> bool:
    """True when no organization exists yet."""
    return db.session.scalar(select(func.count(Organization.id))) == 0


def load_demo(seed: int = 2026, today: date | None = None) -> list[DemoAccount]:
    """Insert the demo dataset and return the demo accounts; the caller commits."""
    rng = random.Random(seed)
    today = today or clock_today()
    seed_regions()
    seed_rules()
    enterprises = [_enterprise(rng, *spec) for spec in ENTERPRISES]
    others = {name: _organization(rng, name, code, kind) for name, code, kind in OTHER_ORGS}
    used_ids: set[str] = set()
    for org, spec in zip(enterprises, ENTERPRISES, strict=True):
        _staff(rng, org, spec[4], today, used_ids)
    db.session.flush()
    accounts = _accounts(enterprises, others)
    demo_loaded.send(None, rng=rng, today=today)
    db.session.flush()
    demo_finished.send(None, rng=rng, today=today)
    db.session.flush()
    return accounts


def _credit_code(rng: random.Random, region_code: str) -> str:
    tail = "".join(rng.choice(string.digits + "ABCDEFGHJKLMNPQRTUWXY") for _ in range(10))
    return f"91{region_code}{tail}"


def _organization(rng, name, region_code, kind, industry=None, high_risk=False) -> Organization:
    org = Organization(kind=kind, name=name, code=_credit_code(rng, region_code),
                       region=region_by_code(region_code), industry=industry,
                       is_high_risk=high_risk)
    db.session.add(org)
    return org


def _enterprise(rng, name, region_code, industry, high_risk, _headcount) -> Organization:
    return _organization(rng, name, region_code, OrgKind.ENTERPRISE, industry, high_risk)


def _person(rng: random.Random, region_code: str, used: set[str]) -> Person:
    while True:
        born = date(1965, 1, 1) + timedelta(days=rng.randrange(365 * 38))
        first17 = f"{region_code}{born:%Y%m%d}{rng.randrange(1000):03d}"
        number = first17 + check_digit(first17)
        if number not in used:
            used.add(number)
            break
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    person = Person(id_number=number, name=name, birth_date=born)
    db.session.add(person)
    return person


def _staff(rng, org: Organization, headcount: int, today: date, used: set[str]) -> None:
    posts = [Post.PRINCIPAL] + [Post.SAFETY_MANAGER] * (1 + headcount // 15)
    specials = max(3, headcount * 2 // 5)
    posts += [Post.SPECIAL_OPERATIONS] * specials
    posts += [Post.OTHER] * max(0, headcount - len(posts))
    subtypes = INDUSTRY_SUBTYPES.get(org.industry, DEFAULT_SUBTYPES)
    for post in posts:
        person = _person(rng, org.region.code, used)
        subtype = rng.choice(subtypes) if post is Post.SPECIAL_OPERATIONS else None
        start = today - timedelta(days=rng.randrange(30, 365 * 12))
        db.session.add(Employment(
            person=person, organization=org, post=post, start_date=start,
            operation_subtype=subtype, operation_category=subtype.split(".")[0] if subtype else None,
            department=rng.choice(["生产部", "设备部", "安环部", "仓储部", "质检部"]),
            is_on_the_job=rng.random() > 0.03))


def _accounts(enterprises: list[Organization], others: dict[str, Organization]) -> list[DemoAccount]:
    admin = _account("admin", "系统管理员")
    db.session.add(RoleGrant(account=admin, role=Role.SYSTEM_ADMIN.value))
    db.session.flush()
    centre, school = others["无锡市安全生产培训考试考核中心"], others["吴江区实验小学"]
    learner_person = db.session.scalar(select(Person).join(Employment).where(
        Employment.organization_id == enterprises[0].id, Employment.post == Post.SPECIAL_OPERATIONS))
    plan = [
        ("wuxi_regulator", "无锡市应急管理局", Role.REGULATOR, None, "320200"),
        ("jiangsu_regulator", "江苏省应急管理厅", Role.REGULATOR, None, "320000"),
        ("wujiang_regulator", "吴江区应急管理局", Role.REGULATOR, None, "320509"),
        ("luan_regulator", "六安市应急管理局", Role.REGULATOR, None, "341500"),
        ("ent_admin", "恒通化工安全科", Role.ENTERPRISE_ADMIN, enterprises[0], None),
        ("trainer", "培训教师", Role.TRAINER, enterprises[0], None),
        ("bank_editor", "题库管理员", Role.QUESTION_EDITOR, centre, None),
        ("centre_admin", "考点管理员", Role.EXAM_CENTRE_ADMIN, centre, None),
        ("invigilator", "监考员", Role.INVIGILATOR, centre, None),
        ("examiner", "实操考评员", Role.PRACTICAL_EXAMINER, centre, None),
        ("cert_officer", "发证人员", Role.CERTIFICATE_OFFICER, None, "320000"),
        ("teacher", "安全教育老师", Role.SCHOOL_TEACHER, school, None),
    ]
    result = [DemoAccount("admin", Role.SYSTEM_ADMIN, "—")]
    for username, display, role, org, region_code in plan:
        account = _account(username, display)
        region = region_by_code(region_code) if region_code else None
        grant_role(admin, account, role, org=org, region=region)
        result.append(DemoAccount(username, role, org.name if org else region.name_zh))
    learner = _account("learner", learner_person.name, person=learner_person)
    grant_role(admin, learner, Role.LEARNER, org=enterprises[0])
    result.append(DemoAccount("learner", Role.LEARNER, enterprises[0].name))
    return result


def _account(username: str, display: str, person: Person | None = None) -> Account:
    account = Account(username=username, display_name=display, person=person,
                      password_hash=hash_password(DEMO_PASSWORD))
    db.session.add(account)
    db.session.flush()
    return account
