"""State changes that check and change in one statement, so two concurrent requests cannot both win."""

from collections.abc import Callable
from typing import Any

from flask import flash
from sqlalchemy import update

from lms.auth.forms import EmptyForm
from lms.extensions import db


def change_if(obj, *conditions, **values) -> bool:
    """Apply ``values`` to ``obj``'s row only while ``conditions`` hold; True when this call did it.

    One ``UPDATE ... WHERE id = :id AND <conditions>``: a concurrent caller waits for the row and
    then finds the conditions no longer true, so exactly one of them proceeds. On success the
    object in the session carries the new values; on failure the caller rolls back.
    """
    entity = type(obj)
    result = db.session.execute(update(entity).where(entity.id == obj.id, *conditions).values(**values))
    return result.rowcount == 1


class AlreadyChanged(ValueError):
    """The object left the expected state before this request could move it."""


def change_or_raise(obj, *conditions, **values) -> None:
    """Like :func:`change_if`, raising AlreadyChanged when the conditions no longer hold."""
    if not change_if(obj, *conditions, **values):
        raise AlreadyChanged(f"{type(obj).__name__} {obj.id}")


def commit_once(action: Callable[[], Any], *, already: str | None) -> tuple[bool, Any]:
    """Run a state change posted with a valid form and commit it; (done, what it returned).

    When the change was made already (perhaps by a click running alongside) nothing is written
    and, if ``already`` is given, the user is told that.
    """
    try:
        if not EmptyForm().validate_on_submit():
            raise AlreadyChanged("form")
        result = action()
    except AlreadyChanged:
        db.session.rollback()
        if already:
            flash(str(already), "error")
        return False, None
    db.session.commit()
    return True, result
