"""Role x route matrix: outside its scope every role is refused and sees no foreign data.

An object outside the caller's scope answers 404, exactly as a missing one does, so its existence
does not leak; only a role lacking a page's permission altogether gets that page's 403.

The out-of-scope records belong to an enterprise placed once in another province (Lu'an, Anhui)
and once in a neighbouring city of the same province (Wujiang district of Suzhou, next to the
Wuxi grants of the home roles): a scope widened to the grant's parent region shows up there.

Domain packages add their routes through plug-in modules next to this suite (``tests/matrix_<pkg>.py``)
that define ``extend_world(world, make)`` (create out-of-scope records in ``world["place"]``, append
their marker texts to ``world["secrets"]``) and ``cases(world)`` (requests per endpoint, in the format
of ``cases`` below).
"""

import importlib
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from lms.api.tokens import issue_token
from lms.audit import record_event
from lms.authz import AUTHZ_ATTR, has_permission
from lms.extensions import db
from lms.models import Account, ApiToken, ImportStatus, OrgKind, Post, RoleGrant, RosterImport
from lms.roles import Perm, Role


@dataclass(frozen=True)
class Place:
    """Where the out-of-scope records lie: a region code and a prefix for their marker texts."""

    region: str
    prefix: str
    #: In Jiangsu like the home grants (what a package shares province-wide is not foreign there).
    home_province: bool


#: Jin'an district of Lu'an (Anhui), and Wujiang district of Suzhou (Jiangsu, like Wuxi).
PLACES = {"other_province": Place("341502", "六安", home_province=False),
          "neighbouring_city": Place("320509", "吴江", home_province=True)}


def core_secrets(place: Place) -> list[str]:
    """Text that belongs to the out-of-scope enterprise; no Wuxi-side page may show it."""
    return [f"{place.prefix}乙秘密矿业", f"{place.prefix}乙秘密员工", f"{place.prefix}乙导入者", "b_admin"]


#: Plug-in modules of the domain packages, imported when present.
PLUGIN_NAMES = ("matrix_courses", "matrix_exams", "matrix_centres", "matrix_centres_admin",
                "matrix_centres_tickets", "matrix_centres_checkin", "matrix_centres_bulk",
                "matrix_certificates", "matrix_certificate_imports", "matrix_verify",
                "matrix_attempts_results", "matrix_attempts_candidate", "matrix_attempts_console",
                "matrix_practical", "matrix_assessments", "matrix_notifications", "matrix_compliance")


def plugins():
    found = []
    for name in PLUGIN_NAMES:
        if importlib.util.find_spec(name) is not None:
            found.append(importlib.import_module(name))
    return found

HOME_ROLES = {
    Role.LEARNER: ("ent", None), Role.ENTERPRISE_ADMIN: ("ent", None), Role.TRAINER: ("ent", None),
    Role.QUESTION_EDITOR: ("centre", None), Role.EXAM_CENTRE_ADMIN: ("centre", None),
    Role.INVIGILATOR: ("centre", None), Role.PRACTICAL_EXAMINER: ("centre", None),
    Role.CERTIFICATE_OFFICER: (None, "320200"), Role.REGULATOR: (None, "320200"),
    Role.SCHOOL_TEACHER: ("school", None),
}


@pytest.fixture(params=list(PLACES))
def world(request, make):
    place = PLACES[request.param]
    secrets = core_secrets(place)
    ent = make.org("无锡甲化工", high_risk=True, industry="hazardous_chemicals")
    centre = make.org("无锡考点", kind=OrgKind.EXAM_CENTRE, industry=None)
    school = make.org("吴江小学", region_code="320509", kind=OrgKind.SCHOOL, industry=None)
    foreign = make.org(secrets[0], region_code=place.region, industry="non_coal_mining")
    person_a = make.person("甲员工", org=ent, post=Post.SAFETY_MANAGER)
    person_b = make.person(secrets[1], org=foreign, post=Post.SPECIAL_OPERATIONS,
                           region_code=place.region, subtype="6.8")
    b_admin = make.account("b_admin", Role.ENTERPRISE_ADMIN, org=foreign)
    staged = RosterImport(organization_id=foreign.id, uploaded_by_id=b_admin.id, filename="b.xlsx",
                          valid_rows=[{"row": 2, "name": secrets[2]}], errors=[])
    db.session.add(staged)
    record_event("roster.imported", actor=b_admin, organization_id=foreign.id, name=secrets[2])
    token, _clear = issue_token(b_admin, "b station", ["profile:read"], days=30)
    db.session.commit()
    orgs = {"ent": ent, "centre": centre, "school": school}
    for role, (org_key, region_code) in HOME_ROLES.items():
        make.account(f"home_{role.value}", role, org=orgs.get(org_key), region_code=region_code,
                     person=person_a if role is Role.LEARNER else None)
    make.account("home_system_admin", Role.SYSTEM_ADMIN)
    world = {"place": place, "foreign": foreign, "person_b": person_b, "b_admin": b_admin,
             "staged": staged, "grant": b_admin.grants[0], "token": token, "home": orgs,
             "person_a": person_a, "secrets": secrets}
    for plugin in plugins():
        if hasattr(plugin, "extend_world"):
            plugin.extend_world(world, make)
    db.session.commit()
    return world


