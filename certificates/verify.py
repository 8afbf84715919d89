"""Public verification, no login: a certificate number's standing, the full record for whoever
holds the QR code or knows the holder's name, a pasted QR payload checked, and the JSON twin.

Anyone may ask whether a number is a valid certificate: the page shows the standing, type,
operation, dates and a masked name (王*明). The full record (full name, photo) needs proof that the
visitor has the card in hand: the signed QR payload (``?t=``), or the holder's full name typed
in. Guessing is slowed by per-address rate limits; an unknown number answers 404 with the same
page whatever the number, and unknown numbers, failed QR checks and wrong names are audited with
the number as a keyed digest (never in clear: a special-operations number is "T" + the ID number).
"""

import hashlib
import hmac
import unicodedata

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request, url_for
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from certificates import signing
from certificates.dates import standing
from certificates.labels import STANDING_LABELS, TYPE_LABELS
from certificates.models import Certificate, CertificateStatus, CertificateType
from lms import catalog, clock
from lms.api.auth import api_error
from lms.audit import record_event
from lms.authz import public
from lms.extensions import csrf, db, limiter
from lms.i18n import _, _l

bp = Blueprint("verify", __name__, url_prefix="/verify", template_folder="templates")
api_bp = Blueprint("certificates_api", __name__, url_prefix="/api/v1/certificates")

#: Seconds a photo link shown with a full record stays good.
PHOTO_LINK_SECONDS = 600
MAX_PAYLOAD = 2000
#: Standings shown as bad news.
BAD = frozenset({"expired", "review_overdue", "suspended", "revoked", "cancelled", "replaced"})

AUDIT_SENTENCES = {
    "certificates.verify_unknown": _l("A visitor looked up a certificate number that does not exist "
                                      "(%(channel)s; number digest %(number_digest)s)"),
    "certificates.verify_bad_qr": _l("A visitor presented a certificate QR code that failed the check: "
                                     "%(qr_problem)s (number digest %(number_digest)s)"),
    "certificates.verify_wrong_name": _l("A visitor gave a wrong holder name for certificate number "
                                         "digest %(number_digest)s"),
}
QR_PROBLEMS = {
    "format": _l("not a certificate QR code"),
    "truncated": _l("the code is incomplete"),
    "version": _l("a format this system does not know"),
    "unknown_key": _l("signed with a key that is not the issuing authority's"),
    "signature": _l("the contents were altered after signing"),
    "other_number": _l("signed for another certificate number"),
}
CHANNELS = {"page": _l("verification page"), "api": _l("JSON API")}


def register() -> None:
    """Audit sentences and the words of their details (the package's init_app calls this)."""
    from lms.audit_sentences import register_detail_words, register_group, register_sentences

    register_group("certificates", _l("Certificates"))
    register_sentences("certificates", AUDIT_SENTENCES)
    register_detail_words("qr_problem", lambda code: str(QR_PROBLEMS.get(code, code)))
    register_detail_words("channel", lambda code: str(CHANNELS.get(code, code)))


def init_app(app) -> None:
    """Register both blueprints (the JSON one without CSRF: it only answers GETs)."""
    app.register_blueprint(bp)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)
    register()


def _page_limit() -> str:
    return current_app.config.get("CERTIFICATE_VERIFY_RATE_LIMIT", "30 per minute")


def _api_limit() -> str:
    return current_app.config.get("CERTIFICATE_API_RATE_LIMIT", "60 per minute")


class NameForm(FlaskForm):
    """The holder's full name, to see the full record without the QR code."""

    name = StringField(_l("Holder's full name"), validators=[DataRequired(), Length(max=64)])


class ScanForm(FlaskForm):
    """A scanned QR code's text, pasted."""

    payload = TextAreaField(_l("Text of the QR code"), validators=[DataRequired(), Length(max=MAX_PAYLOAD)])


# --- lookups and views -------------------------------------------------------------------------

