"""Core API endpoints."""

from flask import g, jsonify

from lms.api import bp
from lms.api.auth import api_error, token_required
from lms.roles import Role


@bp.get("/me")
@token_required("profile:read")
def me():
    account = g.api_account
    return jsonify({
        "username": account.username,
        "display_name": account.display_name,
        "roles": [{"role": gr.role, "organization_id": gr.organization_id,
                   "region": gr.region.code if gr.region else None}
                  for gr in account.grants if gr.role in {r.value for r in Role}],
        "token": {"name": g.api_token.name, "scopes": sorted(g.api_token.scope_set),
                  "expires_at": g.api_token.expires_at.isoformat()},
    })


@bp.errorhandler(404)
def not_found(_error):
    return api_error(404, "not_found", "No such resource.")