def cases(w) -> dict[str, list[tuple[str, str, dict | None, str]]]:
    """Core cases plus every plug-in's."""
    merged = core_cases(w)
    for plugin in plugins():
        merged.update(plugin.cases(w))
    return merged


def core_cases(w) -> dict[str, list[tuple[str, str, dict | None, str]]]:
    """Requests per endpoint: (method, url, form data, kind); kind decides the expected status."""
    f, b = w["foreign"].id, w["b_admin"].id
    return {
        "web.home": [("GET", "/", None, "open")],
        "web.favicon": [("GET", "/favicon.ico", None, "open")],
        "web.set_language": [("POST", "/lang", {"code": "en", "next": "/"}, "open")],
        "auth.security": [("GET", "/account/security", None, "open")],
        "auth.end_other_sign_ins": [("POST", "/account/security/end-others", {}, "open")],
        "auth.login": [("GET", "/login", None, "open")],
        "auth.logout": [("POST", "/logout", {}, "open")],
        "web.dashboard": [("GET", "/dashboard", None, "open")],
        "web.tokens": [("GET", "/account/tokens", None, "open")],
        "web.revoke_api_token": [("POST", f"/account/tokens/{w['token'].id}/revoke", {}, "object")],
        "web.organizations": [("GET", "/organizations", None, Perm.ORG_VIEW),
                              ("GET", f"/organizations?q={w['foreign'].name[:4]}", None, Perm.ORG_VIEW)],
        "web.organization": [("GET", f"/organizations/{f}", None, "object")],
        "web.person": [("GET", f"/people/{w['person_b'].id}", None, "object")],
        **_employment_cases(w),
        "web.rules": [("GET", "/rules", None, Perm.RULES_VIEW)],
        "web.audit_log": [("GET", "/audit", None, Perm.AUDIT_VIEW)],
        "web.accounts": [("GET", "/accounts", None, Perm.ACCOUNTS_MANAGE),
                         ("POST", "/accounts", {"username": "intruder", "display_name": "x",
                                                "password": "a-long-password", "role": "learner",
                                                "organization": f, "region": 0},
                          Perm.ACCOUNTS_MANAGE)],
        "web.account": [("GET", f"/accounts/{b}", None, "object"),
                        ("POST", f"/accounts/{b}", {"role": "trainer", "organization": f,
                                                    "region": 0}, "object")],
        "web.revoke": [("POST", f"/accounts/{b}/grants/{w['grant'].id}/revoke", {}, "object")],
        "roster.upload": [("GET", "/roster/", None, Perm.ROSTER_IMPORT),
                          ("POST", "/roster/", {"organization": f}, Perm.ROSTER_IMPORT)],
        "roster.template": [("GET", "/roster/template.xlsx", None, Perm.ROSTER_IMPORT)],
        "roster.review": [("GET", f"/roster/imports/{w['staged'].id}", None, "object")],
        "roster.confirm": [("POST", f"/roster/imports/{w['staged'].id}/confirm", {}, "object")],
        "roster.cancel": [("POST", f"/roster/imports/{w['staged'].id}/cancel", {}, "object")],
        "api.me": [("GET", "/api/v1/me", None, "api")],
    }


def _employment_cases(w) -> dict:
    """Ending a foreign post, or marking it away or back, answers 404 to every role in scope."""
    person = w["person_b"]
    employment = person.employments[0].id
    base = f"/people/{person.id}/employments/{employment}"
    return {f"web.{name}": [("POST", f"{base}/{path}", {"end_date": "2026-01-01", "reason": "x"}, "object")]
            for name, path in (("end_post", "end"), ("leave_post", "leave"), ("return_to_post", "return"))}


