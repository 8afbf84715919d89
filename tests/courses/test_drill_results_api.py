"""POST /api/v1/drill-results: who may report, what is stored, dedupe on run_id, clear refusals."""

import json
import uuid

import pytest
from sqlalchemy import func, select

from courses.drills.models import DrillResult
from lms.api.tokens import issue_token
from lms.extensions import db
from lms.models import AuditEvent, OrgKind
from lms.roles import Role

URL = "/api/v1/drill-results"


def payload(**changes):
    """A DrillResult body shaped as the drill program sends it."""
    body = {
        "schema_version": 1, "drill": "escape", "version": "1.0", "seed": 7,
        "run_id": str(uuid.uuid4()), "started_at": "2026-05-01T09:30:00+08:00", "duration_s": 71.5,
        "score": 82, "max_score": 100, "passed": True, "lang": "zh_CN", "outcome": "escaped",
        "outcome_text": "你成功逃生并拨打了119。",
        "decisions": [
            {"code": "door_tested", "correct": False, "critical": False, "t": 3.5, "points": 0,
             "max_points": 5, "message_id": "You opened a door without feeling it first.",
             "text": "你没有先试门温就开了门。"},
            {"code": "lift", "correct": True, "critical": True, "t": 9.0, "points": 20,
             "max_points": 20, "message_id": "You took the stairs.", "text": "你走了楼梯。"}],
        "details": {"floorplan": "school", "health": 88}, "class_name": "三年级一班", "participant": "07",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not DROP}


DROP = object()


@pytest.fixture
def school(make):
    return make.org("吴江区实验小学", region_code="320509", kind=OrgKind.SCHOOL, industry=None)


def bearer(account, scopes=("drill-results:write",)) -> dict:
    _token, clear = issue_token(account, "drill room", list(scopes), days=30)
    db.session.commit()
    return {"Authorization": f"Bearer {clear}"}


@pytest.fixture
def teacher_auth(make, school):
    return bearer(make.account("teacher", Role.SCHOOL_TEACHER, org=school))


def post(client, body, headers):
    data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    return client.post(URL, data=data, headers={**headers, "Content-Type": "application/json"})


def stored() -> int:
    return db.session.scalar(select(func.count(DrillResult.id)))


def test_a_teacher_reports_a_run_and_it_is_stored_for_the_school(client, school, teacher_auth):
    body = payload()
    response = post(client, body, teacher_auth)
    assert response.status_code == 201, response.json
    assert response.json["status"] == "created" and response.json["run_id"] == body["run_id"]
    result = db.session.scalar(select(DrillResult))
    assert (result.organization_id, result.class_name, result.participant) == (school.id, "三年级一班", "07")
    assert (result.drill, result.drill_version, result.seed, result.score, result.passed) == (
        "escape", "1.0", 7, 82, True)
    assert result.started_at.isoformat() == "2026-05-01T01:30:00+00:00"
    assert result.decisions == body["decisions"] and result.details["health"] == 88
    assert result.reported_by.username == "teacher" and result.received_at is not None
    assert [m["code"] for m in result.mistakes] == ["door_tested"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "drill_result.recorded"))
    assert event.organization_id == school.id and event.details["run_id"] == body["run_id"]


def test_a_retry_of_the_same_run_answers_200_and_stores_nothing_new(client, teacher_auth):
    body = payload()
    assert post(client, body, teacher_auth).status_code == 201
    again = post(client, {**body, "score": 10}, teacher_auth)
    assert again.status_code == 200 and again.json["status"] == "already_stored"
    assert stored() == 1
    assert db.session.scalar(select(DrillResult.score)) == 82


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer lms_nonsense"},
                                     {"Authorization": "Basic dGVhY2hlcjpwdw=="}])
def test_without_a_valid_token_the_answer_is_401(client, ctx, headers):
    response = post(client, payload(), headers)
    assert response.status_code == 401 and response.json["error"]["code"] == "unauthorized"
    assert stored() == 0


