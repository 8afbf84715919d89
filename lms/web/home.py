"""Public home page, language switch, favicon and the signed-in dashboard."""

from pathlib import Path

from flask import abort, current_app, redirect, render_template, request, session
from flask_login import current_user
from sqlalchemy import func, select

from lms.auth.routes import safe_next
from lms.authz import has_permission, org_scope_clause, public, signed_in
from lms.extensions import db
from lms.models import Employment, Organization, OrgKind, Post
from lms.roles import Perm
from lms.web import bp
from lms.web.templating import dashboard_panels_for, home_tasks_for


@bp.get("/")
@public
def home():
    return render_template("web/home.html")


@bp.get("/favicon.ico")
@public
def favicon():
    # Browsers ask for this path on every first visit, whatever the page links to.
    icon = Path(current_app.static_folder, "favicon.ico").read_bytes()
    response = current_app.response_class(icon, mimetype="image/x-icon")
    response.cache_control.public, response.cache_control.max_age = True, 86400
    return response


@bp.post("/lang")
@public
def set_language():
    code = request.form.get("code", "")
    if code not in current_app.config["LANGUAGES"]:
        abort(400)
    session["lang"] = code
    if current_user.is_authenticated:
        current_user.locale = code
        db.session.commit()
    return redirect(safe_next(request.form.get("next")))


@bp.get("/dashboard")
@signed_in
def dashboard():
    stats = _scoped_stats() if has_permission(current_user, Perm.ORG_VIEW) else None
    if stats and not stats["enterprises"]:
        stats = None  # only zeros for an exam centre or a school: nothing worth a tile
    employments = current_user.person.employments if current_user.person else []
    tasks = home_tasks_for(current_user)
    return render_template("web/dashboard.html", stats=stats, employments=employments, tasks=tasks,
                           panels=dashboard_panels_for(current_user))


def _scoped_stats() -> dict:
    """Counts over the organizations the current account may see."""
    scope = org_scope_clause(current_user, Perm.ORG_VIEW)
    by_kind = dict(db.session.execute(
        select(Organization.kind, func.count()).where(scope).group_by(Organization.kind)
    ).all())
    posts = dict(db.session.execute(
        select(Employment.post, func.count())
        .join(Organization, Employment.organization_id == Organization.id)
        .where(scope, Employment.end_date.is_(None), Employment.is_on_the_job.is_(True))
        .group_by(Employment.post)
    ).all())
    return {
        "enterprises": by_kind.get(OrgKind.ENTERPRISE, 0),
        "others": sum(n for k, n in by_kind.items() if k != OrgKind.ENTERPRISE),
        "posts": {post: posts.get(post, 0) for post in Post},
        "key_posts": sum(posts.get(p, 0) for p in Post if p.is_key_post),
    }
