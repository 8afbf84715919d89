"""Organization list and detail, limited to the viewer's scope."""

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import func, or_, select

from lms.authz import can_access_org, ensure_org, org_scope_clause, requires
from lms.extensions import db
from lms.models import Employment, Organization, OrgKind, Person, Post
from lms.roles import Perm
from lms.web import bp


@bp.get("/organizations")
@requires(Perm.ORG_VIEW)
def organizations():
    query = select(Organization).where(org_scope_clause(current_user, Perm.ORG_VIEW))
    kind = request.args.get("kind", "")
    if kind in {k.value for k in OrgKind}:
        query = query.where(Organization.kind == kind)
    q = request.args.get("q", "").strip()
    if q:
        query = query.where(or_(Organization.name.contains(q), Organization.code.contains(q)))
    page = db.paginate(query.order_by(Organization.kind, Organization.name), per_page=50,
                       error_out=False)
    return render_template("web/organizations.html", page=page, kind=kind, q=q, kinds=OrgKind)


@bp.get("/organizations/<int:org_id>")
@requires(Perm.ORG_VIEW)
def organization(org_id: int):
    org = ensure_org(Perm.ORG_VIEW, db.session.get(Organization, org_id))
    employees = None
    post_counts = {}
    if can_access_org(current_user, Perm.PEOPLE_VIEW, org):
        employees = _employees_page(org)
        post_counts = dict(db.session.execute(
            select(Employment.post, func.count())
            .where(Employment.organization_id == org.id, Employment.end_date.is_(None))
            .group_by(Employment.post)).all())
    return render_template("web/organization.html", org=org, employees=employees,
                           post_counts=post_counts, posts=Post)


def _employees_page(org: Organization):
    query = (select(Employment).join(Person)
             .where(Employment.organization_id == org.id, Employment.end_date.is_(None)))
    post = request.args.get("post", "")
    if post in {p.value for p in Post}:
        query = query.where(Employment.post == post)
    return db.paginate(query.order_by(Employment.post, Person.name), per_page=50, error_out=False)
