"""Exam-day pages: the centre's staff (admins, invigilators, practical examiners) and their roles."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from exams.centres.access import managed_centres
from exams.centres.forms_admin import NewStaffForm, StaffGrantForm
from exams.centres.routes import bp
from exams.centres.routes.rooms import chosen_centre
from exams.forms import select_choices
from exams.permissions import CENTRE_MANAGE
from lms.accounts import GrantRefused, create_account, delegate_grants, grant_role, revoke_grant
from lms.auth.forms import EmptyForm
from lms.authz import can_access_org, requires
from lms.clock import now
from lms.extensions import db
from lms.i18n import _, _l
from lms.models import Account, Organization, OrgKind, RoleGrant
from lms.roles import Role

#: The roles the staff page lists and hands out at a centre.
STAFF_ROLES = (Role.EXAM_CENTRE_ADMIN, Role.INVIGILATOR, Role.PRACTICAL_EXAMINER)


def register_navigation() -> None:
    """Menu entry; and let centre admins grant the staff roles at their own centre."""
    from lms.web.templating import add_nav_item

    add_nav_item("exams", "centres.staff", _l("Centre staff"), CENTRE_MANAGE)
    delegate_grants(OrgKind.EXAM_CENTRE, STAFF_ROLES, CENTRE_MANAGE)


def _centre_from(form) -> Organization:
    centre = db.session.get(Organization, form.centre.data)
    if centre is None or centre.kind != OrgKind.EXAM_CENTRE or not can_access_org(
            current_user, CENTRE_MANAGE, centre):
        abort(404)
    return centre


def _fill(form, centres) -> None:
    form.centre.choices = select_choices((c.id, c.name) for c in centres)


def staff_grants(centre: Organization) -> list[RoleGrant]:
    """Grants of the staff roles at the centre, by account name."""
    return list(db.session.scalars(select(RoleGrant).join(Account, RoleGrant.account_id == Account.id)
                                   .where(RoleGrant.organization_id == centre.id,
                                          RoleGrant.role.in_([r.value for r in STAFF_ROLES]))
                                   .order_by(Account.display_name, Account.username, RoleGrant.role)))


@bp.get("/staff")
@requires(CENTRE_MANAGE)
def staff():
    """Who works at the centre, a form to grant a role to an account, and one for a new account."""
    centre = chosen_centre()
    centres = managed_centres(current_user)
    grant_form = StaffGrantForm(formdata=None, prefix="grant", centre=centre.id if centre else None)
    new_form = NewStaffForm(formdata=None, prefix="new", centre=centre.id if centre else None)
    _fill(grant_form, centres)
    _fill(new_form, centres)
    return _page(centre, centres, grant_form, new_form)


def _page(centre, centres, grant_form, new_form):
    return render_template("centres/staff/list.html", centre=centre, centres=centres,
                           grants=staff_grants(centre) if centre else [], grant_form=grant_form,
                           new_form=new_form, revoke_form=EmptyForm())


@bp.post("/staff/grant")
@requires(CENTRE_MANAGE)
def grant_staff():
    """Grant a staff role at the centre to an account that exists, found by its username."""
    centres = managed_centres(current_user)
    form = StaffGrantForm(prefix="grant")
    _fill(form, centres)
    if not form.validate_on_submit():
        return _page(chosen_centre(), centres, form, _blank_new(centres))
    centre = _centre_from(form)
    account = db.session.scalar(select(Account).where(
        func.lower(Account.username) == form.username.data.strip().lower()))
    if account is None:
        form.username.errors.append(_("No account has that username."))
        return _page(centre, centres, form, _blank_new(centres, centre))
    try:
        grant_role(current_user, account, Role(form.role.data), org=centre)
    except GrantRefused as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("Role granted to %(name)s.", name=account.username), "success")
    return redirect(url_for("centres.staff", centre=centre.id))


def _blank_new(centres, centre=None) -> NewStaffForm:
    form = NewStaffForm(formdata=None, prefix="new", centre=centre.id if centre else None)
    _fill(form, centres)
    return form


def _blank_grant(centres, centre=None) -> StaffGrantForm:
    form = StaffGrantForm(formdata=None, prefix="grant", centre=centre.id if centre else None)
    _fill(form, centres)
    return form


@bp.post("/staff/new")
@requires(CENTRE_MANAGE)
def new_staff():
    """Create a login for a new staff member with their role at the centre."""
    centres = managed_centres(current_user)
    form = NewStaffForm(prefix="new")
    _fill(form, centres)
    if not form.validate_on_submit():
        return _page(chosen_centre(), centres, _blank_grant(centres), form)
    centre = _centre_from(form)
    try:
        account = create_account(current_user, username=form.username.data.strip(),
                                 display_name=form.display_name.data.strip(), password=form.password.data,
                                 role=Role(form.role.data), org=centre)
    except GrantRefused as exc:
        db.session.rollback()
        form.username.errors.append(str(exc))
        return _page(centre, centres, _blank_grant(centres, centre), form)
    db.session.commit()
    flash(_("Account %(name)s created.", name=account.username), "success")
    return redirect(url_for("centres.staff", centre=centre.id))


@bp.post("/staff/grants/<int:grant_id>/revoke")
@requires(CENTRE_MANAGE)
def revoke_staff(grant_id: int):
    """Revoke a staff role at a centre the account manages (never one's own)."""
    grant = db.session.get(RoleGrant, grant_id)
    if grant is None or grant.role not in {r.value for r in STAFF_ROLES} or grant.organization is None \
            or grant.organization.kind != OrgKind.EXAM_CENTRE \
            or not can_access_org(current_user, CENTRE_MANAGE, grant.organization):
        abort(404)
    centre_id = grant.organization_id
    if not EmptyForm().validate_on_submit():
        abort(400)
    if grant.account_id == current_user.id:
        flash(_("You cannot revoke your own role; ask another admin."), "error")
        return redirect(url_for("centres.staff", centre=centre_id))
    try:
        revoke_grant(current_user, grant, now=now())
    except GrantRefused as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("Role revoked."), "success")
    return redirect(url_for("centres.staff", centre=centre_id))
