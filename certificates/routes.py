"""Certificate pages: the officer's pending list and issue, a certificate's record and actions,
the holder's own certificates, the employer's employees' certificates, and the PDF."""

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from certificates import issuance, lifecycle, renewal
from certificates.access import certificate_or_404, certificates_clause
from certificates.dates import standing
from certificates.forms import NoteForm, PrintForm, ReasonForm, ReviewForm, RevokeForm
from certificates.labels import EVENT_LABELS, STANDING_LABELS, TYPE_LABELS
from certificates.models import Certificate, CertificateStatus
from certificates.permissions import EMPLOYER_VIEW, ISSUE
from exams.centres.labels import subtype_label
from lms import clock
from lms.audit import record_event
from lms.audit_sentences import register_detail_words
from lms.auth.forms import EmptyForm
from lms.authz import org_scope_clause, requires, signed_in
from lms.extensions import db
from lms.i18n import _, _l
from lms.rule_labels import rule_label
from lms.rules import RuleMissing
from lms.transitions import AlreadyChanged

bp = Blueprint("certificates", __name__, url_prefix="/certificates", template_folder="templates")

#: Watermarks on the PDF of a certificate that no longer stands.
WATERMARKS = {CertificateStatus.REVOKED: "已撤销 REVOKED", CertificateStatus.CANCELLED: "已注销 CANCELLED"}

#: The form of each officer action on the certificate page.
ACTION_FORMS = {"revoke": RevokeForm, "suspend": ReasonForm, "reinstate": ReasonForm, "cancel": ReasonForm,
                "review": ReviewForm, "extend": NoteForm, "replace": NoteForm, "reissue": ReasonForm}

#: The attempted action in a refusal's audit sentence.
ACTION_WORDS = {"issue": _l("issue"), "revoke": _l("revoke"), "suspend": _l("suspend"),
                "reinstate": _l("lift the suspension of"), "cancel": _l("cancel"),
                "review": _l("record the review of"), "extend": _l("extend"), "replace": _l("replace"),
                "reissue": _l("reissue")}

AUDIT_SENTENCES = {
    "certificates.pending": _l("A pass of %(person)s is waiting for its certificate (%(kind)s)"),
    "certificates.issued": _l("%(actor)s issued certificate %(number)s to %(person)s (%(rules)s)"),
    "certificates.suspended": _l("%(actor)s suspended certificate %(number)s of %(person)s: %(reason)s"),
    "certificates.reinstated": _l("%(actor)s lifted the suspension of certificate %(number)s of "
                                  "%(person)s: %(reason)s"),
    "certificates.revoked": _l("%(actor)s revoked certificate %(number)s of %(person)s (%(ground)s, "
                               "%(rule)s): %(reason)s"),
    "certificates.cancelled": _l("%(actor)s cancelled certificate %(number)s of %(person)s: %(reason)s"),
    "certificates.reviewed": _l("%(actor)s recorded the review of certificate %(number)s of %(person)s "
                                "(review exam %(exam_score)s, %(hours)s class hours; %(rule)s)"),
    "certificates.extended": _l("%(actor)s extended certificate %(number)s of %(person)s to %(expires_on)s "
                                "(%(rule)s)"),
    "certificates.replaced": _l("%(actor)s replaced certificate %(number)s of %(person)s for the next "
                                "period (%(rule)s)"),
    "certificates.refused": _l("%(actor)s could not %(attempted)s certificate %(number)s of %(person)s: "
                               "%(reason)s"),
    "certificates.reissued": _l("%(actor)s reissued certificate %(number)s of %(person)s after loss or "
                                "damage: %(reason)s"),
}


register_detail_words("attempted", lambda code: ACTION_WORDS.get(code, code))


def register_navigation() -> None:
    """Entries for officers, employers and holders."""
    from lms.web.templating import add_home_task, add_nav_item

    add_nav_item("certificates", "certificates.pending", _l("Certificates to issue"), ISSUE)
    add_nav_item("certificates", "certificates.print_run", _l("Print certificates"), ISSUE)
    add_nav_item("certificates", "certificates.employees", _l("Employees' certificates"), EMPLOYER_VIEW)
    add_nav_item("training", "certificates.mine", _l("My certificates"), None,
                 when=lambda account: account.person_id is not None)
    add_home_task(_l("Certificates to issue"), "certificates.pending", _pending_count, ISSUE, "certificates")


def _pending_count(_account) -> int:
    return db.session.scalar(select(db.func.count(Certificate.id)).where(
        Certificate.status == CertificateStatus.PENDING, certificates_clause(ISSUE)))


def _context() -> dict:
    today = clock.today()
    return {"today": today, "standing_of": lambda cert: standing(cert, today),
            "subtype_label": subtype_label, "rule_label": rule_label,
            "standing_labels": STANDING_LABELS, "type_labels": TYPE_LABELS, "event_labels": EVENT_LABELS}


