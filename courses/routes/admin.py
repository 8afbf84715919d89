"""Enterprise admins assign courses and keep induction records; admins and regulators see progress."""

import io
from datetime import date

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from courses import perms
from courses.access import catalogue_clause
from courses.archive import build_archive
from courses.enrolment import EnrolmentRefused, Selection, assign, select_people
from courses.export import build_ledger
from courses.external import ExternalEntry, ExternalRefused, record_external
from courses.forms import AbsenceForm, AssignForm, ExternalTrainingForm, InductionForm
from courses.induction import InductionRefused, record_absence, record_induction
from courses.labels import LEVEL_LABELS, label
from courses.models import Course, Enrollment, ExternalTraining, InductionLevel, InductionRecord
from courses.progress import course_table, people_table
from courses.requirements import Calculator
from courses.routes import bp
from courses.routes.mine import chosen_year, enrolment_rows
from lms import catalog, clock
from lms.authz import can_access_org, ensure_org, org_scope_clause, requires
from lms.clock import local_tz
from lms.extensions import db
from lms.i18n import _
from lms.labels import POST_LABELS
from lms.models import Employment, Organization, OrgKind, Person, Post
from lms.spreadsheets import XLSX_MIME
from lms.storage import FileRefused, current_store


def enterprises(perm: str) -> list[Organization]:
    """Enterprises in the account's scope for ``perm``."""
    return db.session.scalars(select(Organization).where(
        org_scope_clause(current_user, perm), Organization.kind == OrgKind.ENTERPRISE)
        .order_by(Organization.name)).all()


def chosen_org(perm: str, orgs: list[Organization]) -> Organization | None:
    """The enterprise named by ?org= (404 when out of scope), else the first one."""
    org_id = request.values.get("org", type=int) or request.values.get("organization", type=int)
    if org_id:
        return ensure_org(perm, db.session.get(Organization, org_id))
    return orgs[0] if orgs else None


def _roster_choices(org: Organization | None) -> list[tuple[int, str]]:
    if org is None:
        return []
    rows = db.session.execute(select(Person.id, Person.name).join(Employment).where(
        Employment.organization_id == org.id, Employment.end_date.is_(None))
        .order_by(Person.name).distinct())
    return [(pid, name) for pid, name in rows]


@bp.route("/admin/assign", methods=["GET", "POST"])
@requires(perms.ASSIGN)
def assign_view():
    orgs = enterprises(perms.ASSIGN)
    org = chosen_org(perms.ASSIGN, orgs)
    form = AssignForm(organization=org.id if org else None)
    form.organization.choices = [(o.id, o.name) for o in orgs]
    form.courses.choices = [(c.id, c.title) for c in db.session.scalars(
        select(Course).where(catalogue_clause(current_user)).order_by(Course.title))]
    form.post.choices = [("", "—")] + [(p.value, label(POST_LABELS, p)) for p in Post]
    form.operation_category.choices = [("", "—")] + [
        (c["code"], catalog.label(c)) for c in catalog.operation_categories()]
    form.people.choices = _roster_choices(org)
    if org is not None and form.validate_on_submit():
        selection = Selection(post=form.post.data or None,
                              operation_category=form.operation_category.data or None,
                              department=(form.department.data or "").strip() or None,
                              person_ids=tuple(form.people.data or ()))
        people = select_people(org, selection)
        courses = [db.session.get(Course, cid) for cid in form.courses.data]
        try:
            added = assign(current_user, org, courses, people, form.due_date.data, clock.now())
        except EnrolmentRefused:
            db.session.rollback()
            flash(_("Only published courses can be assigned."), "error")
        else:
            db.session.commit()
            flash(_("%(n)d assignments made for %(people)d people.", n=added, people=len(people)),
                  "success")
            return redirect(url_for("courses.progress_view", org=org.id,
                                    course=courses[0].id if courses else None))
    return render_template("courses/assign.html", form=form, org=org)


@bp.get("/admin/progress")
@requires(perms.PROGRESS)
def progress_view():
    orgs = enterprises(perms.PROGRESS)
    org = chosen_org(perms.PROGRESS, orgs)
    today = clock.today()
    year = chosen_year(today)
    course_id = request.args.get("course", type=int)
    table = course_table(org, course_id, today) if org and course_id else None
    page = request.args.get("page", 1, type=int)
    people = people_table(org, year, today, local_tz(), page=page) if org and not course_id else None
    return render_template("courses/progress.html", orgs=orgs, org=org, year=year, today=today,
                           course_id=course_id, table=table, people=people,
                           assigned=_assigned_courses(org))


def _assigned_courses(org: Organization | None) -> list[Course]:
    if org is None:
        return []
    return db.session.scalars(select(Course).where(Course.id.in_(
        select(Enrollment.course_id).where(Enrollment.organization_id == org.id)))
        .order_by(Course.title)).all()


def _person_in_scope(person_id: int, perm: str) -> tuple[Person, list[Employment]]:
    person = db.session.get(Person, person_id)
    visible = [e for e in (person.employments if person else [])
               if can_access_org(current_user, perm, e.organization)]
    if not visible:
        abort(404)
    return person, visible


@bp.get("/admin/people/<int:person_id>")
@requires(perms.PROGRESS)
def person_training(person_id: int):
    person, visible = _person_in_scope(person_id, perms.PROGRESS)
    today = clock.today()
    year = chosen_year(today)
    org_ids = {e.organization_id for e in visible}
    requirements = [r for r in Calculator(local_tz()).for_person(person, year)
                    if r.employment_id in {e.id for e in visible}]
    rows = [(e, p) for e, p in enrolment_rows(person.id) if e.organization_id in org_ids]
    inductions = db.session.scalars(select(InductionRecord).where(
        InductionRecord.person_id == person.id, InductionRecord.organization_id.in_(org_ids))
        .order_by(InductionRecord.held_on)).all()
    return render_template("courses/person.html", person=person, employments=visible, year=year,
                           today=today, requirements=requirements, rows=rows,
                           inductions=inductions, externals=_externals(person, org_ids),
                           may_add_external=any(can_access_org(current_user, perms.INDUCTION, e.organization)
                                                for e in visible))


