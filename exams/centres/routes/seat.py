"""Exam-day pages: the candidate signs in at the exam seat (no account, no password)."""

from flask import current_app, flash, redirect, render_template, session, url_for
from flask_babel import format_timedelta
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from exams.centres import seat as svc
from exams.centres.checkin import hm
from exams.centres.routes import bp
from exams.forms import select_choices
from lms.audit_sentences import register_detail_words
from lms.auth.forms import EmptyForm
from lms.authz import public
from lms.clock import local_tz, now
from lms.extensions import db, limiter
from lms.i18n import _, _l, current_locale

#: Names of the languages, each in itself.
LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}

REFUSAL_WORDS = {
    "throttled": _l("waiting after repeated failures"),
    "mismatch": _l("ticket and ID number do not match"),
    "withdrawn": _l("registration withdrawn"),
    "access_code": _l("wrong access code"),
    "not_open": _l("session not open"),
    "over": _l("session over"),
    "not_checked_in": _l("not checked in"),
    "already_signed_in": _l("already signed in at another seat"),
}

AUDIT_SENTENCES = {
    "exams.seat.signed_in": _l("The candidate with ticket %(ticket)s signed in at an exam seat "
                               "(session %(session)s)"),
    "exams.seat.refused": _l("A seat sign-in with ticket %(ticket)s was refused: %(seat_refusal)s"),
    "exams.seat.signed_out": _l("The candidate with ticket %(ticket)s signed out at the exam seat "
                                "(session %(session)s)"),
}

register_detail_words("seat_refusal", lambda code: REFUSAL_WORDS.get(code, code))


class SeatSignInForm(FlaskForm):
    """What a candidate types at the seat."""

    ticket = StringField(_l("Ticket number"), validators=[DataRequired(), Length(max=24)])
    id_number = StringField(_l("ID number"), validators=[DataRequired(), Length(max=32)])
    access_code = StringField(_l("Session access code"), validators=[DataRequired(), Length(max=32)])
    language = SelectField(_l("Language of the exam pages"), choices=[])


def _rate_limit() -> str:
    # A room's seats may share one address behind the centre's router, so the per-address limit is
    # kept apart from the password sign-in's; the per-ticket count in the database does the rest.
    return current_app.config.get("SEAT_SIGN_IN_RATE_LIMIT", current_app.config["LOGIN_RATE_LIMIT"])


def _live():
    """This browser's live seat sign-in (checked against the database on every request)."""
    return svc.current_sign_in(session.get(svc.SEAT_TOKEN_KEY))


def _languages() -> list[tuple[str, str]]:
    return [(code, LANGUAGE_NAMES.get(code, code)) for code in current_app.config["LANGUAGES"]]


@bp.route("/seat", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
@public
def seat_sign_in():
    """Sign in at the seat with ticket number, ID number and the session's access code."""
    if _live() is not None:
        return redirect(url_for("centres.seat_home"))
    form = SeatSignInForm()
    form.language.choices = select_choices(_languages())
    if not form.is_submitted():
        form.language.data = current_locale()
    if form.validate_on_submit():
        try:
            _sign_in, token = svc.sign_in(form.ticket.data, form.id_number.data, form.access_code.data,
                                          form.language.data, now=now())
        except svc.SeatRefused as refused:
            db.session.commit()  # the counted failure and the refusal's audit event
            message = refused.message
            if refused.retry_after is not None:
                message = f"{message} ({format_timedelta(refused.retry_after, add_direction=True)})"
            flash(message, "error")
            return render_template("centres/seat/sign_in.html", form=form), 200
        db.session.commit()
        session[svc.SEAT_TOKEN_KEY] = token
        session["lang"] = form.language.data
        return redirect(url_for("centres.seat_home"))
    return render_template("centres/seat/sign_in.html", form=form)


@bp.get("/seat/ready")
@public
def seat_home():
    """The signed-in candidate's seat: who, where and when; the exam starts when it is opened."""
    live = _live()
    if live is None:
        session.pop(svc.SEAT_TOKEN_KEY, None)
        flash(_("Sign in at your seat first."), "info")
        return redirect(url_for("centres.seat_sign_in"))
    reg = live.registration
    starts = reg.session.starts_at.astimezone(local_tz())
    return render_template("centres/seat/ready.html", reg=reg, exam=reg.session, seat_sign_in=live,
                           starts=starts.strftime("%Y-%m-%d %H:%M"), signed_in_at=hm(live.started_at),
                           form=EmptyForm())


@bp.post("/seat/sign-out")
@public
def seat_sign_out():
    """End this seat's sign-in."""
    live = _live()
    if live is None:
        session.pop(svc.SEAT_TOKEN_KEY, None)
        return redirect(url_for("centres.seat_sign_in"))
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("centres.seat_home"))
    svc.sign_out(live, now=now())
    db.session.commit()
    session.pop(svc.SEAT_TOKEN_KEY, None)
    flash(_("You have signed out at this seat."), "info")
    return redirect(url_for("centres.seat_sign_in"))
