"""Sign-in and sign-out pages, and the account's own password and sign-ins."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import format_timedelta
from flask_login import current_user, login_user, logout_user

from lms import clock
from lms.audit import record_event
from lms.auth.forms import EmailForm, EmptyForm, LoginForm, PasswordChangeForm
from lms.auth.passwords import verify_password
from lms.auth.services import authenticate, set_password
from lms.authz import public, signed_in
from lms.extensions import db, limiter, login_manager
from lms.i18n import _, _l
from lms.sign_ins import SESSION_KEY, end_all_sign_ins, end_sign_in, live_sign_ins, start_sign_in

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please sign in to open this page.")
login_manager.login_message_category = "info"

#: Session entries that survive signing in and out (the chosen language).
_KEPT_SESSION_KEYS = ("lang",)


#: Pages an account that must choose a new password may still open.
_OPEN_WHILE_CHANGING = {"auth.security", "auth.logout", "static", "web.set_language", "web.home"}


@bp.before_app_request
def _new_password_first():
    """An account given an initial password (bulk logins) chooses its own before anything else."""
    if (current_user.is_authenticated and current_user.must_change_password
            and request.endpoint not in _OPEN_WHILE_CHANGING and not request.path.startswith("/api/")):
        flash(_("Choose your own password before you go on."), "info")
        return redirect(url_for("auth.security"))
    return None


def safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after sign-in."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and "\\" not in target:
            return target
    return url_for("web.dashboard")


def _fresh_session() -> None:
    """Drop everything from the cookie but the language, so nothing carries across accounts."""
    kept = {k: session[k] for k in _KEPT_SESSION_KEYS if k in session}
    session.clear()
    session.update(kept)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("web.dashboard"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        now = clock.now()
        outcome = authenticate(form.username.data, form.password.data, client=request.remote_addr,
                               now=now)
        token = outcome.account and start_sign_in(outcome.account, now=now, ip=request.remote_addr,
                                                  user_agent=request.user_agent.string)
        db.session.commit()
        if outcome.account is not None:
            _fresh_session()
            login_user(outcome.account)
            session[SESSION_KEY] = token
            return redirect(safe_next(form.next.data))
        if outcome.reason == "throttled":
            flash(_("Too many failed sign-ins with this username from this computer. Try again "
                    "%(when)s.", when=format_timedelta(outcome.retry_after, add_direction=True)),
                  "error")
        else:
            flash(_("Wrong username or password."), "error")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@signed_in
def logout():
    if EmptyForm().validate_on_submit():
        now = clock.now()
        record_event("auth.logout", actor=current_user, target=current_user)
        end_sign_in(session.get(SESSION_KEY), now=now, reason="sign-out")
        current_user.signed_out_at = now
        db.session.commit()
        logout_user()
        _fresh_session()
        flash(_("You have signed out."), "info")
    return redirect(url_for("web.home"))


@bp.route("/account/security", methods=["GET", "POST"])
@signed_in
def security():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current.data):
            form.current.errors.append(_("This is not your current password."))
        else:
            now = clock.now()
            set_password(current_user, form.new.data, now=now)
            record_event("auth.password_changed", actor=current_user, target=current_user)
            token = start_sign_in(current_user, now=now, ip=request.remote_addr,
                                  user_agent=request.user_agent.string)
            db.session.commit()
            session[SESSION_KEY] = token
            flash(_("Password changed. Every other sign-in of this account has ended."), "success")
            return redirect(url_for("auth.security"))
    return render_template("auth/security.html", form=form, end_form=EmptyForm(),
                           email_form=EmailForm(email=current_user.email),
                           sign_ins=live_sign_ins(current_user, now=clock.now()))


@bp.post("/account/security/email")
@signed_in
def change_email():
    form = EmailForm()
    if form.validate_on_submit():
        address = (form.email.data or "").strip() or None
        if address != current_user.email:
            current_user.email = address
            record_event("auth.email_changed", actor=current_user, target=current_user)
            db.session.commit()
        flash(_("E-mail address saved.") if address else _("E-mail address removed."), "success")
        return redirect(url_for("auth.security"))
    return render_template("auth/security.html", form=PasswordChangeForm(formdata=None),
                           end_form=EmptyForm(), email_form=form,
                           sign_ins=live_sign_ins(current_user, now=clock.now())), 400


@bp.post("/account/security/end-others")
@signed_in
def end_other_sign_ins():
    if EmptyForm().validate_on_submit():
        now = clock.now()
        ended = end_all_sign_ins(current_user, now=now, reason="ended-by-owner")
        token = start_sign_in(current_user, now=now, ip=request.remote_addr,
                              user_agent=request.user_agent.string)
        record_event("auth.sign_ins_ended", actor=current_user, target=current_user, count=max(ended - 1, 0))
        db.session.commit()
        session[SESSION_KEY] = token
        flash(_("Every other sign-in of this account has ended."), "success")
    return redirect(url_for("auth.security"))
