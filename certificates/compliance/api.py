"""``GET /api/v1/compliance``: a region's compliance figures for a region-scoped bearer token, and
``GET /api/v1/openapi.json``, the OpenAPI 3.1 document describing it (built here from the same
parameter list the view reads)."""

from flask import Blueprint, g, jsonify, request
from flask_babel import force_locale

from certificates.compliance import exports
from certificates.compliance.blueprint import home_regions
from certificates.compliance.export_routes import BadRequest, day_from_args, filters_from_args
from certificates.compliance.models import MEASURES
from certificates.compliance.rates import Figures, overview
from certificates.permissions import COMPLIANCE_VIEW
from lms.api.auth import api_error, token_required
from lms.authz import can_access_region, public
from lms.clock import now, today
from lms.i18n import _l
from lms.models import Post
from lms.regions import region_by_code

SCOPE = "compliance:read"
api_bp = Blueprint("compliance_api", __name__, url_prefix="/api/v1")

#: The query parameters the view reads: name -> (schema, description). The document lists exactly these.
PARAMETERS = {
    "region": ({"type": "string", "pattern": "^[0-9]{6}$"},
               "Region code (GB/T 2260). Default: the first region the token's account oversees."),
    "industry": ({"type": "string"}, "Industry code (lms/data/industries.json); all industries when absent."),
    "post": ({"type": "string", "enum": [p.value for p in Post]}, "Only this post."),
    "category": ({"type": "string"},
                 "Only this special-operations category code (lms/data/operation_categories.json)."),
    "high_risk": ({"type": "string", "enum": ["yes", "no"]},
                  "Only high-risk (yes) or other (no) enterprises."),
    "as_of": ({"type": "string", "format": "date"},
              "The day the figures are for (ISO date). Default: today, from the kept counts; another day "
              "is worked out from the records (training coverage is then null)."),
}


def init_app(app) -> None:
    """Register the API blueprint (no CSRF: it only answers GETs) and the token scope."""
    from lms.api.tokens import register_scope
    from lms.extensions import csrf

    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)
    register_scope(SCOPE, _l("Read the compliance figures of the regions you oversee"))


@api_bp.get("/compliance")
@token_required(SCOPE)
def compliance():
    """The region's figures and its children's on a day."""
    account = g.api_account
    try:
        with force_locale("en"):  # the API's messages are English, like every API error
            filters = filters_from_args(request.args)
            now_day = today()
            on = day_from_args(request.args, now_day)
    except BadRequest as problem:
        return api_error(400, "bad_request", str(problem))
    code = request.args.get("region")
    if code:
        region = region_by_code(code)
    else:
        regions = home_regions(account)
        region = regions[0] if regions else None
    if region is None or not can_access_region(account, COMPLIANCE_VIEW, region):
        return api_error(404, "not_found", "No such region within the token's scope.")
    found = overview(region, filters, on, now_day)
    return jsonify({
        "region": _region(region),
        "as_of": on.isoformat(),
        "generated_at": now().isoformat(timespec="seconds"),
        "filters": exports.filters_dict(filters),
        "definitions": {key: {"name": exports.bilingual(lambda n=name: n),
                              "text": exports.bilingual(lambda t=text: t)}
                        for key, (name, text) in exports.RATES.items()},
        "rule_versions": exports.rule_versions(on),
        "totals": _figures(found.total),
        "children": [{"kind": c.kind, "id": c.id, "code": c.code, "name_zh": c.name_zh, "name_en": c.name_en,
                      **_figures(c.figures)} for c in found.children],
    })


def _region(region) -> dict:
    return {"code": region.code, "name_zh": region.name_zh, "name_en": region.name_en,
            "level": str(region.level)}


def _figures(figures: Figures) -> dict:
    return dict(figures.values) | {"not_certified": figures.not_certified,
                                   "certified_rate": figures.certified_rate, "pass_rate": figures.pass_rate,
                                   "training_rate": figures.training_rate}


@api_bp.get("/openapi.json")
@public
def openapi():
    """The OpenAPI 3.1 document of the compliance API."""
    return jsonify(openapi_document())


