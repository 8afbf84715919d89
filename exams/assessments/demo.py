"""Demo data: an induction assessment the demo enterprise has set its staff, open for two weeks."""

from datetime import timedelta

from sqlalchemy import select

from exams.assessments.models import AssessmentPurpose
from exams.assessments.services import Plan, on_the_job, schedule
from exams.models import Blueprint, BlueprintCell, QuestionBank, QuestionType
from lms import clock
from lms.clock import local_midnight, local_tz
from lms.extensions import db
from lms.models import Account, RoleGrant
from lms.roles import Role

TITLE = "2026年新员工三级安全教育考核"
#: A short composition the enterprise keeps for its own assessments (not a rule: its own choice).
CELLS = ((QuestionType.TRUE_FALSE, 10), (QuestionType.SINGLE, 10))


def add_demo_assessment(_sender=None, **_kwargs) -> None:
    """Receiver of lms.signals.demo_finished: the demo enterprise admin schedules an assessment."""
    bank = db.session.scalar(select(QuestionBank).where(QuestionBank.code == "JS-PRACTICE"))
    admin = db.session.scalar(select(Account).where(Account.username == "ent_admin"))
    if bank is None or admin is None:
        return
    grant = db.session.scalar(select(RoleGrant).where(RoleGrant.account_id == admin.id,
                                                      RoleGrant.role == Role.ENTERPRISE_ADMIN.value))
    enterprise = grant.organization
    blueprint = Blueprint(code="HT-INDUCTION-20", name="三级安全教育考核（20题）", exam_kind="custom",
                          organization_id=enterprise.id, duration_minutes=30, pass_mark=80,
                          points={QuestionType.TRUE_FALSE.value: 5, QuestionType.SINGLE.value: 5},
                          cells=[BlueprintCell(qtype=qtype, count=count) for qtype, count in CELLS])
    db.session.add(blueprint)
    db.session.flush()
    now = clock.now()
    opens = local_midnight(clock.today(), local_tz())
    staff = on_the_job(enterprise, [], now)
    plan = Plan(title=TITLE, purpose=AssessmentPurpose.INDUCTION, bank_id=bank.id, blueprint_id=blueprint.id,
                opens_at=opens, closes_at=opens + timedelta(days=14), time_limit_minutes=30, pass_percent=80,
                employment_ids=_one_post_each(staff))
    schedule(enterprise, plan, admin, now)


def _one_post_each(staff) -> list[int]:
    """One employment per person (a person holding two posts is assessed once)."""
    seen, chosen = set(), []
    for employment in staff:
        if employment.person_id not in seen:
            seen.add(employment.person_id)
            chosen.append(employment.id)
    return chosen
