"""Sign-in and sign-out pages."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_login import current_user, login_user, logout_user

from lms.audit import record_event
from lms.auth.forms import EmptyForm, LoginForm
from lms.auth.services import authenticate
from lms.authz import public, signed_in
from lms.extensions import db, limiter, login_manager
from lms.i18n import _, _l
from lms.models.base import utcnow

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please sign in to open this page.")
login_manager.login_message_category = "info"


def safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after sign-in."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and "\\" not in target:
            return target
    return url_for("web.dashboard")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("web.dashboard"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        outcome = authenticate(form.username.data, form.password.data)
        db.session.commit()
        if outcome.account is not None:
            login_user(outcome.account)
            return redirect(safe_next(form.next.data))
        if outcome.reason == "locked":
            flash(_("Too many failed sign-ins. This account is locked until %(time)s.",
                    time=format_datetime(outcome.locked_until, "short")), "error")
        else:
            flash(_("Wrong username or password."), "error")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@signed_in
def logout():
    if EmptyForm().validate_on_submit():
        record_event("auth.logout", target=current_user)
        current_user.signed_out_at = utcnow()
        db.session.commit()
        logout_user()
        flash(_("You have signed out."), "info")
    return redirect(url_for("web.home"))
