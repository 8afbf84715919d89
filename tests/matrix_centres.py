"""Authorization-matrix plug-in for the exam day: a foreign centre's room, session, registration."""

from datetime import UTC, date, datetime

from exams.centres.models import (
    ExamSession,
    Incident,
    IncidentKind,
    Registration,
    Room,
    RoomKind,
    Seat,
    SessionKind,
    SessionRoom,
    SessionStatus,
)
from lms.extensions import db
from lms.models import Employment, OrgKind, Post
from lms.roles import Role

SECRETS = ["秘密考场", "秘密场次", "秘密考生"]


def extend_world(world, make):
    """A foreign exam centre (in the foreign place) with a room, an open session and a registration
    of the foreign enterprise's special-operations worker."""
    place = world["place"]
    centre = make.org(f"{place.prefix}秘密考点", region_code=place.region, kind=OrgKind.EXAM_CENTRE,
                      industry=None)
    admin = make.account("b_centre_admin", Role.EXAM_CENTRE_ADMIN, org=centre)
    room = Room(centre=centre, code="X1", name=SECRETS[0], kind=RoomKind.THEORY,
                seats=[Seat(label="Z01", workstation="PC-Z01")])
    db.session.add(room)
    db.session.flush()
    session = ExamSession(
        centre=centre, code="FOREIGN-1", title=SECRETS[1], kind=SessionKind.SPECIAL_OPS_THEORY,
        post=Post.SPECIAL_OPERATIONS.value, operation_subtype="6.8",
        starts_at=datetime(2026, 12, 15, 1, tzinfo=UTC), ends_at=datetime(2026, 12, 15, 3, tzinfo=UTC),
        registration_closes_at=datetime(2026, 12, 8, tzinfo=UTC), capacity=1, access_code="123456",
        status=SessionStatus.OPEN, seed=1, created_by_id=admin.id)
    session.rooms = [SessionRoom(room=room)]
    db.session.add(session)
    db.session.flush()
    person = world["person_b"]
    employment = db.session.query(Employment).filter_by(person_id=person.id).first()
    reg = Registration(session=session, person=person, employment=employment,
                       organization_id=employment.organization_id, ticket_number="99990001",
                       registered_by_id=admin.id, seat=room.seats[0],
                       health_commitment_at=datetime(2026, 12, 1, tzinfo=UTC))
    db.session.add(reg)
    db.session.flush()
    incident = Incident(session_id=session.id, room_id=room.id, registration_id=reg.id,
                        kind=IncidentKind.OTHER, note=SECRETS[2], recorded_by_id=admin.id)
    db.session.add(incident)
    db.session.flush()
    # A session outside every home province too: a published Jiangsu session is listed for
    # registration province-wide, so the foreign session above is not foreign to Wuxi's admins
    # in the neighbouring-city case.
    far = make.org("六安远方考点", region_code="341502", kind=OrgKind.EXAM_CENTRE, industry=None)
    far_session = ExamSession(
        centre=far, code="FOREIGN-FAR", title=SECRETS[1] + "远", kind=SessionKind.SPECIAL_OPS_THEORY,
        post=Post.SPECIAL_OPERATIONS.value, operation_subtype="6.8",
        starts_at=datetime(2030, 12, 15, 1, tzinfo=UTC), ends_at=datetime(2030, 12, 15, 3, tzinfo=UTC),
        registration_closes_at=datetime(2030, 12, 8, tzinfo=UTC), capacity=1, access_code="123457",
        status=SessionStatus.PUBLISHED, seed=3, created_by_id=admin.id)
    db.session.add(far_session)
    db.session.flush()
    world["centres"] = {"far_session": far_session, "centre": centre, "room": room,
                        "seat": room.seats[0], "session": session, "registration": reg,
                        "incident": incident, "record_room": room, "admin": admin, "day": date(2026, 12, 15)}
    world["secrets"].extend(SECRETS)


def cases(world):
    """The registration endpoints; the other exam-day endpoints are in matrix_centres_* modules."""
    from exams.permissions import REGISTER

    x = world["centres"]
    far, reg = x["far_session"].id, x["registration"].id
    return {
        "centres.registration_sessions": [("GET", "/centre/registration", None, REGISTER)],
        "centres.registrations": [("GET", f"/centre/sessions/{far}/registrations", None, "object")],
        "centres.register_candidate": [("POST", f"/centre/sessions/{far}/registrations",
                                        {"id_number": world["person_b"].id_number,
                                         "health_commitment": "y"}, "object")],
        "centres.registration": [("GET", f"/centre/registrations/{reg}", None, "object")],
        "centres.withdraw_registration": [("POST", f"/centre/registrations/{reg}/withdraw", {},
                                           "object")],
    }
