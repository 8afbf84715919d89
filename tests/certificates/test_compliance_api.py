"""``GET /api/v1/compliance`` with a region-scoped token, and the OpenAPI document describing it."""

import ast
import inspect
from datetime import date

import pytest
from jsonschema import Draft202012Validator

from certificates.compliance import api, export_routes
from certificates.compliance.rates import Filters, overview
from certificates.models import CertificateType
from lms.api.tokens import API_SCOPES, issue_token
from lms.extensions import db
from lms.models import Post
from lms.regions import region_by_code
from lms.roles import Role


@pytest.fixture
def world(on_day, make, make_cert, holder):
    """Wuxi: a high-risk welding firm in Liangxi (a certified welder, one without a certificate, a
    certified safety manager) and a machinery firm in Xinwu (a principal without a certificate)."""
    firm = holder.employments[0].organization
    make_cert(holder)
    make.person("李四", firm, Post.SPECIAL_OPERATIONS, subtype="2.1")
    manager = make.person("张安全", firm, Post.SAFETY_MANAGER)
    make_cert(manager, cert_type=CertificateType.SAFETY_QUALIFICATION, number="AQ-0001")
    make.person("王老板", make.org("新吴机械有限公司", region_code="320214"), Post.PRINCIPAL,
                region_code="320214")
    luan = make.org("六安矿业有限公司", region_code="341502")
    make.person("陈六", luan, Post.PRINCIPAL, region_code="341502")
    return on_day


def _token(make, username: str, role: Role, region_code: str | None = None, org=None,
           scopes=(api.SCOPE,)) -> dict:
    account = make.account(username, role, region_code=region_code, org=org)
    _row, clear = issue_token(account, "reporting", list(scopes), days=30)
    db.session.commit()
    return {"Authorization": f"Bearer {clear}"}


@pytest.fixture
def wuxi(world, make):
    return _token(make, "wuxi-regulator", Role.REGULATOR, region_code="320200")


def test_no_token_is_401_and_a_token_without_the_scope_403(world, make, client):
    response = client.get("/api/v1/compliance?region=320200")
    assert response.status_code == 401 and response.json["error"]["code"] == "unauthorized"
    headers = _token(make, "profile-only", Role.REGULATOR, region_code="320200", scopes=("profile:read",))
    response = client.get("/api/v1/compliance?region=320200", headers=headers)
    assert response.status_code == 403 and response.json["error"]["code"] == "forbidden"


def test_the_figures_equal_the_overview(wuxi, client):
    response = client.get("/api/v1/compliance?region=320200", headers=wuxi)
    assert response.status_code == 200
    body = response.json
    assert body["region"] == {"code": "320200", "name_zh": "无锡市", "name_en": "Wuxi", "level": "city"}
    assert body["as_of"] == "2026-03-02"
    assert body["filters"] == {"industry": None, "post": None, "category": None, "high_risk": None}
    totals = body["totals"]
    counts = (totals["on_job"], totals["key_on_job"], totals["certified"], totals["not_certified"])
    assert counts == (4, 4, 2, 2)
    assert totals["certified_rate"] == 0.5 and totals["pass_rate"] == 0.0
    assert totals["training_rate"] is None  # nobody's training worked out yet
    found = overview(region_by_code("320200"), Filters(), date(2026, 3, 2), date(2026, 3, 2))
    assert totals["certified"] == found.total.certified and totals["hr_on_job"] == found.total.hr_on_job == 3
    assert [(c["kind"], c["code"], c["key_on_job"], c["certified"]) for c in body["children"]] == [
        ("region", "320213", 3, 2), ("region", "320214", 1, 0)]
    assert body["rule_versions"] == {"compliance.expiring_windows_days": "项目需求 合规",
                                     "compliance.assessment_valid_months": "项目需求 合规"}
    assert "持证上岗率" in body["definitions"]["certified_rate"]["name"]["en"]
    assert body["definitions"]["pass_rate"]["text"]["en"].startswith("Employments on the job at high-risk")


def test_filters_and_a_past_day(wuxi, client):
    response = client.get("/api/v1/compliance?region=320200&post=special_operations", headers=wuxi)
    assert (response.json["totals"]["key_on_job"], response.json["totals"]["certified"]) == (2, 1)
    assert response.json["filters"]["post"] == "special_operations"
    response = client.get("/api/v1/compliance?region=320200&high_risk=no", headers=wuxi)
    assert (response.json["totals"]["key_on_job"], response.json["totals"]["certified"]) == (1, 0)
    # Before the certificates were issued (2025-01-10) nobody was certified.
    response = client.get("/api/v1/compliance?region=320200&as_of=2025-01-01", headers=wuxi)
    assert response.status_code == 200 and response.json["as_of"] == "2025-01-01"
    assert (response.json["totals"]["key_on_job"], response.json["totals"]["certified"]) == (4, 0)
    totals = response.json["totals"]
    assert totals["certified_rate"] == 0.0 and totals["training_rate"] is None


