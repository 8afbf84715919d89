"""Importing certificates issued before the system: template, upload, review of every row, confirm or
discard. Officers upload for their region, enterprise admins for their enterprise."""

import io

from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import false, or_, select
from wtforms import SelectField

from certificates.imports import (
    IMPORT,
    MAX_ROWS,
    CertificateImport,
    ImportFileError,
    ImportRefused,
    Scope,
    cancel_import,
    confirm_import,
    record_file_refused,
    record_refused_confirm,
    register,
    stage_import,
)
from certificates.labels import TYPE_LABELS
from lms import clock
from lms.auth.forms import EmptyForm
from lms.authz import can_access_org, can_access_region, grants_with, org_scope_clause, requires
from lms.extensions import db
from lms.i18n import _, _l
from lms.models import ImportStatus, Organization, OrgKind, Region
from lms.roles import Role
from lms.spreadsheets import XLSX_MIME
from lms.staging import ALREADY_HANDLED
from lms.transitions import commit_once

bp = Blueprint("certificate_imports", __name__, url_prefix="/certificates/import",
               template_folder="templates")

AUDIT_SENTENCES = {
    "certificates.import.staged": _l("%(actor)s uploaded a list of existing certificates for %(scope)s "
                                     "(%(filename)s: %(valid)s rows valid, %(refused)s refused)"),
    "certificates.import.file_refused": _l("%(actor)s uploaded %(filename)s as existing certificates for "
                                           "%(scope)s; the file was refused: %(reason)s"),
    "certificates.import.confirmed": _l("%(actor)s imported %(count)s existing certificates for %(scope)s "
                                        "from %(filename)s"),
    "certificates.import.confirm_refused": _l("%(actor)s was refused importing %(filename)s for %(scope)s "
                                              "(rows %(rows)s): %(reason)s"),
    "certificates.import.cancelled": _l("%(actor)s discarded the upload %(filename)s of existing "
                                        "certificates for %(scope)s"),
}


def init_app(app: Flask) -> None:
    """Permission, blueprint, navigation entry, audit sentences and the audit page's link."""
    from lms.audit_sentences import register_sentences, register_target
    from lms.web.templating import add_nav_item

    register()
    app.register_blueprint(bp)
    add_nav_item("certificates", "certificate_imports.upload", _l("Import existing certificates"), IMPORT)
    register_sentences("certificates", AUDIT_SENTENCES)
    register_target("CertificateImport", "certificate_imports.review", "import_id", IMPORT,
                    lambda staged: staged.filename)


class ImportUploadForm(FlaskForm):
    """Where the people are employed, and the file."""

    scope = SelectField(_l("Import for"))
    file = FileField(_l("List of certificates (.xlsx or .csv)"), validators=[FileRequired()])


def _scope_choices() -> list[tuple[str, str]]:
    """The officer's regions and the admin's enterprises (a system admin: every enterprise)."""
    grants = grants_with(current_user, IMPORT)
    choices = []
    for region in dict.fromkeys(g.region for g in grants if g.region is not None):
        choices.append((f"region:{region.id}", _("%(region)s (all enterprises of the region)",
                                                 region=region.name_zh)))
    query = select(Organization).where(Organization.kind == OrgKind.ENTERPRISE)
    if not _is_system_admin():
        query = query.where(Organization.id.in_([g.organization_id for g in grants
                                                 if g.organization_id is not None]))
    enterprises = db.session.scalars(query.order_by(Organization.name).limit(500)).all()
    return choices + [(f"org:{org.id}", org.name) for org in enterprises]


def _is_system_admin() -> bool:
    return any(g.role == Role.SYSTEM_ADMIN for g in grants_with(current_user, IMPORT))


def _scope_of(choice: str) -> Scope:
    kind, _sep, ident = choice.partition(":")
    if kind == "region":
        region = db.session.get(Region, int(ident))
        if region is None or not can_access_region(current_user, IMPORT, region):
            abort(404)
        return Scope(region=region)
    org = db.session.get(Organization, int(ident))
    if org is None or org.kind is not OrgKind.ENTERPRISE or not can_access_org(current_user, IMPORT, org):
        abort(404)
    return Scope(organization=org)


