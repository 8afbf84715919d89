"""Enterprise admins schedule and follow assessments; employees take theirs online."""

from datetime import UTC

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from exams.assessments import services
from exams.assessments.forms import PURPOSE_LABELS, WINDOW_LABELS, AssessmentForm, CancelForm
from exams.assessments.models import Assessment, AssessmentAssignment, AssessmentPurpose
from exams.assessments.permissions import ASSESS
from exams.attempts.models import ExamAttempt
from lms import clock
from lms.auth.forms import EmptyForm
from lms.authz import ensure_org, org_scope_clause, requires, signed_in
from lms.extensions import db
from lms.i18n import _, _l
from lms.models import Organization, OrgKind
from lms.transitions import AlreadyChanged

bp = Blueprint("assessments", __name__, url_prefix="/assessments", template_folder="../templates")

AUDIT_SENTENCES = {
    "exams.assessment.scheduled": _l("%(actor)s scheduled the assessment %(title)s for %(people)s "
                                     "employee(s) (bank %(bank)s, composition %(blueprint)s)"),
    "exams.assessment.cancelled": _l("%(actor)s cancelled the assessment %(title)s: %(reason)s"),
}


def register_navigation() -> None:
    """Assessments for enterprise admins; the employee's own list and home tile for employees."""
    from lms.web.templating import add_home_task, add_nav_item

    add_nav_item("exams", "assessments.index", _l("Enterprise assessments"), ASSESS)
    add_nav_item("training", "assessments.mine", _l("My assessments"), None,
                 when=lambda account: account.person_id is not None)
    add_home_task(_l("Assessments to take"), "assessments.mine", services.assessments_to_take, None,
                  "training", when=lambda account: account.person_id is not None)


def _enterprises() -> list[Organization]:
    return list(db.session.scalars(select(Organization).where(
        Organization.kind == OrgKind.ENTERPRISE, org_scope_clause(current_user, ASSESS))
        .order_by(Organization.name)))


def _assessment_or_404(assessment_id: int) -> Assessment:
    assessment = db.session.get(Assessment, assessment_id)
    if assessment is None:
        abort(404)
    ensure_org(ASSESS, assessment.enterprise)
    return assessment


@bp.get("/")
@requires(ASSESS)
def index():
    """The enterprise's assessments, latest first, with how many handed in and passed."""
    ids = [e.id for e in _enterprises()]
    # The assignments come in one query for all rows: each row's counts are read from them.
    assessments = db.session.scalars(select(Assessment).where(Assessment.enterprise_id.in_(ids))
                                     .options(selectinload(Assessment.assignments))
                                     .order_by(Assessment.opens_at.desc()).limit(200)).all()
    moment = clock.now()
    return render_template("assessments/index.html", assessments=assessments, purposes=PURPOSE_LABELS,
                           window_labels=WINDOW_LABELS,
                           summaries={a.id: services.results_summary(a) for a in assessments},
                           states={a.id: services.window_state(a, moment) for a in assessments})


def _fill_choices(form: AssessmentForm, enterprise: Organization | None) -> list:
    enterprises = _enterprises()
    form.enterprise.choices = [(e.id, e.name) for e in enterprises]
    enterprise = enterprise or (enterprises[0] if enterprises else None)
    if enterprise is None:
        abort(404)
    form.bank.choices = [(b.id, b.name) for b in services.usable_banks(enterprise)]
    form.blueprint.choices = [(b.id, b.name) for b in services.usable_blueprints(enterprise)]
    staff = services.on_the_job(enterprise, [], clock.now())
    form.employees.choices = [(e.id, e.person.name) for e in staff]
    return staff


def _local_to_utc(value):
    return value.replace(tzinfo=clock.local_tz()).astimezone(UTC)