def test_the_default_region_and_a_district(wuxi, client):
    assert client.get("/api/v1/compliance", headers=wuxi).json["region"]["code"] == "320200"
    response = client.get("/api/v1/compliance?region=320213", headers=wuxi)
    assert response.status_code == 200
    assert [c["kind"] for c in response.json["children"]] == ["enterprise"]


@pytest.mark.parametrize("region", ["341500", "320000", "999999"])
def test_a_region_outside_the_token_is_404(wuxi, client, region):
    response = client.get(f"/api/v1/compliance?region={region}", headers=wuxi)
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


def test_an_account_without_regions_gets_404(world, make, client):
    firm_admin = _token(make, "firm-admin", Role.ENTERPRISE_ADMIN, org=make.org("某企业"))
    assert client.get("/api/v1/compliance", headers=firm_admin).status_code == 404


@pytest.mark.parametrize(("query", "message"), [
    ("as_of=2026-02-30", "as_of must be a date"), ("high_risk=1", "high_risk must be yes or no"),
    ("post=ceo", "Unknown post ceo")])
def test_bad_parameters_are_400_in_english(wuxi, client, query, message):
    response = client.get(f"/api/v1/compliance?region=320200&{query}", headers=wuxi)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "bad_request" and message in response.json["error"]["message"]


def test_the_scope_is_offered_on_the_tokens_page(world, make, login, client):
    assert api.SCOPE in API_SCOPES
    make.account("wuxi-regulator", Role.REGULATOR, region_code="320200")
    login("wuxi-regulator")
    page = client.get("/account/tokens", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert api.SCOPE in page and "Read the compliance figures of the regions you oversee" in page


# -- the OpenAPI document ------------------------------------------------------------------------------

def test_openapi_document_is_served_and_describes_the_endpoint(world, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json
    assert doc["openapi"] == "3.1.0"
    operation = doc["paths"]["/api/v1/compliance"]["get"]
    assert operation["security"] == [{"bearer": ["compliance:read"]}]
    scheme = doc["components"]["securitySchemes"]["bearer"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert set(operation["responses"]) == {"200", "400", "401", "403", "404"}
    assert {p["name"] for p in operation["parameters"]} == {"region", "industry", "post", "category",
                                                            "high_risk", "as_of"}
    # Every $ref points at a schema the document holds.
    refs = _refs(doc)
    schemas = doc["components"]["schemas"]
    assert refs and all(ref.removeprefix("#/components/schemas/") in schemas for ref in refs)


def test_every_parameter_the_view_reads_is_documented(world, client):
    documented = {p["name"] for p in client.get("/api/v1/openapi.json").json["paths"]["/api/v1/compliance"]
                  ["get"]["parameters"]}
    read = set()
    for function in (api.compliance, export_routes.filters_from_args, export_routes.day_from_args):
        for node in ast.walk(ast.parse(inspect.getsource(function).lstrip())):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "get" and _is_args(node.func.value)
                    and isinstance(node.args[0], ast.Constant)):
                read.add(node.args[0].value)
    assert read == documented


def test_a_reply_matches_the_documented_schema(wuxi, client):
    doc = client.get("/api/v1/openapi.json").json
    validator = _validator(doc, "Compliance")
    for query in ("region=320200", "region=320213&as_of=2025-06-01"):
        body = client.get(f"/api/v1/compliance?{query}", headers=wuxi).json
        assert list(validator.iter_errors(body)) == []
    error = client.get("/api/v1/compliance?region=341500", headers=wuxi).json
    assert list(_validator(doc, "Error").iter_errors(error)) == []


def _validator(doc: dict, schema: str) -> Draft202012Validator:
    """A validator of one of the document's schemas, its references resolved inside the document."""
    return Draft202012Validator({"$ref": f"#/components/schemas/{schema}", "components": doc["components"]})


def _is_args(node) -> bool:
    """``request.args`` or a parameter named ``args``: the query string."""
    return (isinstance(node, ast.Attribute) and node.attr == "args") or (isinstance(node, ast.Name)
                                                                       and node.id == "args")


def _refs(node) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if "$ref" in node else []
        return found + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []
