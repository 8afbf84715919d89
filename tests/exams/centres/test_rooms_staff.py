"""Rooms and seats, and centre staff: what a centre admin may do at their own centre and nowhere else."""

import pytest
from centres_world import add_room
from sqlalchemy import func, select

from exams.centres import rooms as services
from exams.centres.models import Room, RoomKind, Seat
from lms.accounts import GrantRefused, check_grant, grant_role
from lms.extensions import db
from lms.models import Account, AuditEvent, OrgKind, RoleGrant
from lms.roles import Role

from support import PASSWORD


def events(action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


@pytest.fixture
def other_centre(make, day):
    """A second centre with its own admin and a room."""
    centre = make.org("江阴考点", region_code="320281", kind=OrgKind.EXAM_CENTRE, industry=None)
    make.account("other_centre_admin", Role.EXAM_CENTRE_ADMIN, org=centre)
    room = add_room(centre, "J1", seats=5)
    db.session.commit()
    return centre, room


# Rooms and seats ----------------------------------------------------------------------------------


def test_seat_labels_follow_the_pattern():
    assert services.pattern_labels("A", 1, 3) == ["A01", "A02", "A03"]
    assert services.pattern_labels("PC-", 99, 101) == ["PC-099", "PC-100", "PC-101"]


def test_the_admin_lists_and_creates_rooms(client, login, day):
    login("centre_admin")
    page = client.get("/centre/rooms").get_data(as_text=True)
    assert "R101" in page and "30" in page
    response = client.post("/centre/rooms", data={"centre": day.centre.id, "code": "P1", "name": "实操室一",
                                                  "kind": "practical"})
    room = db.session.scalar(select(Room).where(Room.code == "P1"))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/centre/rooms/{room.id}")
    assert room.kind is RoomKind.PRACTICAL and events("exams.room.created") == 1
    again = client.post("/centre/rooms", data={"centre": day.centre.id, "code": "P1", "name": "x",
                                               "kind": "theory"})
    assert again.status_code == 200 and 'id="code-errors"' in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Room)) == 2


def test_seats_are_added_by_pattern_and_a_clash_adds_none(client, login, day):
    login("centre_admin")
    url = f"/centre/rooms/{day.room.id}/seats"
    client.post(url, data={"prefix": "A", "first": 31, "last": 35, "workstation_prefix": "PC-"})
    db.session.expire_all()
    labels = [(s.label, s.workstation) for s in day.room.seats]
    assert ("A31", "PC-31") in labels and ("A35", "PC-35") in labels and len(labels) == 35
    assert events("exams.room.seats_added") == 1
    page = client.post(url, data={"prefix": "A", "first": 30, "last": 40}, follow_redirects=True)
    assert "A30" in page.get_data(as_text=True)
    db.session.expire_all()
    assert len(day.room.seats) == 35


def test_a_seat_is_taken_out_of_use_never_deleted(client, login, day):
    login("centre_admin")
    seat = day.room.seats[0]
    response = client.post(f"/centre/seats/{seat.id}", data={f"seat-{seat.id}-workstation": "PC-99"})
    assert response.status_code == 302
    db.session.expire_all()
    seat = db.session.get(Seat, seat.id)
    assert (seat.workstation, seat.in_use) == ("PC-99", False)
    assert day.room.capacity == 29 and len(day.room.seats) == 30
    assert events("exams.seat.updated") == 1
    client.post(f"/centre/seats/{seat.id}", data={f"seat-{seat.id}-workstation": "PC-99",
                                                   f"seat-{seat.id}-in_use": "y"})
    db.session.expire_all()
    assert db.session.get(Seat, seat.id).in_use and day.room.capacity == 30


def test_a_practical_room_calls_its_seats_stations(client, login, day):
    hall = add_room(day.centre, "P2", seats=3, kind=RoomKind.PRACTICAL)
    db.session.commit()
    login("centre_admin")
    page = client.get(f"/centre/rooms/{hall.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Add stations" in page and "Add seats" not in page


def test_rooms_of_another_centre_are_not_found(client, login, day, other_centre):
    login("other_centre_admin")
    room, seat = day.room, day.room.seats[0]
    assert client.get(f"/centre/rooms/{room.id}").status_code == 404
    assert client.post(f"/centre/rooms/{room.id}/seats", data={"prefix": "Z", "first": 1, "last": 2}
                       ).status_code == 404
    assert client.post(f"/centre/seats/{seat.id}", data={}).status_code == 404
    assert client.get(f"/centre/rooms?centre={day.centre.id}").status_code == 404
    assert "R101" not in client.get("/centre/rooms").get_data(as_text=True)
    refused = client.post("/centre/rooms", data={"centre": day.centre.id, "code": "X", "name": "x",
                                                 "kind": "theory"})
    assert refused.status_code == 200
    db.session.expire_all()
    assert db.session.get(Seat, seat.id).in_use and len(room.seats) == 30
    assert db.session.scalar(select(Room.id).where(Room.code == "X")) is None


def test_roles_without_centre_management_are_refused(client, login, day):
    login("ent_admin")
    assert client.get("/centre/rooms").status_code == 403
    assert client.get("/centre/staff").status_code == 403
    assert client.get("/centre/blueprints").status_code == 403


# Centre staff ---------------------------------------------------------------------------------


def test_a_centre_admin_may_grant_staff_roles_only_at_their_own_centre(day, other_centre):
    admin = day.accounts["centre_admin"]
    for role in (Role.INVIGILATOR, Role.PRACTICAL_EXAMINER, Role.EXAM_CENTRE_ADMIN):
        check_grant(admin, role, day.centre, None)
    with pytest.raises(GrantRefused):
        check_grant(admin, Role.INVIGILATOR, other_centre[0], None)
    with pytest.raises(GrantRefused):
        check_grant(admin, Role.LEARNER, day.centre, None)
    with pytest.raises(GrantRefused):
        check_grant(admin, Role.INVIGILATOR, day.enterprise, None)
    with pytest.raises(GrantRefused):
        check_grant(day.accounts["ent_admin"], Role.INVIGILATOR, day.centre, None)
    check_grant(day.accounts["ent_admin"], Role.TRAINER, day.enterprise, None)
    with pytest.raises(GrantRefused):
        check_grant(admin, Role.TRAINER, day.enterprise, None)


def test_the_staff_page_lists_grants_and_grants_a_role_by_username(client, login, day, make):
    make.account("newcomer")
    login("centre_admin")
    page = client.get("/centre/staff").get_data(as_text=True)
    assert "invigilator" in page and "centre_admin" in page and "ent_admin" not in page
    response = client.post("/centre/staff/grant", data={"grant-centre": day.centre.id,
                                                        "grant-username": "NewComer",
                                                        "grant-role": "practical_examiner"})
    assert response.status_code == 302
    newcomer = db.session.scalar(select(Account).where(Account.username == "newcomer"))
    assert [(g.role, g.organization_id) for g in newcomer.grants] == [("practical_examiner", day.centre.id)]
    assert events("role.granted") == 1
    missing = client.post("/centre/staff/grant", data={
        "grant-centre": day.centre.id, "grant-username": "nobody", "grant-role": "invigilator"})
    assert missing.status_code == 200 and 'id="grant-username-errors"' in missing.get_data(as_text=True)


def test_an_account_is_created_for_a_new_invigilator(client, login, day):
    login("centre_admin")
    response = client.post("/centre/staff/new", data={
        "new-centre": day.centre.id, "new-username": "inv2", "new-display_name": "监考二",
        "new-password": "a-long-enough-password", "new-role": "invigilator"})
    assert response.status_code == 302
    account = db.session.scalar(select(Account).where(Account.username == "inv2"))
    assert [(g.role, g.organization_id) for g in account.grants] == [("invigilator", day.centre.id)]
    assert events("account.created") == 1 and events("role.granted") == 1
    taken = client.post("/centre/staff/new", data={
        "new-centre": day.centre.id, "new-username": "inv2", "new-display_name": "x",
        "new-password": "a-long-enough-password", "new-role": "invigilator"})
    assert taken.status_code == 200 and 'id="new-username-errors"' in taken.get_data(as_text=True)


def test_a_grant_is_revoked_but_never_ones_own_nor_at_another_centre(app, client, login, day, other_centre):
    invigilator = day.accounts["invigilator"]
    grant = invigilator.grants[0]
    own = day.accounts["centre_admin"].grants[0]
    other = app.test_client()
    signed = other.post("/login", data={"username": "other_centre_admin", "password": PASSWORD})
    assert signed.status_code == 302
    assert other.post(f"/centre/staff/grants/{grant.id}/revoke").status_code == 404
    assert other.post("/centre/staff/grant", data={
        "grant-centre": day.centre.id, "grant-username": "ent_admin", "grant-role": "invigilator"}
    ).status_code == 200
    assert [g.role for g in day.accounts["ent_admin"].grants] == ["enterprise_admin"]
    login("centre_admin")
    client.post(f"/centre/staff/grants/{own.id}/revoke")
    assert db.session.get(RoleGrant, own.id) is not None
    assert client.post(f"/centre/staff/grants/{grant.id}/revoke").status_code == 302
    db.session.expire_all()
    assert db.session.get(RoleGrant, grant.id) is None and events("role.revoked") == 1


def test_a_centre_admin_cannot_revoke_enterprise_roles(day, make):
    learner = make.account("learner1", Role.LEARNER, org=day.enterprise)
    with pytest.raises(GrantRefused):
        grant_role(day.accounts["centre_admin"], learner, Role.TRAINER, org=day.enterprise)
