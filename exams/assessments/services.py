"""Scheduling an enterprise assessment, starting it online and keeping its results.

The assessment runs on the attempt engine (exams.attempts): the paper is assembled from a practice
bank when the employee presses start, the deadline is the time limit or the window's end, the
server hands it in at the deadline, and grading writes the result to the assignment.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select

from exams.assembly import derive_seed
from exams.assessments.models import Assessment, AssessmentAssignment, AssessmentPurpose, AssessmentStatus
from exams.attempts import services as engine
from exams.attempts.models import ExamAttempt, SittingKind
from exams.models import BankPurpose, BankTier, Blueprint, PaperPurpose, QuestionBank
from exams.services.blueprints import RulesChanged, validate
from exams.services.papers import assemble_one
from lms import clock
from lms.audit import record_event
from lms.clock import local_date, local_tz
from lms.extensions import db
from lms.i18n import _l
from lms.models import Account, Employment, Organization, Region
from lms.transitions import change_or_raise

#: Bounds of what an enterprise may set (sanity, not rules: the rules fix no assessment format).
TIME_LIMIT_MINUTES = (5, 300)
PASS_PERCENT = (1, 100)


class AssessmentRefused(ValueError):
    """The assessment cannot be scheduled, started or cancelled; ``reasons`` say why."""

    def __init__(self, *reasons):
        super().__init__("; ".join(str(r) for r in reasons))
        self.reasons = [str(r) for r in reasons]


def _province_orgs(enterprise: Organization):
    """Organisations in the enterprise's province (the practice banks and blueprints it may use)."""
    province = "/" + enterprise.region.path.strip("/").split("/")[0] + "/"
    return select(Organization.id).join(Region, Organization.region_id == Region.id).where(
        Region.path.startswith(province))


def usable_banks(enterprise: Organization) -> list[QuestionBank]:
    """Practice banks the enterprise may assess from: national, its province's, its own.

    Exam banks never appear (教考分离): their questions are for the exam centres only.
    """
    return list(db.session.scalars(select(QuestionBank).where(
        QuestionBank.purpose == BankPurpose.PRACTICE,
        or_(QuestionBank.tier == BankTier.NATIONAL, QuestionBank.organization_id == enterprise.id,
            QuestionBank.organization_id.in_(_province_orgs(enterprise)))).order_by(QuestionBank.name)))


def usable_blueprints(enterprise: Organization) -> list[Blueprint]:
    """Compositions the enterprise may use: its own and those of its province's organisations."""
    return list(db.session.scalars(select(Blueprint).where(or_(
        Blueprint.organization_id == enterprise.id,
        Blueprint.organization_id.in_(_province_orgs(enterprise)))).order_by(Blueprint.name)))


def on_the_job(enterprise: Organization, posts: list[str], on: datetime) -> list[Employment]:
    """The enterprise's employments on the job at ``on`` (in ``posts`` when given), by name."""
    day = local_date(on, local_tz())
    query = select(Employment).where(
        Employment.organization_id == enterprise.id, Employment.is_on_the_job.is_(True),
        Employment.start_date <= day, or_(Employment.end_date.is_(None), Employment.end_date >= day))
    if posts:
        query = query.where(Employment.post.in_(posts))
    found = db.session.scalars(query.order_by(Employment.id)).all()
    return sorted(found, key=lambda e: (e.person.name, e.id))


@dataclass(frozen=True)
class Plan:
    """What the enterprise admin asked for."""

    title: str
    purpose: AssessmentPurpose
    bank_id: int
    blueprint_id: int
    opens_at: datetime
    closes_at: datetime
    time_limit_minutes: int
    pass_percent: float
    employment_ids: list[int]


