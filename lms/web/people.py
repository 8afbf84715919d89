"""A person's page, showing only the employments inside the viewer's scope."""

from flask import abort, render_template
from flask_login import current_user

from lms.authz import can_access_org, requires
from lms.clock import today
from lms.extensions import db
from lms.models import Person
from lms.roles import Perm
from lms.web import bp


@bp.get("/people/<int:person_id>")
@requires(Perm.PEOPLE_VIEW)
def person(person_id: int):
    found = db.session.get(Person, person_id)
    visible = [e for e in (found.employments if found else [])
               if can_access_org(current_user, Perm.PEOPLE_VIEW, e.organization)]
    if not visible:
        abort(404)
    editable = {e.id for e in visible if can_access_org(current_user, Perm.ROSTER_IMPORT, e.organization)}
    return render_template("web/person.html", person=found, employments=visible, editable=editable,
                           today=today())