def _visible_imports_clause():
    """Imports of the enterprises and regions the account imports for."""
    if _is_system_admin():
        return CertificateImport.id.isnot(None)
    regions = [g.region for g in grants_with(current_user, IMPORT) if g.region is not None]
    region_ids = or_(*[Region.path.startswith(r.path) for r in regions]) if regions else false()
    return or_(CertificateImport.organization_id.in_(
                   select(Organization.id).where(org_scope_clause(current_user, IMPORT))),
               CertificateImport.region_id.in_(select(Region.id).where(region_ids)))


def _limits() -> dict:
    return {"max_rows": MAX_ROWS, "max_mb": current_app.config["SPREADSHEET_MAX_FILE_BYTES"] // (1024 * 1024)}


@bp.route("/", methods=["GET", "POST"])
@requires(IMPORT)
def upload():
    """Upload a list; every row is checked and staged for review, no certificate is written yet."""
    form = ImportUploadForm()
    form.scope.choices = _scope_choices()
    status = 200
    if form.validate_on_submit():
        scope = _scope_of(form.scope.data)
        upload_file = form.file.data
        filename = upload_file.filename or "certificates.xlsx"
        try:
            staged = stage_import(scope, current_user, filename, upload_file.read(),
                                  today=clock.today(), now=clock.now())
        except ImportFileError as exc:
            db.session.rollback()
            record_file_refused(scope, current_user, filename, str(exc.args[0]))
            db.session.commit()
            form.file.errors.append(str(exc.args[0]))
            status = 422
        else:
            db.session.commit()
            return redirect(url_for("certificate_imports.review", import_id=staged.id))
    pending = db.session.scalars(select(CertificateImport).where(
        CertificateImport.status == ImportStatus.PENDING, _visible_imports_clause())
        .order_by(CertificateImport.id.desc()).limit(50)).all()
    return render_template("certificates/import/upload.html", form=form, pending=pending,
                           **_limits()), status


@bp.get("/template.xlsx")
@requires(IMPORT)
def template():
    """The template workbook, with drop-downs, the operation codes and an instructions sheet."""
    from certificates.imports import build_template

    return send_file(io.BytesIO(build_template()), mimetype=XLSX_MIME, as_attachment=True,
                     download_name="certificates-import-template.xlsx")


def _staged_or_404(import_id: int) -> CertificateImport:
    """An import for an enterprise or region the account imports for; otherwise 404."""
    staged = db.session.get(CertificateImport, import_id)
    if staged is None:
        abort(404)
    if staged.organization is not None:
        allowed = can_access_org(current_user, IMPORT, staged.organization)
    else:
        allowed = staged.region is not None and can_access_region(current_user, IMPORT, staged.region)
    if not allowed:
        abort(404)
    return staged


@bp.get("/<int:import_id>")
@requires(IMPORT)
def review(import_id: int):
    """Counts, every refused row with its reasons, the rows to import with their notes."""
    return _review(_staged_or_404(import_id))


def _review(staged: CertificateImport, refused: ImportRefused | None = None, status: int = 200):
    return render_template("certificates/import/review.html", staged=staged, form=EmptyForm(),
                           pending=staged.status is ImportStatus.PENDING, refused=refused,
                           type_labels=TYPE_LABELS,
                           noted=sum(1 for r in staged.valid_rows if r.get("notes"))), status


@bp.post("/<int:import_id>/confirm")
@requires(IMPORT)
def confirm(import_id: int):
    """Write every valid row at once, or none (the reason is shown) when something changed."""
    staged = _staged_or_404(import_id)
    try:
        done, made = commit_once(lambda: confirm_import(staged, current_user, today=clock.today(),
                                                        now=clock.now()), already=ALREADY_HANDLED)
    except ImportRefused as refused:
        db.session.rollback()
        staged = db.session.get(CertificateImport, import_id)
        record_refused_confirm(staged, current_user, refused)
        db.session.commit()
        return _review(staged, refused, status=409)
    if done:
        flash(_("%(n)d certificates imported.", n=len(made)), "success")
    return redirect(url_for("certificate_imports.review", import_id=import_id))


@bp.post("/<int:import_id>/cancel")
@requires(IMPORT)
def cancel(import_id: int):
    """Discard the upload; nothing is imported."""
    staged = _staged_or_404(import_id)
    if commit_once(lambda: cancel_import(staged, current_user), already=ALREADY_HANDLED)[0]:
        flash(_("Upload discarded; nothing was imported."), "info")
        return redirect(url_for("certificate_imports.upload"))
    return redirect(url_for("certificate_imports.review", import_id=import_id))