def _externals(person: Person, org_ids: set[int]) -> list[ExternalTraining]:
    return db.session.scalars(select(ExternalTraining).where(
        ExternalTraining.person_id == person.id, ExternalTraining.organization_id.in_(org_ids))
        .order_by(ExternalTraining.ended_on)).all()


@bp.route("/admin/people/<int:person_id>/external", methods=["GET", "POST"])
@requires(perms.INDUCTION)
def external_training(person_id: int):
    person, visible = _person_in_scope(person_id, perms.INDUCTION)
    orgs = {e.organization_id: e.organization for e in visible}
    form = ExternalTrainingForm()
    form.organization.choices = [(o.id, o.name) for o in orgs.values()]
    if form.validate_on_submit() and _save_external(person, orgs[form.organization.data], form):
        return redirect(url_for("courses.person_training", person_id=person.id))
    return render_template("courses/external.html", person=person, form=form,
                           externals=_externals(person, set(orgs)))


def _save_external(person: Person, org: Organization, form: ExternalTrainingForm) -> bool:
    entry = ExternalEntry(provider=form.provider.data.strip(), title=form.title.data.strip(),
                          started_on=form.started_on.data, ended_on=form.ended_on.data,
                          class_hours=form.class_hours.data)
    try:
        record_external(current_user, org, person.id, entry, form.proof.data.stream, clock.today())
    except ExternalRefused:
        db.session.rollback()
        form.ended_on.errors.append(_("The last day must be on or after the first day, and not in "
                                      "the future."))
        return False
    except FileRefused:
        db.session.rollback()
        form.proof.errors.append(_("The proof must be a PDF or an image (PNG, JPEG, GIF, WebP) of at most "
                                   "20 MB."))
        return False
    db.session.commit()
    flash(_("Training done elsewhere recorded; its hours count towards the requirements."), "success")
    return True


@bp.get("/admin/external/<int:record_id>/proof")
@requires(perms.PROGRESS)
def external_proof(record_id: int):
    record = db.session.get(ExternalTraining, record_id)
    if record is None or not can_access_org(current_user, perms.PROGRESS,
                                            db.session.get(Organization, record.organization_id)):
        abort(404)
    extension = record.proof_mime.rpartition("/")[2]
    return current_store().send(record.proof_sha256, record.proof_mime,
                                download_name=f"external-training-{record.id}.{extension}")


@bp.get("/admin/people/<int:person_id>/archive.pdf")
@requires(perms.PROGRESS)
def person_archive(person_id: int):
    person, _visible = _person_in_scope(person_id, perms.PROGRESS)
    pdf = build_archive(person, clock.today(), local_tz())
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", as_attachment=True,
                     download_name=f"training-archive-{person.id}.pdf")


@bp.get("/admin/ledger.xlsx")
@requires(perms.PROGRESS)
def ledger_export():
    org = chosen_org(perms.PROGRESS, enterprises(perms.PROGRESS))
    if org is None:
        abort(404)
    today = clock.today()
    try:
        start = date.fromisoformat(request.args.get("start", f"{today.year}-01-01"))
        end = date.fromisoformat(request.args.get("end", today.isoformat()))
    except ValueError:
        abort(400)
    if end < start:
        abort(400)
    data = build_ledger(org, start, end, local_tz())
    return send_file(io.BytesIO(data), mimetype=XLSX_MIME, as_attachment=True,
                     download_name=f"training-ledger-{start}-{end}.xlsx")


@bp.route("/admin/induction", methods=["GET", "POST"])
@requires(perms.INDUCTION)
def induction_view():
    orgs = enterprises(perms.INDUCTION)
    org = chosen_org(perms.INDUCTION, orgs)
    form, absence_form = InductionForm(prefix="i"), AbsenceForm(prefix="a")
    people = _roster_choices(org)
    form.person.choices = absence_form.absent_person.choices = people
    form.level.choices = [(lv.value, label(LEVEL_LABELS, lv)) for lv in InductionLevel]
    if org is not None and request.method == "POST":
        if _save_induction(org, form, absence_form):
            return redirect(url_for("courses.induction_view", org=org.id))
    records = db.session.scalars(select(InductionRecord).where(
        InductionRecord.organization_id == org.id).order_by(InductionRecord.held_on.desc())
        .limit(100)).all() if org else []
    return render_template("courses/induction.html", orgs=orgs, org=org, form=form,
                           absence_form=absence_form, records=records)


def _save_induction(org: Organization, form: InductionForm, absence_form: AbsenceForm) -> bool:
    try:
        if "i-level" in request.form and form.validate():
            record_induction(current_user, org, form.person.data, level=form.level.data,
                             held_on=form.held_on.data, trainer=form.trainer.data.strip(),
                             class_hours=form.class_hours.data, content=form.content.data.strip(),
                             today=clock.today())
            done = _("Induction record saved; the employee confirms it on their training page.")
        elif "a-left_on" in request.form and absence_form.validate():
            record_absence(current_user, org, absence_form.absent_person.data,
                           absence_form.left_on.data, absence_form.returned_on.data)
            done = _("Absence recorded.")
        else:
            return False
    except InductionRefused:
        db.session.rollback()
        flash(_("Check the dates: nothing in the future, and the return after the start."), "error")
        return False
    db.session.commit()
    flash(done, "success")
    return True
