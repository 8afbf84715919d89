"""Blueprint pages: create from the rules, edit cells, check the bank, assemble papers, statistics."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from exams import access
from exams.forms import AssembleForm, BlueprintForm, NewBlueprintForm
from exams.models import BankPurpose, Blueprint, KnowledgePoint, Paper, QuestionBank, QuestionType
from exams.permissions import ASSEMBLE, BLUEPRINT, EXAM_BANK
from exams.routes import bp
from exams.routes.common import int_arg
from exams.services.blueprints import (
    RulesChanged,
    cell_rows,
    cells_from_rows,
    principal_paper,
    special_ops_theory,
    update_blueprint,
    validate,
)
from exams.services.papers import assemble_session
from exams.services.stats import blueprint_stats
from lms import catalog
from lms.audit import record_event
from lms.authz import can_access_org, ensure_org, has_permission, org_scope_clause, requires, signed_in
from lms.clock import now, today
from lms.extensions import db
from lms.i18n import _
from lms.models import Organization, OrgKind, Post
from lms.rule_labels import rule_label, version_label
from lms.rules import RuleMissing


def _centres():
    return db.session.scalars(select(Organization).where(
        org_scope_clause(current_user, BLUEPRINT), Organization.kind == OrgKind.EXAM_CENTRE)
        .order_by(Organization.name)).all()


@bp.route("/blueprints", methods=["GET", "POST"])
@requires(BLUEPRINT, hide=True)
def blueprints():
    form = NewBlueprintForm()
    form.organization.choices = [(o.id, o.name) for o in _centres()]
    if form.validate_on_submit():
        org = ensure_org(BLUEPRINT, db.session.get(Organization, form.organization.data))
        if db.session.scalar(select(Blueprint.id).where(Blueprint.code == form.code.data)):
            form.code.errors.append(_("This code is taken."))
        elif form.kind.data == "special_ops_theory" and not catalog.operation_subtype(
                form.operation_code.data or ""):
            form.operation_code.errors.append(_("Give a known operation sub-type such as 1.2."))
        else:
            try:
                blueprint = _create(form, org)
            except RuleMissing:
                db.session.rollback()
                flash(_("The rules needed for this paper are not loaded."), "error")
            else:
                record_event("exams.blueprint.created", actor=current_user, target=blueprint,
                             organization_id=org.id)
                db.session.commit()
                return redirect(url_for("exams.blueprint", blueprint_id=blueprint.id))
    scope = select(Organization.id).where(org_scope_clause(current_user, BLUEPRINT))
    items = db.session.scalars(select(Blueprint).where(Blueprint.organization_id.in_(scope))
                               .order_by(Blueprint.name)).all()
    return render_template("exams/blueprints.html", form=form, blueprints=items)


def _create(form: NewBlueprintForm, org: Organization) -> Blueprint:
    if form.kind.data == "special_ops_theory":
        return special_ops_theory(org, form.code.data, form.name.data, form.operation_code.data,
                                  today())
    return principal_paper(org, form.code.data, form.name.data, Post.PRINCIPAL.value, today())


def _blueprint_or_404(blueprint_id: int, perm: str = BLUEPRINT) -> Blueprint:
    blueprint = db.session.get(Blueprint, blueprint_id)
    if blueprint is None or not can_access_org(current_user, perm, blueprint.organization):
        abort(404)
    return blueprint


def _exam_banks():
    return db.session.scalars(select(QuestionBank).where(access.readable_banks_clause(current_user))
                              .order_by(QuestionBank.purpose, QuestionBank.name)).all()


def _bank_arg(banks) -> QuestionBank | None:
    wanted = int_arg("bank")
    if wanted is None:
        return banks[0] if banks else None
    return access.bank_or_404(current_user, wanted)


def _cell_form(blueprint: Blueprint) -> BlueprintForm:
    """The settings form with the cell editor: the cells and blank rows, or the rows just posted."""
    # Not obj=blueprint: its cells are model objects, while the editor's rows are plain values.
    stored = {"name": blueprint.name, "duration_minutes": blueprint.duration_minutes,
              "pass_mark": blueprint.pass_mark, "partial_credit": blueprint.partial_credit,
              "cells": cell_rows(blueprint),
              **{f"points_{t.value}": blueprint.points.get(t.value, 1) for t in QuestionType}}
    form = BlueprintForm(data=None if request.method == "POST" else stored)
    form.set_cell_choices(db.session.scalars(select(KnowledgePoint).order_by(KnowledgePoint.path)))
    return form


def _checked_cells(form: BlueprintForm) -> list | None:
    """The posted cells, or None after noting each bad row's problem next to it."""
    cells, problems = cells_from_rows([row.data for row in form.cells])
    for number, problem in problems.items():
        row = form.cells[number - 1].form
        # A row the form fields already refused (say, a choice not offered) keeps that message only.
        if not any(field.errors for field in row):
            row.count.errors = [*row.count.errors, str(problem)]
    if not cells and not problems:
        form.form_errors.append(_("A blueprint needs at least one cell."))
    return cells if cells and not problems else None