def test_a_token_without_the_drill_scope_is_refused(client, make, school):
    headers = bearer(make.account("teacher", Role.SCHOOL_TEACHER, org=school), ["profile:read"])
    response = post(client, payload(), headers)
    assert response.status_code == 403 and "drill-results:write" in response.json["error"]["message"]
    assert stored() == 0


@pytest.mark.parametrize("role", [Role.LEARNER, Role.INVIGILATOR, Role.REGULATOR])
def test_roles_that_do_not_run_drills_are_refused(client, make, school, role):
    region = "320509" if role is Role.REGULATOR else None
    account = make.account("someone", role, org=None if region else school, region_code=region)
    response = post(client, payload(), bearer(account))
    assert response.status_code == 403 and response.json["error"]["code"] == "forbidden"
    assert stored() == 0


@pytest.mark.parametrize("role", [Role.ENTERPRISE_ADMIN, Role.TRAINER])
def test_enterprise_admins_and_trainers_report_for_their_enterprise(client, make, role):
    ent = make.org("无锡体验馆")
    response = post(client, payload(), bearer(make.account("staff", role, org=ent)))
    assert response.status_code == 201
    assert db.session.scalar(select(DrillResult.organization_id)) == ent.id


def test_org_code_picks_one_of_several_organizations_and_cannot_name_a_foreign_one(client, make, school):
    other = make.org("吴江区第二小学", region_code="320509", kind=OrgKind.SCHOOL, industry=None)
    foreign = make.org("六安小学", region_code="341502", kind=OrgKind.SCHOOL, industry=None)
    teacher = make.account("teacher", Role.SCHOOL_TEACHER, org=school)
    teacher.grants.append(type(teacher.grants[0])(role=Role.SCHOOL_TEACHER.value, organization=other))
    db.session.commit()
    headers = bearer(teacher)
    assert post(client, payload(), headers).json["error"]["code"] == "org_code_required"
    refused = post(client, payload(org_code=foreign.code), headers)
    assert refused.status_code == 422 and refused.json["error"]["code"] == "unknown_organization"
    assert post(client, payload(org_code="NO-SUCH-CODE"), headers).json["error"] == refused.json["error"]
    assert post(client, payload(org_code=other.code), headers).status_code == 201
    assert db.session.scalar(select(DrillResult.organization_id)) == other.id


@pytest.mark.parametrize(("changes", "field"), [
    ({"run_id": "not-a-uuid"}, "run_id"),
    ({"run_id": DROP}, "run_id"),
    ({"drill": "bungee"}, "drill"),
    ({"score": "82"}, "score"),
    ({"passed": 1}, "passed"),
    ({"schema_version": 2}, "schema_version"),
    ({"started_at": "yesterday"}, "started_at"),
    ({"started_at": "2026-05-01T09:30:00"}, "started_at"),
    ({"lang": "fr"}, "lang"),
    ({"extra": 1}, "extra"),
    ({"class_name": "x" * 129}, "class_name"),
    ({"decisions": [{"code": "lift"}]}, "decisions[0].correct"),
    ({"decisions": "none"}, "decisions"),
])
def test_a_malformed_payload_gets_422_naming_the_field_and_stores_nothing(client, teacher_auth,
                                                                         changes, field):
    response = post(client, payload(**changes), teacher_auth)
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "invalid_payload" and field in error["message"]
    assert field in {p["field"] for p in error["problems"]}
    assert stored() == 0


@pytest.mark.parametrize("raw", [b"{not json", b"\xff\xfe", b'{"score": NaN}', b""])
def test_a_body_that_is_not_json_gets_400(client, teacher_auth, raw):
    response = post(client, raw, teacher_auth)
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid_json"
    assert stored() == 0


def test_an_oversized_body_gets_413(client, teacher_auth):
    body = payload(details={"blob": "x" * 300_000})
    response = post(client, body, teacher_auth)
    assert response.status_code == 413 and stored() == 0


def test_the_api_needs_no_csrf_token(strict_app, make, school):
    headers = bearer(make.account("teacher", Role.SCHOOL_TEACHER, org=school))
    response = post(strict_app.test_client(), payload(), headers)
    assert response.status_code == 201
