"""Account list, account creation and role grants."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from lms import clock
from lms.accounts import GrantRefused, create_account, grant_role, is_system_admin, revoke_grant
from lms.auth.forms import EmptyForm
from lms.authz import org_scope_clause, requires, visible_org_ids
from lms.extensions import db
from lms.i18n import _
from lms.idcard import InvalidIdNumber, validate_id_number
from lms.models import Account, Employment, Organization, Person, Region, RoleGrant
from lms.roles import ENTERPRISE_GRANTABLE, Perm, Role
from lms.web import bp
from lms.web.forms import CreateAccountForm, GrantForm
from lms.web.templating import role_label

NONE_CHOICE = 0


def _fill_choices(form: GrantForm) -> None:
    roles = list(Role) if is_system_admin(current_user) else list(ENTERPRISE_GRANTABLE)
    form.role.choices = [(r.value, role_label(r)) for r in roles]
    orgs = db.session.scalars(select(Organization)
                              .where(org_scope_clause(current_user, Perm.ACCOUNTS_MANAGE))
                              .order_by(Organization.name)).all()
    form.organization.choices = [(NONE_CHOICE, "—")] + [(o.id, o.name) for o in orgs]
    regions = db.session.scalars(select(Region).order_by(Region.path)).all() \
        if is_system_admin(current_user) else []
    form.region.choices = [(NONE_CHOICE, "—")] + [(r.id, r.name_zh) for r in regions]


def _scope_from(form: GrantForm):
    org = db.session.get(Organization, form.organization.data) if form.organization.data else None
    region = db.session.get(Region, form.region.data) if form.region.data else None
    return Role(form.role.data), org, region


def _managed_accounts():
    query = select(Account).order_by(Account.username)
    if not is_system_admin(current_user):
        in_scope = visible_org_ids(current_user, Perm.ACCOUNTS_MANAGE)
        query = query.where(Account.id.in_(
            select(RoleGrant.account_id).where(RoleGrant.organization_id.in_(in_scope))))
    return db.paginate(query, per_page=50, error_out=False)


@bp.route("/accounts", methods=["GET", "POST"])
@requires(Perm.ACCOUNTS_MANAGE)
def accounts():
    form = CreateAccountForm()
    _fill_choices(form)
    if form.validate_on_submit():
        try:
            role, org, region = _scope_from(form)
            account = create_account(
                current_user, username=form.username.data.strip(),
                display_name=form.display_name.data.strip(), password=form.password.data,
                role=role, org=org, region=region, person=_person_for(form, org))
        except (GrantRefused, InvalidIdNumber) as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Account %(name)s created.", name=account.username), "success")
            return redirect(url_for("web.account", account_id=account.id))
    return render_template("web/accounts.html", page=_managed_accounts(), form=form)


def _person_for(form: CreateAccountForm, org: Organization | None) -> Person | None:
    if not form.id_number.data:
        return None
    number = validate_id_number(form.id_number.data, today=clock.today())
    person = db.session.scalar(select(Person).where(Person.id_number == number))
    employed = person is not None and org is not None and db.session.scalar(
        select(Employment.id).where(Employment.person_id == person.id,
                                    Employment.organization_id == org.id))
    if not employed:
        raise GrantRefused(_("No employee with that ID number is on this organization's roster."))
    return person


def _apply(change, success: str) -> bool:
    """Run a grant change: commit and confirm it, or roll back and say why it was refused."""
    try:
        change()
    except GrantRefused as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return False
    db.session.commit()
    flash(success, "success")
    return True


def _managed_account_or_404(account_id: int) -> Account:
    account = db.session.get(Account, account_id)
    if account is None:
        abort(404)
    if not is_system_admin(current_user):
        in_scope = set(db.session.scalars(visible_org_ids(current_user, Perm.ACCOUNTS_MANAGE)))
        if not any(g.organization_id in in_scope for g in account.grants):
            abort(404)
    return account


@bp.route("/accounts/<int:account_id>", methods=["GET", "POST"])
@requires(Perm.ACCOUNTS_MANAGE)
def account(account_id: int):
    target = _managed_account_or_404(account_id)
    form = GrantForm()
    _fill_choices(form)
    if form.validate_on_submit():
        role, org, region = _scope_from(form)
        if _apply(lambda: grant_role(current_user, target, role, org=org, region=region),
                  _("Role granted.")):
            return redirect(url_for("web.account", account_id=target.id))
    return render_template("web/account.html", target=target, form=form, revoke_form=EmptyForm())


@bp.post("/accounts/<int:account_id>/grants/<int:grant_id>/revoke")
@requires(Perm.ACCOUNTS_MANAGE)
def revoke(account_id: int, grant_id: int):
    target = _managed_account_or_404(account_id)
    grant = next((g for g in target.grants if g.id == grant_id), None)
    if grant is None or not EmptyForm().validate_on_submit():
        abort(404)
    _apply(lambda: revoke_grant(current_user, grant, now=clock.now()), _("Role revoked."))
    return redirect(url_for("web.account", account_id=target.id))
