"""Authorization-matrix plug-in for the practical examiner's pages.

A foreign exam centre (from matrix_centres.extend_world) runs an open practical session with a
practical room and a present candidate whose sheet was started by the foreign examiner. Every
practical page names that session or candidate: roles holding the practical permissions get 404 and
change nothing, the others 403; the sessions list shows none of it.
"""

from datetime import UTC, datetime

from exams.centres.models import (
    Attendance,
    ExamSession,
    Registration,
    Room,
    RoomKind,
    Seat,
    SessionKind,
    SessionRoom,
    SessionStaff,
    SessionStatus,
    StaffDuty,
)
from exams.practical.models import PracticalScore
from exams.practical.permissions import PRACTICAL_VIEW
from lms.extensions import db
from lms.models import Employment, Post
from lms.roles import Role

SECRETS = ["秘密实操场次", "秘密实操考场", "秘密考评意见"]


def extend_world(world, make):
    """A foreign practical session with a present candidate and a draft sheet."""
    c = world["centres"]
    centre = c["centre"]
    examiner = make.account("b_examiner", Role.PRACTICAL_EXAMINER, org=centre)
    room = Room(centre=centre, code="XP1", name=SECRETS[1], kind=RoomKind.PRACTICAL,
                seats=[Seat(label="S01", workstation="ST-01")])
    db.session.add(room)
    db.session.flush()
    session = ExamSession(
        centre=centre, code="FOREIGN-PR", title=SECRETS[0], kind=SessionKind.PRACTICAL,
        post=Post.SPECIAL_OPERATIONS.value, operation_subtype="1.2",
        starts_at=datetime(2026, 12, 15, 1, tzinfo=UTC), ends_at=datetime(2026, 12, 15, 3, tzinfo=UTC),
        registration_closes_at=datetime(2026, 12, 8, tzinfo=UTC), capacity=1, access_code="123458",
        status=SessionStatus.OPEN, seed=4, created_by_id=c["admin"].id)
    session.rooms = [SessionRoom(room=room)]
    session.staff = [SessionStaff(account=examiner, duty=StaffDuty.EXAMINER, room=room)]
    db.session.add(session)
    db.session.flush()
    person = world["person_b"]
    employment = db.session.query(Employment).filter_by(person_id=person.id).first()
    reg = Registration(session=session, person=person, employment=employment,
                       organization_id=employment.organization_id, ticket_number="99990013",
                       registered_by_id=c["admin"].id, seat=room.seats[0], attendance=Attendance.PRESENT,
                       health_commitment_at=datetime(2026, 12, 1, tzinfo=UTC))
    db.session.add(reg)
    db.session.flush()
    sheet = PracticalScore(registration_id=reg.id, session_id=session.id, seat_id=room.seats[0].id,
                           examiner_id=examiner.id, checklist_code="1.2", checklist_version="2026.1",
                           item_scores={"K1.1": 7.0}, total_points=7.0, note=SECRETS[2])
    db.session.add(sheet)
    db.session.flush()
    world["practical"] = {"session": session, "room": room, "registration": reg, "sheet": sheet}
    world["secrets"].extend(SECRETS)


def cases(world):
    """Requests per practical endpoint."""
    x = world["practical"]
    s, room, reg = x["session"].id, x["room"].id, x["registration"].id
    scores = {"item-K1.1": "0", "note": "x"}
    return {
        "practical.sessions": [("GET", "/exam/practical/", None, PRACTICAL_VIEW)],
        "practical.roster": [("GET", f"/exam/practical/{s}", None, "object"),
                             ("GET", f"/exam/practical/{s}?room={room}", None, "object")],
        "practical.sheet": [("GET", f"/exam/practical/{s}/{reg}", None, "object")],
        "practical.save": [("POST", f"/exam/practical/{s}/{reg}/save", scores, "object")],
        "practical.sign": [("POST", f"/exam/practical/{s}/{reg}/sign", scores, "object")],
    }


def assert_unchanged(world) -> None:
    """The foreign sheet and result are as the world left them."""
    db.session.expire_all()
    sheet = db.session.get(PracticalScore, world["practical"]["sheet"].id)
    assert sheet.item_scores == {"K1.1": 7.0} and sheet.status.value == "draft"
    assert db.session.get(Registration, world["practical"]["registration"].id).score is None