def openapi_document() -> dict:
    """The OpenAPI 3.1 description of ``GET /api/v1/compliance``."""
    counts = {m: {"type": "integer", "minimum": 0} for m in (*MEASURES, "not_certified")}
    rate = {"type": ["number", "null"], "minimum": 0, "maximum": 1}
    training = rate | {"description": "null for a day other than today"}
    figures = {"type": "object", "required": [*counts, "certified_rate", "pass_rate", "training_rate"],
               "properties": counts | {"certified_rate": rate, "pass_rate": rate, "training_rate": training}}
    codes = ["bad_request", "unauthorized", "forbidden", "not_found"]
    parameters = [{"name": name, "in": "query", "required": False, "schema": schema,
                   "description": description} for name, (schema, description) in PARAMETERS.items()]
    text = {"type": "object", "properties": {"zh": {"type": "string"}, "en": {"type": "string"}}}
    error = {"$ref": "#/components/schemas/Error"}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Workplace-safety LMS: compliance API", "version": "1.0.0",
                 "description": "Certified-on-the-job rate (持证上岗率), training and assessment pass rate "
                                "(培训考核合格率) and training coverage of a region, with its child "
                                "regions and the enterprises placed directly in it."},
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {"bearer": {
                "type": "http", "scheme": "bearer",
                "description": f"An API token issued on the account's tokens page with the scope {SCOPE}; "
                               "the account must oversee the region asked for."}},
            "schemas": {
                "Figures": figures,
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                    "type": "object", "required": ["code", "message"],
                    "properties": {"code": {"type": "string", "enum": codes},
                                   "message": {"type": "string"}}}}},
                "Compliance": {
                    "type": "object",
                    "required": ["region", "as_of", "filters", "definitions", "rule_versions", "totals",
                                 "children"],
                    "properties": {
                        "region": {"type": "object", "properties": {
                            "code": {"type": "string"}, "name_zh": {"type": "string"},
                            "name_en": {"type": "string"},
                            "level": {"type": "string", "enum": ["province", "city", "district"]}}},
                        "as_of": {"type": "string", "format": "date"},
                        "generated_at": {"type": "string", "format": "date-time"},
                        "filters": {"type": "object", "properties": {
                            "industry": {"type": ["string", "null"]}, "post": {"type": ["string", "null"]},
                            "category": {"type": ["string", "null"]},
                            "high_risk": {"type": ["boolean", "null"]}}},
                        "definitions": {"type": "object", "additionalProperties": {
                            "type": "object", "properties": {"name": text, "text": text}}},
                        "rule_versions": {"type": "object", "additionalProperties": {"type": "string"}},
                        "totals": {"$ref": "#/components/schemas/Figures"},
                        "children": {"type": "array", "items": {"allOf": [
                            {"$ref": "#/components/schemas/Figures"},
                            {"type": "object", "properties": {
                                "kind": {"type": "string", "enum": ["region", "enterprise"]},
                                "id": {"type": "integer"}, "code": {"type": "string"},
                                "name_zh": {"type": "string"}, "name_en": {"type": "string"}}}]}},
                    }},
            },
        },
        "paths": {"/api/v1/compliance": {"get": {
            "operationId": "getCompliance",
            "summary": "A region's compliance figures and its children's",
            "security": [{"bearer": [SCOPE]}],
            "parameters": parameters,
            "responses": {
                "200": {"description": "The figures",
                        "content": {"application/json": {"schema": {
                            "$ref": "#/components/schemas/Compliance"}}}},
                "400": {"description": "A malformed parameter",
                        "content": {"application/json": {"schema": error}}},
                "401": {"description": "No valid bearer token",
                        "content": {"application/json": {"schema": error}}},
                "403": {"description": f"The token lacks the scope {SCOPE}",
                        "content": {"application/json": {"schema": error}}},
                "404": {"description": "No such region, or outside the account's scope",
                        "content": {"application/json": {"schema": error}}},
            }}}},
    }