def _checked(enterprise: Organization, plan: Plan, now: datetime):
    """(bank, blueprint, employments) of a plan, or AssessmentRefused with every reason."""
    reasons = []
    bank = next((b for b in usable_banks(enterprise) if b.id == plan.bank_id), None)
    blueprint = next((b for b in usable_blueprints(enterprise) if b.id == plan.blueprint_id), None)
    if bank is None:
        reasons.append(_l("Choose a practice bank available to the enterprise."))
    if blueprint is None:
        reasons.append(_l("Choose a composition available to the enterprise."))
    if bank is not None and blueprint is not None and validate(blueprint, bank):
        reasons.append(_l("The bank has too few published questions for this composition."))
    if plan.closes_at <= plan.opens_at:
        reasons.append(_l("The window must close after it opens."))
    if plan.closes_at <= now:
        reasons.append(_l("The window must close in the future."))
    low, high = TIME_LIMIT_MINUTES
    if not low <= plan.time_limit_minutes <= high:
        reasons.append(_l("The time limit must be between %(low)d and %(high)d minutes.", low=low, high=high))
    if not PASS_PERCENT[0] <= plan.pass_percent <= PASS_PERCENT[1]:
        reasons.append(_l("The pass mark must be a percentage between 1 and 100."))
    employed = {e.id: e for e in on_the_job(enterprise, [], now)}
    chosen = [employed[i] for i in dict.fromkeys(plan.employment_ids) if i in employed]
    if not chosen or len(chosen) != len(set(plan.employment_ids)):
        reasons.append(_l("Choose at least one employee on the job at the enterprise."))
    people = [e.person_id for e in chosen]
    if len(people) != len(set(people)):
        reasons.append(_l("A person holding two posts is assigned once: choose one of their posts."))
    if reasons:
        raise AssessmentRefused(*reasons)
    return bank, blueprint, chosen


def schedule(enterprise: Organization, plan: Plan, actor: Account, now: datetime) -> Assessment:
    """Create the assessment and one assignment per chosen employee; nothing is written on refusal."""
    bank, blueprint, chosen = _checked(enterprise, plan, now)
    assessment = Assessment(enterprise_id=enterprise.id, title=plan.title.strip(), purpose=plan.purpose,
                            bank_id=bank.id, blueprint_id=blueprint.id, opens_at=plan.opens_at,
                            closes_at=plan.closes_at, time_limit_minutes=plan.time_limit_minutes,
                            pass_percent=plan.pass_percent, created_by_id=actor.id, created_at=now)
    db.session.add(assessment)
    db.session.flush()
    db.session.add_all(AssessmentAssignment(assessment_id=assessment.id, person_id=e.person_id,
                                            employment_id=e.id) for e in chosen)
    db.session.flush()
    record_event("exams.assessment.scheduled", actor=actor, target=assessment,
                 organization_id=enterprise.id, title=assessment.title, people=len(chosen),
                 bank=bank.code, blueprint=blueprint.code)
    return assessment


def cancel(assessment: Assessment, actor: Account, reason: str, now: datetime) -> None:
    """Cancel an assessment nobody has started; AlreadyChanged when it was cancelled meanwhile."""
    if not reason.strip():
        raise AssessmentRefused(_l("Say why the assessment is cancelled."))
    begun = exists().where(ExamAttempt.assignment_id == AssessmentAssignment.id,
                           AssessmentAssignment.assessment_id == assessment.id)
    if db.session.scalar(select(begun)):
        raise AssessmentRefused(_l("Employees have started this assessment: it cannot be cancelled."))
    change_or_raise(assessment, Assessment.status == AssessmentStatus.SCHEDULED,
                    status=AssessmentStatus.CANCELLED, cancelled_reason=reason.strip())
    record_event("exams.assessment.cancelled", actor=actor, target=assessment,
                 organization_id=assessment.enterprise_id, title=assessment.title, reason=reason.strip())


def window_state(assessment: Assessment, now: datetime) -> str:
    """"cancelled", "upcoming", "open" or "closed"."""
    if assessment.status is AssessmentStatus.CANCELLED:
        return "cancelled"
    if now < assessment.opens_at:
        return "upcoming"
    return "open" if now < assessment.closes_at else "closed"


