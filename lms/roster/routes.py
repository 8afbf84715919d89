"""Roster upload, review and confirmation pages."""

import io

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from lms import clock
from lms.auth.forms import EmptyForm
from lms.authz import ensure_org, org_scope_clause, requires
from lms.extensions import db
from lms.i18n import _
from lms.models import ImportStatus, Organization, OrgKind, RosterImport
from lms.roles import Perm
from lms.roster.forms import RosterUploadForm
from lms.roster.parser import RosterFileError
from lms.roster.services import cancel_roster, confirm_roster, create_learner_logins, stage_roster
from lms.roster.template import build_template, logins_workbook
from lms.spreadsheets import XLSX_MIME
from lms.staging import ALREADY_HANDLED
from lms.transitions import commit_once

bp = Blueprint("roster", __name__, url_prefix="/roster")


def _enterprises():
    return db.session.scalars(
        select(Organization).where(org_scope_clause(current_user, Perm.ROSTER_IMPORT),
                                   Organization.kind == OrgKind.ENTERPRISE)
        .order_by(Organization.name)).all()


@bp.route("/", methods=["GET", "POST"])
@requires(Perm.ROSTER_IMPORT)
def upload():
    form = RosterUploadForm()
    form.organization.choices = [(o.id, o.name) for o in _enterprises()]
    if form.validate_on_submit():
        org = ensure_org(Perm.ROSTER_IMPORT, db.session.get(Organization, form.organization.data))
        try:
            staged = stage_roster(org, current_user, form.file.data.filename or "roster.xlsx",
                                  form.file.data.read(), today=clock.today(),
                                  create_logins=bool(form.create_logins.data))
        except RosterFileError as exc:
            db.session.rollback()
            form.file.errors.append(str(exc))
        else:
            db.session.commit()
            return redirect(url_for("roster.review", import_id=staged.id))
    return render_template("roster/upload.html", form=form)


@bp.get("/template.xlsx")
@requires(Perm.ROSTER_IMPORT)
def template():
    return send_file(io.BytesIO(build_template()), mimetype=XLSX_MIME, as_attachment=True,
                     download_name="roster-template.xlsx")


def _staged_or_404(import_id: int) -> RosterImport:
    staged = db.session.get(RosterImport, import_id)
    if staged is None:
        abort(404)
    ensure_org(Perm.ROSTER_IMPORT, db.session.get(Organization, staged.organization_id))
    return staged


@bp.get("/imports/<int:import_id>")
@requires(Perm.ROSTER_IMPORT)
def review(import_id: int):
    staged = _staged_or_404(import_id)
    org = db.session.get(Organization, staged.organization_id)
    return render_template("roster/review.html", staged=staged, org=org, form=EmptyForm(),
                           pending=staged.status is ImportStatus.PENDING)


@bp.post("/imports/<int:import_id>/confirm")
@requires(Perm.ROSTER_IMPORT)
def confirm(import_id: int):
    staged = _staged_or_404(import_id)
    done, result = commit_once(lambda: _confirm(staged), already=ALREADY_HANDLED)
    if not done:
        return redirect(url_for("roster.review", import_id=import_id))
    added, logins = result
    flash(_("%(n)d employees added to the roster.", n=len(added)), "success")
    if logins:
        # The passwords exist only in this answer: the list is the hand-over, nothing keeps them.
        return send_file(io.BytesIO(logins_workbook(logins)), mimetype=XLSX_MIME, as_attachment=True,
                         download_name=f"initial-logins-{import_id}.xlsx")
    return redirect(url_for("web.organization", org_id=staged.organization_id))


def _confirm(staged: RosterImport):
    added = confirm_roster(staged, current_user, now=clock.now())
    org = db.session.get(Organization, staged.organization_id)
    return added, create_learner_logins(org, added, current_user) if staged.create_logins else []


@bp.post("/imports/<int:import_id>/cancel")
@requires(Perm.ROSTER_IMPORT)
def cancel(import_id: int):
    staged = _staged_or_404(import_id)
    if commit_once(lambda: cancel_roster(staged, current_user), already=ALREADY_HANDLED)[0]:
        flash(_("Upload discarded; nothing was imported."), "info")
    return redirect(url_for("roster.upload"))