def _save(blueprint: Blueprint, form: BlueprintForm) -> bool:
    """Save the settings and cells when the form is valid and every row reads as a cell."""
    valid = form.validate()
    cells = _checked_cells(form)
    if not valid or cells is None:
        return False
    points = {t.value: getattr(form, f"points_{t.value}").data for t in QuestionType}
    update_blueprint(blueprint, current_user, name=form.name.data, cells=cells,
                     duration_minutes=form.duration_minutes.data, pass_mark=form.pass_mark.data,
                     points=points, partial_credit=form.partial_credit.data)
    return True


@bp.route("/blueprints/<int:blueprint_id>", methods=["GET", "POST"])
@signed_in
def blueprint(blueprint_id: int):
    """A blueprint: its rules, whether a bank can fill it, papers, and the settings and cell editor."""
    blueprint = _blueprint_or_404(blueprint_id)
    form = _cell_form(blueprint)
    if form.is_submitted() and _save(blueprint, form):
        db.session.commit()
        flash(_("Blueprint saved."), "success")
        return redirect(url_for("exams.blueprint", blueprint_id=blueprint.id))
    if form.is_submitted():
        flash(_("The blueprint was not saved; see the marked fields."), "error")
    banks = _exam_banks()
    bank = _bank_arg(banks)
    gaps = validate(blueprint, bank) if bank else []
    assemble = AssembleForm(formdata=None)
    assemble.bank.choices = [(b.id, b.name) for b in banks if b.purpose is BankPurpose.EXAM]
    papers = db.session.scalars(select(Paper).where(Paper.blueprint_id == blueprint.id)
                                .order_by(Paper.id.desc()).limit(20)).all()
    return render_template("exams/blueprint.html", blueprint=blueprint, form=form, banks=banks,
                           bank=bank, gaps=gaps, assemble=assemble, papers=papers,
                           may_assemble=has_permission(current_user, ASSEMBLE),
                           rule_label=rule_label, version_label=version_label)


@bp.post("/blueprints/<int:blueprint_id>/assemble")
@signed_in
def assemble(blueprint_id: int):
    blueprint = _blueprint_or_404(blueprint_id, ASSEMBLE)
    form = AssembleForm()
    form.bank.choices = [(b.id, b.name) for b in _exam_banks()]
    if not form.validate_on_submit():
        flash(_("Check the session label and the number of candidates."), "error")
        return redirect(url_for("exams.blueprint", blueprint_id=blueprint.id))
    bank = access.bank_or_404(current_user, form.bank.data)
    if bank.purpose is not BankPurpose.EXAM or not can_access_org(current_user, EXAM_BANK, bank.organization):
        abort(404)
    gaps = validate(blueprint, bank)
    if gaps:
        flash(_("The bank cannot fill this blueprint yet; see the cells listed."), "error")
        return redirect(url_for("exams.blueprint", blueprint_id=blueprint.id, bank=bank.id))
    try:
        ids = assemble_session(blueprint, bank, form.session_ref.data, form.count.data, now(),
                               current_user)
    except RulesChanged as exc:
        db.session.rollback()
        flash(str(exc.args[0]), "error")
        return redirect(url_for("exams.blueprint", blueprint_id=blueprint.id, bank=bank.id))
    db.session.commit()
    flash(_("%(n)d papers assembled and frozen.", n=len(ids)), "success")
    return redirect(url_for("exams.paper", paper_id=ids[0]))


@bp.get("/papers/<int:paper_id>")
@signed_in
def paper(paper_id: int):
    paper = db.session.get(Paper, paper_id)
    if paper is None or paper.bank.purpose is not BankPurpose.EXAM or not can_access_org(
            current_user, ASSEMBLE, paper.bank.organization) or not access.can_read(current_user, paper.bank):
        abort(404)
    return render_template("exams/paper.html", paper=paper)


@bp.get("/blueprints/<int:blueprint_id>/statistics")
@signed_in
def statistics(blueprint_id: int):
    blueprint = _blueprint_or_404(blueprint_id)
    banks = _exam_banks()
    bank = _bank_arg(banks)
    stats = blueprint_stats(blueprint, bank) if bank else None
    return render_template("exams/statistics.html", blueprint=blueprint, bank=bank, banks=banks,
                           stats=stats)
