"""Exam-day pages: the centre's rooms and their seats (stations in practical rooms)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from exams.centres import rooms as services
from exams.centres.access import managed_centres
from exams.centres.forms_admin import ROOM_KIND_LABELS, RoomForm, SeatForm, SeatsForm
from exams.centres.models import Room, RoomKind, Seat
from exams.centres.routes import bp
from exams.forms import select_choices
from exams.permissions import CENTRE_MANAGE
from lms.authz import can_access_org, requires
from lms.clock import now
from lms.extensions import db
from lms.i18n import _, _l
from lms.models import Organization, OrgKind

AUDIT_SENTENCES = {
    "exams.room.created": _l("%(actor)s added the room %(target)s"),
    "exams.room.seats_added": _l("%(actor)s added %(count)s seats (%(first)s to %(last)s) "
                                 "to the room %(target)s"),
    "exams.seat.updated": _l("%(actor)s changed the seat %(seat)s of the room %(target)s "
                             "(workstation %(workstation)s, in use: %(in_use)s)"),
}


def register_navigation() -> None:
    """Menu entry and the audit page's link to rooms."""
    from lms.audit_sentences import register_target
    from lms.web.templating import add_nav_item

    add_nav_item("exams", "centres.rooms", _l("Rooms and seats"), CENTRE_MANAGE)
    register_target("Room", "centres.room", "room_id", CENTRE_MANAGE, lambda r: f"{r.code} {r.name}")


def chosen_centre() -> Organization | None:
    """The centre picked with ?centre= among those the account manages (404 for another), else the first."""
    centres = managed_centres(current_user)
    wanted = request.args.get("centre", type=int)
    if wanted is None:
        return centres[0] if centres else None
    found = next((c for c in centres if c.id == wanted), None)
    if found is None:
        abort(404)
    return found


def room_or_404(room_id: int) -> Room:
    """A room of a centre the account manages, else 404."""
    room = db.session.get(Room, room_id)
    if room is None or room.centre.kind != OrgKind.EXAM_CENTRE or not can_access_org(
            current_user, CENTRE_MANAGE, room.centre):
        abort(404)
    return room


def room_kind_label(kind) -> str:
    """A room kind in the active language."""
    return str(ROOM_KIND_LABELS.get(RoomKind(kind), kind))


@bp.route("/rooms", methods=["GET", "POST"])
@requires(CENTRE_MANAGE)
def rooms():
    """The centre's rooms with their seats in use, and a form for a new room."""
    centre = chosen_centre()
    centres = managed_centres(current_user)
    form = RoomForm(centre=centre.id if centre else None)
    form.centre.choices = select_choices((c.id, c.name) for c in centres)
    if form.validate_on_submit():
        target = next(c for c in centres if c.id == form.centre.data)
        try:
            room = services.create_room(target, current_user, code=form.code.data, name=form.name.data,
                                        kind=RoomKind(form.kind.data), now=now())
        except services.RoomRefused as exc:
            db.session.rollback()
            form.code.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Room %(code)s added; now add its seats.", code=room.code), "success")
            return redirect(url_for("centres.room", room_id=room.id))
    listed = services.centre_rooms(centre) if centre else []
    return render_template("centres/rooms/list.html", centre=centre, centres=centres, rooms=listed,
                           form=form, room_kind_label=room_kind_label)


@bp.get("/rooms/<int:room_id>")
@requires(CENTRE_MANAGE)
def room(room_id: int):
    """A room's seats: add a range, rename a workstation, take a seat out of use."""
    room = room_or_404(room_id)
    last = len(room.seats)
    seats_form = SeatsForm(formdata=None, first=last + 1, last=last + 30)
    seat_forms = [(seat, SeatForm(formdata=None, prefix=f"seat-{seat.id}", obj=seat)) for seat in room.seats]
    return render_template("centres/rooms/room.html", room=room, seats_form=seats_form,
                           seat_forms=seat_forms, room_kind_label=room_kind_label)


@bp.post("/rooms/<int:room_id>/seats")
@requires(CENTRE_MANAGE)
def add_seats(room_id: int):
    """Add seats by a label pattern."""
    room = room_or_404(room_id)
    form = SeatsForm()
    if not form.validate_on_submit():
        flash(_("Check the label prefix and the numbers."), "error")
        return redirect(url_for("centres.room", room_id=room.id))
    try:
        added = services.add_seats(room, current_user, prefix=form.prefix.data or "",
                                   first=form.first.data, last=form.last.data,
                                   workstation_prefix=form.workstation_prefix.data or None)
    except services.RoomRefused as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("%(n)d seats added.", n=len(added)), "success")
    return redirect(url_for("centres.room", room_id=room.id))


@bp.post("/seats/<int:seat_id>")
@requires(CENTRE_MANAGE)
def edit_seat(seat_id: int):
    """Change a seat's workstation label or whether it is in use (seats are never deleted)."""
    seat = db.session.get(Seat, seat_id)
    if seat is None:
        abort(404)
    room = room_or_404(seat.room_id)
    form = SeatForm(prefix=f"seat-{seat.id}")
    if not form.validate_on_submit():
        flash(_("Check the workstation label."), "error")
    elif services.update_seat(seat, current_user, workstation=form.workstation.data,
                              in_use=form.in_use.data):
        db.session.commit()
        flash(_("Seat %(label)s saved.", label=seat.label), "success")
    return redirect(url_for("centres.room", room_id=room.id) + f"#seat-{seat.id}")
