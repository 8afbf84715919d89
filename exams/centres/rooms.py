"""Rooms and seats of an exam centre: create rooms, add seats by a label pattern, take seats out of use.

Seats are never deleted: registrations of past sessions point at them, so a broken workstation is
taken out of use instead.
"""

from datetime import datetime

from sqlalchemy import select

from exams.centres.models import Room, RoomKind, Seat
from lms.audit import record_event
from lms.extensions import db
from lms.i18n import _l
from lms.models import Account, Organization

#: Most seats one request may add (a large hall has a few hundred).
MAX_SEATS_AT_ONCE = 500


class RoomRefused(ValueError):
    """A room or seat change that cannot be made as asked."""


def centre_rooms(centre: Organization) -> list[Room]:
    """The centre's rooms, theory rooms first, by code."""
    return list(db.session.scalars(select(Room).where(Room.centre_id == centre.id)
                                   .order_by(Room.kind.desc(), Room.code)))


def create_room(centre: Organization, actor: Account, *, code: str, name: str, kind: RoomKind,
                now: datetime) -> Room:
    """A new room at the centre; the code is unique within the centre."""
    code = code.strip()
    if db.session.scalar(select(Room.id).where(Room.centre_id == centre.id, Room.code == code)):
        raise RoomRefused(_l("This centre already has a room with that code."))
    room = Room(centre=centre, code=code, name=name.strip(), kind=RoomKind(kind), created_at=now)
    db.session.add(room)
    db.session.flush()
    record_event("exams.room.created", actor=actor, target=room, organization_id=centre.id,
                 code=room.code, kind=room.kind.value)
    return room


def pattern_labels(prefix: str, first: int, last: int, width: int | None = None) -> list[str]:
    """Labels ``prefix`` + number for ``first`` .. ``last``, zero-padded to at least two digits."""
    width = width or max(2, len(str(last)))
    return [f"{prefix}{n:0{width}d}" for n in range(first, last + 1)]


def add_seats(room: Room, actor: Account, *, prefix: str, first: int, last: int,
              workstation_prefix: str | None = None) -> list[Seat]:
    """Seats (or stations) ``prefix``+first .. ``prefix``+last, each on workstation
    ``workstation_prefix``+number when given; refused whole when a label exists already."""
    if not 0 <= first <= last or last - first + 1 > MAX_SEATS_AT_ONCE:
        raise RoomRefused(_l("Give a range from a first number up to a last one, at most %(n)d seats.",
                             n=MAX_SEATS_AT_ONCE))
    labels = pattern_labels(prefix.strip(), first, last)
    if any(len(label) > 16 for label in labels):
        raise RoomRefused(_l("A seat label has at most 16 characters."))
    taken = sorted({s.label for s in room.seats} & set(labels))
    if taken:
        raise RoomRefused(_l("These labels exist already in this room: %(labels)s",
                             labels=", ".join(taken[:10])))
    stations = pattern_labels(workstation_prefix.strip(), first, last) if workstation_prefix else None
    seats = [Seat(label=label, workstation=stations[i] if stations else None, in_use=True)
             for i, label in enumerate(labels)]
    room.seats.extend(seats)
    db.session.flush()
    record_event("exams.room.seats_added", actor=actor, target=room, organization_id=room.centre_id,
                 count=len(seats), first=labels[0], last=labels[-1])
    return seats


def update_seat(seat: Seat, actor: Account, *, workstation: str | None, in_use: bool) -> bool:
    """Change a seat's workstation label and whether it is in use; False when nothing changed."""
    workstation = (workstation or "").strip() or None
    if (seat.workstation, seat.in_use) == (workstation, in_use):
        return False
    before = {"workstation": seat.workstation, "in_use": seat.in_use}
    seat.workstation, seat.in_use = workstation, in_use
    db.session.flush()
    record_event("exams.seat.updated", actor=actor, target=seat.room, organization_id=seat.room.centre_id,
                 seat=seat.label, workstation=workstation, in_use=in_use,
                 was_in_use=before["in_use"])
    return True


def rooms_of_kind(centre: Organization, kind: RoomKind) -> list[Room]:
    """The centre's rooms of one kind, by code."""
    return [r for r in centre_rooms(centre) if r.kind is kind]
