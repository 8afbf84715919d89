"""Counts behind the core's dashboard tiles."""

from flask import url_for
from sqlalchemy import func, select

from lms.authz import org_scope_clause
from lms.extensions import db
from lms.models import ImportStatus, Organization, RosterImport
from lms.roles import Perm


def organizations_in_scope(account) -> int:
    """Organizations the account may look at."""
    return db.session.scalar(select(func.count()).select_from(Organization)
                             .where(org_scope_clause(account, Perm.ORG_VIEW)))


def _my_pending_uploads(account):
    return select(RosterImport).where(RosterImport.uploaded_by_id == account.id,
                                      RosterImport.status == ImportStatus.PENDING)


def pending_roster_uploads(account) -> int:
    """The account's own roster uploads that were checked but neither imported nor discarded."""
    return db.session.scalar(select(func.count()).select_from(_my_pending_uploads(account).subquery()))


def roster_review_url(account) -> str:
    """The newest pending upload's review page, else the upload form."""
    newest = db.session.scalar(_my_pending_uploads(account).order_by(RosterImport.uploaded_at.desc(),
                                                                     RosterImport.id.desc()).limit(1))
    if newest is None:
        return url_for("roster.upload")
    return url_for("roster.review", import_id=newest.id)