def attempt_for(assignment: AssessmentAssignment) -> ExamAttempt | None:
    """The assignment's attempt, if started."""
    return db.session.scalar(select(ExamAttempt).where(ExamAttempt.assignment_id == assignment.id))


def start(assignment: AssessmentAssignment, account: Account, now: datetime) -> ExamAttempt:
    """Start (or return) the employee's attempt: the paper is assembled now from the practice bank."""
    if account.person_id != assignment.person_id:
        raise AssessmentRefused(_l("This assessment is set for someone else."))
    existing = attempt_for(assignment)
    if existing is not None:
        return existing
    assessment = assignment.assessment
    state = window_state(assessment, now)
    if state != "open":
        raise AssessmentRefused({"cancelled": _l("The assessment was cancelled."),
                                 "upcoming": _l("The assessment has not opened yet."),
                                 "closed": _l("The assessment has closed.")}[state])
    try:
        paper = assemble_one(assessment.blueprint, assessment.bank,
                             derive_seed("assessment", assessment.id, assignment.person_id), now,
                             purpose=PaperPurpose.ASSESSMENT, person_id=assignment.person_id,
                             account_id=account.id)
    except RulesChanged:
        raise AssessmentRefused(_l("The bank cannot fill this composition any more; tell your "
                                   "safety admin.")) from None
    # The assessment sets its own time limit and pass mark on the composition's questions.
    paper.duration_minutes = assessment.time_limit_minutes
    paper.pass_mark = round(paper.total_points * assessment.pass_percent / 100, 2)
    deadline = min(now + timedelta(minutes=assessment.time_limit_minutes), assessment.closes_at)
    return engine.start_online(SittingKind.ASSESSMENT, account.id, paper, deadline, now,
                               assignment_id=assignment.id)


def write_result(attempt: ExamAttempt, now: datetime) -> None:
    """Grading's result for an assessment: the assignment keeps the score (0-100) and the verdict."""
    assignment = attempt.assignment
    assignment.score = engine.percent_of(attempt)
    assignment.passed = attempt.passed
    assignment.completed_at = now
    db.session.flush()


def audit_names(attempt: ExamAttempt) -> tuple[int, dict]:
    """The enterprise an assessment attempt is filed under, and the names its audit sentence uses."""
    assignment = attempt.assignment
    return assignment.assessment.enterprise_id, {"title": assignment.assessment.title,
                                                 "who": assignment.person.name}


def my_assignments(account: Account) -> list[AssessmentAssignment]:
    """The account holder's assignments in scheduled assessments, latest window first."""
    if account.person_id is None:
        return []
    return list(db.session.scalars(select(AssessmentAssignment).join(Assessment).where(
        and_(AssessmentAssignment.person_id == account.person_id,
             Assessment.status == AssessmentStatus.SCHEDULED)).order_by(Assessment.closes_at.desc())))


def results_summary(assessment: Assessment) -> dict:
    """Assigned, handed in and passed counts, and the pass rate over those assigned."""
    assigned = len(assessment.assignments)
    done = [a for a in assessment.assignments if a.completed_at is not None]
    passed = sum(1 for a in done if a.passed)
    return {"assigned": assigned, "done": len(done), "passed": passed,
            "rate": round(passed * 100 / assigned, 1) if assigned else None}


def assessments_to_take(account: Account) -> int | None:
    """Open assessments the account holder has not handed in yet (None, hiding the home tile,
    when there are none)."""
    if account.person_id is None:
        return None
    moment = clock.now()
    return db.session.scalar(select(func.count(AssessmentAssignment.id)).join(Assessment).where(
        AssessmentAssignment.person_id == account.person_id, AssessmentAssignment.completed_at.is_(None),
        Assessment.status == AssessmentStatus.SCHEDULED, Assessment.opens_at <= moment,
        Assessment.closes_at > moment)) or None