@bp.get("/pending")
@requires(ISSUE)
def pending():
    """Passes in the officer's region waiting for their certificate, oldest first, with the deadline."""
    certs = db.session.scalars(select(Certificate).where(
        Certificate.status == CertificateStatus.PENDING, certificates_clause(ISSUE))
        .order_by(Certificate.passed_on, Certificate.id).limit(500)).all()
    return render_template("certificates/pending.html", certs=certs, form=EmptyForm(),
                           deadlines={c.id: issuance.issue_by(c) for c in certs}, **_context())


@bp.post("/issue")
@requires(ISSUE)
def issue():
    """Issue the chosen pending certificates (one or many); each is issued once."""
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("certificates.pending"))
    ids = request.form.getlist("certificate", type=int)
    issued, skipped = 0, 0
    for cert_id in ids:
        cert, _viewer = certificate_or_404(cert_id, "officer")
        if _issue_one(cert):
            issued += 1
        else:
            skipped += 1
    if issued:
        flash(_("%(n)d certificate(s) issued.", n=issued), "success")
    if skipped:
        flash(_("%(n)d certificate(s) were issued already or could not be numbered; they were left "
                "as they are.", n=skipped), "info")
    return redirect(url_for("certificates.pending"))


def _issue_one(cert: Certificate) -> bool:
    """Issue and commit one certificate; False (and recorded) when it was issued meanwhile."""
    for _attempt in range(3):  # a number taken by a concurrent issue is drawn again
        try:
            issuance.issue(cert, current_user, clock.today(), clock.now())
            db.session.commit()
            return True
        except AlreadyChanged:
            db.session.rollback()
            break
        except IntegrityError:
            db.session.rollback()
    record_event("certificates.refused", actor=current_user, target=cert,
                 organization_id=cert.employment.organization_id if cert.employment else None,
                 number=cert.number or "", person=cert.person.name, attempted="issue",
                 reason=str(_l("It was issued already.")))
    db.session.commit()
    return False


@bp.get("/<int:cert_id>")
@signed_in
def detail(cert_id: int):
    """The certificate's record, its events and, for officers, the actions the rules allow."""
    cert, viewer = certificate_or_404(cert_id)
    # One form per action, each with its own prefix: the field ids stay unique on the page.
    forms = {action: form_class(prefix=action) for action, form_class in ACTION_FORMS.items()}
    return render_template("certificates/detail.html", cert=cert, viewer=viewer, forms=forms, **_context())


@bp.get("/<int:cert_id>/pdf")
@signed_in
def pdf(cert_id: int):
    """The certificate as issued (byte for byte), watermarked once revoked or cancelled."""
    from certificates.pdf import render_certificate

    cert, _viewer = certificate_or_404(cert_id)
    if cert.status is CertificateStatus.PENDING:
        abort(404)
    body = render_certificate(cert, watermark=WATERMARKS.get(cert.status))
    return send_file(io.BytesIO(body), mimetype="application/pdf", as_attachment=True,
                     download_name=f"certificate-{cert.number}.pdf")


def _refusal_text(refused: Exception) -> str:
    if isinstance(refused, lifecycle.LifecycleRefused):
        return str(refused)
    if isinstance(refused, AlreadyChanged):
        return _("The certificate changed meanwhile; nothing was done.")
    return _("No rule in force covers this; nothing was done.")


def _act(cert_id: int, action, name: str, **extra):
    cert, _viewer = certificate_or_404(cert_id, "officer")
    form = ACTION_FORMS[name](prefix=name)
    if not form.validate_on_submit():
        problems = [f"{form[name].label.text}: {errors[0]}" for name, errors in form.errors.items()
                    if name in form._fields]
        flash("; ".join(problems) or _("The form could not be read; reload the page."), "error")
        return redirect(url_for("certificates.detail", cert_id=cert.id))
    try:
        action(cert, current_user, clock.today(), clock.now(), reason=form.reason.data,
               **{k: getattr(form, k).data for k in extra})
    except (AlreadyChanged, lifecycle.LifecycleRefused, RuleMissing) as refused:
        db.session.rollback()
        text = _refusal_text(refused)
        # A refused action is recorded too: who tried what on which certificate, and why not.
        record_event("certificates.refused", actor=current_user, target=cert,
                     organization_id=cert.employment.organization_id if cert.employment else None,
                     number=cert.number, person=cert.person.name, attempted=name, reason=text)
        db.session.commit()
        flash(text, "error")
        return redirect(url_for("certificates.detail", cert_id=cert.id))
    db.session.commit()
    flash(_("Done."), "success")
    return redirect(url_for("certificates.detail", cert_id=cert.id))


@bp.post("/<int:cert_id>/revoke")
@requires(ISSUE)
def revoke(cert_id: int):
    """Revoke on a ground the rules name, with the reason."""
    return _act(cert_id, lifecycle.revoke, "revoke", ground=True)