def number_digest(number: str) -> str:
    """A keyed digest of the number for the audit log: repeated lookups can be told apart, the
    number (an ID number, for special operations) cannot be read back."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, number.encode(), hashlib.sha256).hexdigest()[:16]


def mask_name(name: str) -> str:
    """王*明, 欧**明, 王*: the first and last character; a single character is hidden."""
    name = name.strip()
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def _same_name(typed: str, name: str) -> bool:
    def norm(text: str) -> str:
        return "".join(unicodedata.normalize("NFKC", text).split()).casefold()

    return bool(typed) and hmac.compare_digest(norm(typed).encode(), norm(name).encode())


def certificates_for(number: str) -> list[Certificate]:
    """The issued (or once issued) certificates under ``number``, each operation's newest first."""
    if not number or len(number) > 40:
        return []
    return list(db.session.scalars(
        select(Certificate).where(Certificate.number == number,
                                  Certificate.status != CertificateStatus.PENDING)
        .options(selectinload(Certificate.person), selectinload(Certificate.employment))
        .order_by(Certificate.operation_subtype, Certificate.generation.desc(), Certificate.id)))


def _region(cert: Certificate):
    employment = cert.employment
    return employment.organization.region if employment is not None else None


def _names(cert: Certificate) -> dict:
    category = catalog.operation_category(cert.operation_category or (
        cert.operation_subtype.split(".")[0] if cert.operation_subtype else None))
    subtype = catalog.operation_subtype(cert.operation_subtype)
    return {"type_name": str(TYPE_LABELS.get(CertificateType(cert.cert_type).value, cert.cert_type)),
            "category_name": catalog.label(category) if category else None,
            "subtype_name": f"{subtype['code']} {catalog.label(subtype)}" if subtype else None}


def view(cert: Certificate, on, *, full: bool) -> dict:
    """What the public sees of ``cert`` on ``on``; the full name only with proof."""
    state = standing(cert, on, _region(cert))
    return {"id": cert.id, "number": cert.number, "type": CertificateType(cert.cert_type).value,
            "status": state, "status_name": str(STANDING_LABELS.get(state, state)), "bad": state in BAD,
            "warn": state == "review_due", "operation_category": cert.operation_category,
            "operation_subtype": cert.operation_subtype, "issued_on": cert.issued_on,
            "expires_on": cert.expires_on, "next_review_on": cert.next_review_on,
            "issuing_authority": cert.issuing_authority, "reissue_count": cert.reissue_count,
            "generation": cert.generation,
            "holder": cert.person.name if full else mask_name(cert.person.name),
            "has_photo": full and cert.person.photo_digest is not None, **_names(cert)}


def _as_json(item: dict) -> dict:
    keys = ("type", "type_name", "status", "status_name", "operation_category", "category_name",
            "operation_subtype", "subtype_name", "issuing_authority", "reissue_count", "holder")
    out = {k: item[k] for k in keys}
    for k in ("issued_on", "expires_on", "next_review_on"):
        out[k] = item[k].isoformat() if item[k] else None
    return out


def _matching(certs: list[Certificate], facts: signing.VerifiedPayload) -> Certificate | None:
    """The registry's record of the certificate a payload was signed for."""
    same_operation = [c for c in certs if CertificateType(c.cert_type) is facts.cert_type
                      and c.operation_subtype == facts.operation_subtype]
    exact = [c for c in same_operation if c.issued_on == facts.issued_on]
    return (exact or same_operation or [None])[0]


def compare(cert: Certificate | None, facts: signing.VerifiedPayload) -> list[str]:
    """Where the registry differs from what the QR code says (empty when it agrees)."""
    if cert is None:
        return [_("The registry holds no certificate of this type and operation under this number.")]
    differences = []
    if cert.person.name != facts.name:
        differences.append(_("The holder's name differs."))
    if cert.issued_on != facts.issued_on:
        differences.append(_("The issue date differs: the registry has %(day)s.", day=cert.issued_on))
    if cert.expires_on != facts.expires_on:
        differences.append(_("The expiry date differs: the registry has %(day)s.",
                             day=cert.expires_on or "—"))
    return differences