@bp.route("/new", methods=["GET", "POST"])
@requires(ASSESS)
def new():
    """Schedule an assessment: bank, composition, window, time limit, pass mark and employees."""
    form = AssessmentForm()
    chosen = db.session.get(Organization, request.values.get("enterprise", type=int) or 0)
    enterprise = ensure_org(ASSESS, chosen) if chosen else None
    staff = _fill_choices(form, enterprise)
    enterprise = enterprise or db.session.get(Organization, form.enterprise.choices[0][0])
    if request.method == "GET":
        form.enterprise.data = enterprise.id
        form.employees.data = [e.id for e in staff]
    reasons = []
    if request.method == "POST" and form.validate_on_submit() and form.enterprise.data == enterprise.id:
        plan = services.Plan(title=form.title.data, purpose=AssessmentPurpose(form.purpose.data),
                             bank_id=form.bank.data, blueprint_id=form.blueprint.data,
                             opens_at=_local_to_utc(form.opens.data),
                             closes_at=_local_to_utc(form.closes.data),
                             time_limit_minutes=form.time_limit.data, pass_percent=form.pass_percent.data,
                             employment_ids=form.employees.data or [])
        try:
            assessment = services.schedule(enterprise, plan, current_user, clock.now())
        except services.AssessmentRefused as refused:
            db.session.rollback()
            reasons = refused.reasons
        else:
            db.session.commit()
            flash(_("The assessment is scheduled for %(n)d employee(s).", n=len(assessment.assignments)),
                  "success")
            return redirect(url_for("assessments.detail", assessment_id=assessment.id))
    staff_posts = {e.id: e.post for e in staff}
    return render_template("assessments/new.html", form=form, reasons=reasons, enterprise=enterprise,
                           staff_posts=staff_posts), (422 if reasons else 200)


@bp.get("/<int:assessment_id>")
@requires(ASSESS)
def detail(assessment_id: int):
    """Each assigned employee's state and result, and the pass rate."""
    assessment = _assessment_or_404(assessment_id)
    started = {a.assignment_id: a for a in db.session.scalars(select(ExamAttempt).where(
        ExamAttempt.assignment_id.in_([x.id for x in assessment.assignments])))}
    return render_template("assessments/detail.html", assessment=assessment, started=started,
                           purposes=PURPOSE_LABELS, summary=services.results_summary(assessment),
                           window_labels=WINDOW_LABELS,
                           state=services.window_state(assessment, clock.now()), form=CancelForm())


@bp.post("/<int:assessment_id>/cancel")
@requires(ASSESS)
def cancel(assessment_id: int):
    """Cancel an assessment nobody has started, with a reason."""
    assessment = _assessment_or_404(assessment_id)
    form = CancelForm()
    if not form.validate_on_submit():
        flash(_("Say why the assessment is cancelled."), "error")
        return redirect(url_for("assessments.detail", assessment_id=assessment.id))
    try:
        services.cancel(assessment, current_user, form.reason.data, clock.now())
    except (services.AssessmentRefused, AlreadyChanged) as refused:
        db.session.rollback()
        flash(str(refused) if isinstance(refused, services.AssessmentRefused)
              else _("The assessment was already cancelled."), "error")
        return redirect(url_for("assessments.detail", assessment_id=assessment.id))
    db.session.commit()
    flash(_("The assessment is cancelled."), "success")
    return redirect(url_for("assessments.detail", assessment_id=assessment.id))


@bp.get("/mine")
@signed_in
def mine():
    """The employee's assessments: open ones to start or continue, results of finished ones."""
    assignments = services.my_assignments(current_user)
    moment = clock.now()
    return render_template("assessments/mine.html", assignments=assignments, purposes=PURPOSE_LABELS,
                           attempts={a.id: services.attempt_for(a) for a in assignments},
                           states={a.id: services.window_state(a.assessment, moment) for a in assignments},
                           form=EmptyForm())


@bp.post("/mine/<int:assignment_id>/start")
@signed_in
def start(assignment_id: int):
    """Start (or go back to) the employee's own assessment."""
    assignment = db.session.get(AssessmentAssignment, assignment_id)
    if assignment is None or assignment.person_id != current_user.person_id:
        abort(404)
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("assessments.mine"))
    try:
        attempt = services.start(assignment, current_user, clock.now())
    except services.AssessmentRefused as refused:
        db.session.rollback()
        flash(str(refused), "error")
        return redirect(url_for("assessments.mine"))
    db.session.commit()
    return redirect(url_for("attempts.online_page", attempt_id=attempt.id))