def expected_statuses(kind, account, rule: str) -> set[int]:
    """Statuses a request of ``kind`` may get; ``rule`` is the view's declared access rule."""
    if kind == "open":
        return {200, 302}
    if kind == "object":
        # A role without the page's permission is refused before any object is looked up, the
        # same for every id; anyone else must not tell a foreign object from a missing one.
        declared, _sep, perm = rule.partition(":")
        return {403} if declared == "perm" and not has_permission(account, perm) else {404}
    if kind == "beat":  # only an account linked to a person has study time to record
        return {404} if account.person_id else {403}
    if kind == "api":
        return {401}
    if isinstance(kind, tuple) and kind[0] == "landing":  # may send the account on to its own page
        return {200, 302} if has_permission(account, kind[1]) else {403}
    if isinstance(kind, tuple):  # ("hidden", perm): pages kept from other roles answer 404
        return {200} if has_permission(account, kind[1]) else {404}
    return {200} if has_permission(account, kind) else {403}


def test_every_route_is_in_the_matrix_and_declares_its_access_rule(app, world):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert endpoints == set(cases(world))
    for endpoint in endpoints:
        assert hasattr(app.view_functions[endpoint], AUTHZ_ATTR), endpoint


@pytest.mark.parametrize("role", list(HOME_ROLES), ids=lambda r: r.value)
def test_role_outside_its_scope_is_refused_and_sees_nothing_foreign(app, world, role):
    username = f"home_{role.value}"
    account = db.session.scalar(select(Account).where(Account.username == username))
    client = app.test_client()
    client.post("/login", data={"username": username, "password": "correct-horse-battery"})
    # Signing out comes last so every other request runs signed in.
    ordered = sorted(cases(world).items(), key=lambda item: item[0] == "auth.logout")
    for endpoint, requests in ordered:
        for method, url, data, kind in requests:
            response = client.open(url, method=method, data=data)
            body = response.get_data()
            rule = getattr(app.view_functions[endpoint], AUTHZ_ATTR)
            assert response.status_code in expected_statuses(kind, account, rule), (endpoint, url)
            leaked = [s for s in world["secrets"] if s.encode() in body]
            assert not leaked, (endpoint, url, leaked)
    _assert_foreign_state_unchanged(world)


def _assert_foreign_state_unchanged(world):
    db.session.expire_all()
    assert db.session.get(RosterImport, world["staged"].id).status is ImportStatus.PENDING
    assert db.session.get(RoleGrant, world["grant"].id) is not None
    assert db.session.get(ApiToken, world["token"].id).revoked_at is None
    assert db.session.scalar(select(Account).where(Account.username == "intruder")) is None
    for plugin in plugins():
        if hasattr(plugin, "assert_unchanged"):
            plugin.assert_unchanged(world)


def test_system_admin_reaches_the_same_objects(app, world):
    """Positive control: the URLs above are real, so the refusals are the scope at work."""
    client = app.test_client()
    client.post("/login", data={"username": "home_system_admin", "password": "correct-horse-battery"})
    for endpoint in ("web.organization", "web.person", "web.account", "roster.review"):
        for method, url, _data, _kind in cases(world)[endpoint]:
            if method == "GET":
                response = client.get(url)
                assert response.status_code == 200, url
                assert any(s in response.get_data(as_text=True) for s in world["secrets"]), url


def test_in_scope_data_is_visible_to_the_regulator_and_enterprise_admin(app, world):
    for username in ("home_regulator", "home_enterprise_admin"):
        client = app.test_client()
        client.post("/login", data={"username": username, "password": "correct-horse-battery"})
        assert "无锡甲化工" in client.get("/organizations").get_data(as_text=True)


def test_a_beat_for_a_foreign_enrolment_reads_exactly_like_one_for_a_missing_enrolment(app, world):
    client = app.test_client()
    client.post("/login", data={"username": "home_learner", "password": "correct-horse-battery"})
    lesson = world["courses"]["lesson"].id
    foreign = client.post("/courses/study/heartbeat",
                          json={"enrollment": world["courses"]["enrollment"].id, "lesson": lesson})
    missing = client.post("/courses/study/heartbeat", json={"enrollment": 999_999, "lesson": lesson})
    assert (foreign.status_code, foreign.json) == (missing.status_code, missing.json) == \
        (404, {"credited": 0, "refused": "unknown_lesson"})