def check_payload(text: str, *, number: str | None = None) -> dict:
    """Check a QR text and compare it with the registry; audit a failed check."""
    result: dict = {"ok": False}
    try:
        token = signing.extract_token(text)
        facts = signing.verify_payload(token)
    except signing.BadPayload as bad:
        result["problem"] = bad.reason
    else:
        if number is not None and facts.number != number:
            result["problem"] = "other_number"
        else:
            result.update(ok=True, facts=facts)
    if not result["ok"]:
        record_event("certificates.verify_bad_qr", actor=None, qr_problem=result["problem"],
                     number_digest=number_digest(number) if number else "—")
        result["problem_text"] = str(QR_PROBLEMS[result["problem"]])
        return result
    facts = result["facts"]
    certs = certificates_for(facts.number)
    record = _matching(certs, facts)
    result["record"] = record
    result["differences"] = compare(record, facts)
    result["standing"] = view(record, clock.today(), full=True) if record is not None else None
    return result


def _photo_link(cert: Certificate) -> str | None:
    if cert.person.photo_digest is None:
        return None
    token = _photo_signer().dumps(cert.id)
    return url_for("verify.photo", number=cert.number, proof=token)


def _photo_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="certificate-verify-photo")


# --- pages -------------------------------------------------------------------------------------

@bp.route("/", methods=["GET", "POST"], strict_slashes=False)
@bp.route("/scan", methods=["GET", "POST"])
@limiter.limit(_page_limit)
@public
def scan():
    """Paste a scanned QR code: is the signature good, and does the registry still agree?"""
    form = ScanForm()
    result = None
    if form.validate_on_submit():
        result = check_payload(form.payload.data)
        db.session.commit()
    return render_template("certificates/verify/scan.html", form=form, result=result)


@bp.route("/<number>", methods=["GET", "POST"])
@limiter.limit(_page_limit)
@public
def certificate(number: str):
    """A number's certificates: standing and masked name; the full record with the QR token or
    the holder's full name."""
    certs = certificates_for(number)
    if not certs:
        record_event("certificates.verify_unknown", actor=None, channel="page",
                     number_digest=number_digest(number))
        db.session.commit()
        return render_template("certificates/verify/unknown.html"), 404
    form = NameForm()
    qr, proven, name_refused = None, set(), False
    token = request.args.get("t", "")[:MAX_PAYLOAD]
    if token:
        qr = check_payload(token, number=number)
        if qr["ok"] and qr["record"] is not None:
            # The signed code proves the card is in hand, even where the registry has moved on.
            proven.add(qr["record"].id)
        db.session.commit()
    if form.validate_on_submit():
        if _same_name(form.name.data, certs[0].person.name):
            proven.update(c.id for c in certs)
        else:
            name_refused = True
            record_event("certificates.verify_wrong_name", actor=None, number_digest=number_digest(number))
            db.session.commit()
    today = clock.today()
    items = [view(c, today, full=c.id in proven) for c in certs]
    for item, cert in zip(items, certs, strict=True):
        item["photo_url"] = _photo_link(cert) if item["has_photo"] else None
    return render_template("certificates/verify/page.html", number=number, items=items, qr=qr,
                           form=form, full=bool(proven), name_refused=name_refused, today=today)


@bp.get("/<number>/photo/<proof>")
@limiter.limit(_page_limit)
@public
def photo(number: str, proof: str):
    """The holder's photo, for the few minutes a full record shown with proof links to it."""
    from certificates.pdf import photo_jpeg

    try:
        cert_id = _photo_signer().loads(proof, max_age=PHOTO_LINK_SECONDS)
    except BadSignature:
        abort(404)
    cert = db.session.get(Certificate, cert_id)
    if cert is None or cert.number != number:
        abort(404)
    data = photo_jpeg(cert.person.photo_digest)
    if data is None:
        abort(404)
    response = Response(data, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- JSON ------------------------------------------------------------------------------------------

@api_bp.get("/<number>")
@limiter.limit(_api_limit)
@public
def certificate_json(number: str):
    """The public facts of a number's certificates, as the verification page shows them."""
    certs = certificates_for(number)
    if not certs:
        record_event("certificates.verify_unknown", actor=None, channel="api",
                     number_digest=number_digest(number))
        db.session.commit()
        return api_error(404, "not_found", "No certificate has this number.")
    today = clock.today()
    return jsonify({"number": number, "checked_on": today.isoformat(),
                    "certificates": [_as_json(view(c, today, full=False)) for c in certs]})