@bp.post("/<int:cert_id>/suspend")
@requires(ISSUE)
def suspend(cert_id: int):
    """Suspend with the reason."""
    return _act(cert_id, lifecycle.suspend, "suspend")


@bp.post("/<int:cert_id>/reinstate")
@requires(ISSUE)
def reinstate(cert_id: int):
    """Lift a suspension with the reason."""
    return _act(cert_id, lifecycle.reinstate, "reinstate")


@bp.post("/<int:cert_id>/cancel")
@requires(ISSUE)
def cancel(cert_id: int):
    """Cancel (注销) with the reason."""
    return _act(cert_id, lifecycle.cancel, "cancel")


@bp.post("/<int:cert_id>/review")
@requires(ISSUE)
def review(cert_id: int):
    """Record a passed review inside the window, with the training checked from the ledger."""
    return _act(cert_id, renewal.record_review, "review", exam_score=True, extended=True)


@bp.post("/<int:cert_id>/extend")
@requires(ISSUE)
def extend(cert_id: int):
    """Extend a principal/safety-manager certificate applied for in time."""
    return _act(cert_id, renewal.extend, "extend")


@bp.post("/<int:cert_id>/replace")
@requires(ISSUE)
def replace(cert_id: int):
    """Replace a special-operations certificate for its next 6 years."""
    return _act(cert_id, renewal.replace, "replace")


@bp.post("/<int:cert_id>/reissue")
@requires(ISSUE)
def reissue(cert_id: int):
    """Reissue after loss or damage (same number, annotated)."""
    return _act(cert_id, renewal.reissue, "reissue")


#: Certificates drawn in one web request; larger runs use ``lms certificates print`` (progress bar,
#: worker processes).
PRINT_LIMIT = 1000


def _print_choices(form: PrintForm) -> None:
    from exams.centres.models import ExamSession
    from lms.models import Organization, OrgKind

    in_scope = select(Organization.id).where(org_scope_clause(current_user, ISSUE))
    sessions = db.session.scalars(select(ExamSession).where(ExamSession.centre_id.in_(in_scope))
                                  .order_by(ExamSession.starts_at.desc()).limit(200))
    enterprises = db.session.scalars(select(Organization).where(
        Organization.kind == OrgKind.ENTERPRISE, Organization.id.in_(in_scope)).order_by(Organization.name))
    form.session.choices = [(0, "—")] + [(s.id, f"{s.code} · {s.title}") for s in sessions]
    form.enterprise.choices = [(0, "—")] + [(o.id, o.name) for o in enterprises]


@bp.get("/print")
@requires(ISSUE)
def print_run():
    """Choose issued certificates by session, enterprise or issue date and get one print-ready PDF."""
    from certificates.pdf_batch import render_batch
    from certificates.printing import print_run as choose

    form = PrintForm(request.args)
    _print_choices(form)
    chosen = [form.session.data, form.enterprise.data, form.issued_from.data, form.issued_to.data]
    if not request.args or not form.validate() or not any(chosen):
        if request.args:
            flash(_("Choose a session, an enterprise or issue dates."), "error")
        return render_template("certificates/print.html", form=form, limit=PRINT_LIMIT)
    ids = choose(session_id=form.session.data or None, enterprise_id=form.enterprise.data or None,
                 issued_from=form.issued_from.data, issued_to=form.issued_to.data,
                 scope=certificates_clause(ISSUE))
    if not ids or len(ids) > PRINT_LIMIT:
        flash(_("No issued certificate matches.") if not ids else _(
            "%(n)d certificates match: print at most %(limit)d here, or use the command "
            "lms certificates print.", n=len(ids), limit=PRINT_LIMIT), "error")
        return render_template("certificates/print.html", form=form, limit=PRINT_LIMIT), 422
    out = io.BytesIO()
    render_batch(ids, out, workers=1)
    out.seek(0)
    return send_file(out, mimetype="application/pdf", as_attachment=True,
                     download_name=f"certificates-{clock.today().isoformat()}.pdf")


@bp.get("/mine")
@signed_in
def mine():
    """The holder's own certificates."""
    certs = [] if current_user.person_id is None else db.session.scalars(select(Certificate).where(
        Certificate.person_id == current_user.person_id).order_by(Certificate.id.desc())).all()
    return render_template("certificates/mine.html", certs=certs, **_context())


@bp.get("/employees")
@requires(EMPLOYER_VIEW)
def employees():
    """The certificates of the enterprise's employees."""
    certs = db.session.scalars(select(Certificate).where(
        certificates_clause(EMPLOYER_VIEW), Certificate.status != CertificateStatus.PENDING)
        .order_by(Certificate.expires_on).limit(1000)).all()
    return render_template("certificates/employees.html", certs=certs, **_context())
