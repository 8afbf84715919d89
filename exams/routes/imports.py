"""Import pages (upload, review every error, confirm or cancel) and exports."""

import io

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_login import current_user

from exams import access
from exams.formats.common import UNKNOWN_CATEGORY_POLICIES, FileError
from exams.forms import CategoryDecisionForm, ImportForm
from exams.models import QuestionImport
from exams.permissions import BANK_EDIT
from exams.routes import bp
from exams.routes.common import kp_by_code, kp_choices
from exams.services.imports import (
    TEMPLATE_EXAMPLES,
    cancel_import,
    confirm_import,
    export_bank,
    stage_import,
    waiting_categories,
    workbook_bytes,
)
from exams.services.questions import knowledge_tree
from lms.auth.forms import EmptyForm
from lms.authz import requires, signed_in
from lms.clock import now
from lms.extensions import db
from lms.i18n import _
from lms.models import ImportStatus
from lms.spreadsheets import XLSX_MIME
from lms.staging import ALREADY_HANDLED
from lms.transitions import commit_once


@bp.get("/template.xlsx")
@requires(BANK_EDIT)
def template():
    return send_file(io.BytesIO(workbook_bytes(TEMPLATE_EXAMPLES)), mimetype=XLSX_MIME,
                     as_attachment=True, download_name="question-template.xlsx")


@bp.route("/banks/<int:bank_id>/import", methods=["GET", "POST"])
@signed_in
def upload(bank_id: int):
    bank = access.bank_or_404(current_user, bank_id, edit=True)
    form = ImportForm()
    form.default_kp.choices = kp_choices(_("None: the file must name one"))
    if form.validate_on_submit():
        try:
            staged = stage_import(bank, current_user, form.file.data.filename or "questions",
                                  form.file.data.read(), fmt=form.fmt.data,
                                  default_kp=form.default_kp.data or None,
                                  default_difficulty=int(form.default_difficulty.data),
                                  publish=form.publish.data)
        except FileError as exc:
            db.session.rollback()
            form.file.errors.append(str(exc.args[0]))
        else:
            db.session.commit()
            return redirect(url_for("exams.review", import_id=staged.id))
    return render_template("exams/import.html", form=form, bank=bank)


def _staged_or_404(import_id: int) -> QuestionImport:
    staged = db.session.get(QuestionImport, import_id)
    if staged is None:
        abort(404)
    access.bank_or_404(current_user, staged.bank_id, edit=True)
    return staged


@bp.get("/imports/<int:import_id>")
@signed_in
def review(import_id: int):
    staged = _staged_or_404(import_id)
    decision = CategoryDecisionForm(formdata=None)
    decision.under.choices = kp_choices(_("(top level)"))
    return render_template("exams/import_review.html", staged=staged, bank=staged.bank,
                           form=EmptyForm(), pending=staged.status is ImportStatus.PENDING,
                           decision=decision, waiting=waiting_categories(staged),
                           kp_names={kp.code: kp.name for kp in knowledge_tree()})


@bp.post("/imports/<int:import_id>/confirm")
@signed_in
def confirm(import_id: int):
    staged = _staged_or_404(import_id)
    decision = CategoryDecisionForm()
    policy = decision.unknown.data if decision.unknown.data in UNKNOWN_CATEGORY_POLICIES else "reject"
    under = kp.code if (kp := kp_by_code(decision.under.data)) else None
    done, ids = commit_once(lambda: confirm_import(staged, current_user, now(),
                                                   unknown_categories=policy, under=under),
                           already=ALREADY_HANDLED)
    if not done:
        return redirect(url_for("exams.review", import_id=import_id))
    flash(_("%(n)d questions imported as they were in the file.", n=len(ids)), "success")
    return redirect(url_for("exams.bank", bank_id=staged.bank_id))


@bp.post("/imports/<int:import_id>/cancel")
@signed_in
def cancel(import_id: int):
    staged = _staged_or_404(import_id)
    bank_id = staged.bank_id
    if commit_once(lambda: cancel_import(staged, current_user), already=ALREADY_HANDLED)[0]:
        flash(_("Upload discarded; nothing was imported."), "info")
    return redirect(url_for("exams.upload", bank_id=bank_id))


@bp.get("/banks/<int:bank_id>/export.<fmt>")
@signed_in
def export(bank_id: int, fmt: str):
    bank = access.bank_or_404(current_user, bank_id)
    if fmt not in ("xlsx", "xml"):
        abort(404)
    data = export_bank(bank, "xlsx" if fmt == "xlsx" else "moodlexml", current_user)
    db.session.commit()
    mime = XLSX_MIME if fmt == "xlsx" else "application/xml"
    return send_file(io.BytesIO(data), mimetype=mime, as_attachment=True,
                     download_name=f"{bank.code}.{fmt}")

