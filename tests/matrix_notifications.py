"""Authorization-matrix plug-in for the in-app notifications (lms.notifications) and the account's
e-mail address: a foreign account's notification, carrying the foreign enterprise's name, is
neither shown nor marked read by anyone else, and answers 404 like a missing one."""

from lms.extensions import db
from lms.i18n import _l


def extend_world(world, make):
    from lms.notifications import notify

    world["foreign_note"] = notify(world["b_admin"], _l("Notice about %(name)s"),
                                   name=world["secrets"][0])
    db.session.commit()


def cases(world):
    """Requests per notification endpoint."""
    note = world["foreign_note"].id
    return {
        "notifications.index": [("GET", "/notifications/", None, "open")],
        "notifications.read": [("POST", f"/notifications/{note}/read", {}, "object")],
        "notifications.read_all": [("POST", "/notifications/read-all", {}, "open")],
        "auth.change_email": [("POST", "/account/security/email", {"email": "me@example.org"}, "open")],
    }


def assert_unchanged(world):
    from lms.notifications import Notification

    assert db.session.get(Notification, world["foreign_note"].id).read_at is None
