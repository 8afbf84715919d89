"""Registration from a spreadsheet: template, upload, review of every row, confirm or discard."""

import io

from flask import abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from exams.centres.access import manages_session, session_or_404
from exams.centres.bulk import (
    MAX_ROWS,
    BulkFileError,
    BulkRefused,
    cancel_import,
    confirm_import,
    record_refused_confirm,
    stage_import,
)
from exams.centres.bulk_template import build_template
from exams.centres.models import RegistrationImport
from exams.centres.registration import registration_open
from exams.centres.routes import bp
from exams.permissions import REGISTER
from lms import clock
from lms.auth.forms import EmptyForm
from lms.authz import requires
from lms.extensions import db
from lms.i18n import _, _l
from lms.models import ImportStatus
from lms.spreadsheets import XLSX_MIME
from lms.staging import ALREADY_HANDLED
from lms.transitions import commit_once

AUDIT_SENTENCES = {
    "exams.registration_import.staged": _l("%(actor)s uploaded a registration list for %(session)s "
                                           "(%(valid)s rows valid, %(refused)s refused)"),
    "exams.registration_import.confirmed": _l("%(actor)s registered %(count)s candidates for %(session)s "
                                              "from an uploaded list"),
    "exams.registration_import.refused": _l("%(actor)s was refused registering an uploaded list for "
                                            "%(session)s (row %(row)s: %(reason)s)"),
    "exams.registration_import.cancelled": _l("%(actor)s discarded an uploaded registration list for "
                                              "%(session)s"),
}


class BulkUploadForm(FlaskForm):
    """The registration list."""

    file = FileField(_l("Registration list (.xlsx or .csv)"), validators=[FileRequired()])


def register_navigation() -> None:
    """The audit page links an import to its review page; the upload is linked from the session's
    registration page, not the menu."""
    from lms.audit_sentences import register_target

    register_target("RegistrationImport", "centres.bulk_review", "import_id", REGISTER,
                    lambda staged: staged.filename)


def _limits() -> dict:
    return {"max_rows": MAX_ROWS,
            "max_mb": current_app.config["SPREADSHEET_MAX_FILE_BYTES"] // (1024 * 1024)}


@bp.get("/sessions/<int:session_id>/registrations/template.xlsx")
@requires(REGISTER)
def bulk_template(session_id: int):
    """The template workbook, with drop-downs and an instructions sheet."""
    session = session_or_404(session_id, REGISTER)
    return send_file(io.BytesIO(build_template()), mimetype=XLSX_MIME, as_attachment=True,
                     download_name=f"registration-{session.code}.xlsx")


@bp.route("/sessions/<int:session_id>/registrations/import", methods=["GET", "POST"])
@requires(REGISTER)
def bulk_upload(session_id: int):
    """Upload a list; every row is checked and staged for review, nothing is registered yet."""
    session = session_or_404(session_id, REGISTER)
    form = BulkUploadForm()
    is_open = registration_open(session, clock.now())
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            staged = stage_import(session, current_user, upload.filename or "registration.xlsx",
                                  upload.read(), now=clock.now(), today=clock.today())
        except BulkFileError as exc:
            db.session.rollback()
            form.file.errors.append(str(exc.args[0]))
            status = 422
        else:
            db.session.commit()
            return redirect(url_for("centres.bulk_review", import_id=staged.id))
    elif form.is_submitted():
        status = 400
    return render_template("centres/bulk/upload.html", session=session, form=form, is_open=is_open,
                           places_left=max(session.capacity - session.registered_count, 0),
                           **_limits()), status


def _staged_or_404(import_id: int) -> RegistrationImport:
    """A staged import of a session the account sees, uploaded by the account or, for the
    session's centre staff, by anyone; otherwise 404 (another enterprise's list does not exist)."""
    staged = db.session.get(RegistrationImport, import_id)
    if staged is None:
        abort(404)
    session = session_or_404(staged.session_id, REGISTER)
    if staged.uploaded_by_id != current_user.id and not manages_session(current_user, session, REGISTER):
        abort(404)
    return staged


@bp.get("/registration-imports/<int:import_id>")
@requires(REGISTER)
def bulk_review(import_id: int):
    """Counts, every refused row with its reasons, the rows that will be registered."""
    staged = _staged_or_404(import_id)
    return _review(staged)


def _review(staged: RegistrationImport, refused: BulkRefused | None = None, status: int = 200):
    session = staged.session
    return render_template("centres/bulk/review.html", staged=staged, session=session, form=EmptyForm(),
                           pending=staged.status == ImportStatus.PENDING, refused=refused,
                           is_open=registration_open(session, clock.now()),
                           staff=manages_session(current_user, session, REGISTER)), status


@bp.post("/registration-imports/<int:import_id>/confirm")
@requires(REGISTER)
def bulk_confirm(import_id: int):
    """Register every valid row at once, or none (the reason is shown) when something changed."""
    staged = _staged_or_404(import_id)
    try:
        done, made = commit_once(lambda: confirm_import(staged, current_user, clock.now()),
                                 already=ALREADY_HANDLED)
    except BulkRefused as refused:
        db.session.rollback()
        staged = db.session.get(RegistrationImport, import_id)
        record_refused_confirm(staged, current_user, refused)
        db.session.commit()
        return _review(staged, refused, status=409)
    if done:
        flash(_("%(n)d candidates registered.", n=len(made)), "success")
        return redirect(url_for("centres.registrations", session_id=staged.session_id))
    return redirect(url_for("centres.bulk_review", import_id=import_id))


@bp.post("/registration-imports/<int:import_id>/cancel")
@requires(REGISTER)
def bulk_cancel(import_id: int):
    """Discard the upload; nothing is registered."""
    staged = _staged_or_404(import_id)
    session_id = staged.session_id
    if commit_once(lambda: cancel_import(staged, current_user), already=ALREADY_HANDLED)[0]:
        flash(_("Upload discarded; nothing was registered."), "info")
        return redirect(url_for("centres.bulk_upload", session_id=session_id))
    return redirect(url_for("centres.bulk_review", import_id=import_id))
