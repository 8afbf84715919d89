"""A signed-in user's own API tokens."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from lms.api.tokens import API_SCOPES, issue_token, revoke_token
from lms.auth.forms import EmptyForm
from lms.authz import signed_in
from lms.extensions import db
from lms.i18n import _
from lms.models import ApiToken
from lms.web import bp
from lms.web.forms import TokenForm


@bp.route("/account/tokens", methods=["GET", "POST"])
@signed_in
def tokens():
    form = TokenForm()
    form.scopes.choices = [(name, str(label)) for name, label in API_SCOPES.items()]
    new_token = None
    if form.validate_on_submit():
        _token, new_token = issue_token(current_user, form.name.data.strip(), form.scopes.data,
                                        form.days.data)
        db.session.commit()
        flash(_("Token created. Copy it now: it will not be shown again."), "success")
    own = db.session.scalars(select(ApiToken).where(ApiToken.account_id == current_user.id)
                             .order_by(ApiToken.id.desc())).all()
    return render_template("web/tokens.html", form=form, tokens=own, new_token=new_token,
                           revoke_form=EmptyForm())


@bp.post("/account/tokens/<int:token_id>/revoke")
@signed_in
def revoke_api_token(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.account_id != current_user.id or not EmptyForm().validate_on_submit():
        abort(404)
    revoke_token(current_user, token)
    db.session.commit()
    flash(_("Token revoked."), "success")
    return redirect(url_for("web.tokens"))
