"""Notice every change to the records the compliance figures come from (employments,
certificates and their events, assessment results, enterprises) in whatever code makes it, and
bring the figures up to date in the same transaction just before it commits.

Hooking the session rather than each service means a new write path cannot forget the figures:
objects added or changed through the ORM are seen at flush, and UPDATE/DELETE statements (the
conditional state changes) are seen before they run by selecting the rows they will touch.
"""

from sqlalchemy import event, inspect, select, true
from sqlalchemy.orm import Session

from certificates.models import Certificate, CertificateEvent
from exams.assessments.models import AssessmentAssignment
from lms.clock import today
from lms.models import Employment, Organization

_PEOPLE = "compliance.people"
_ORGS = "compliance.orgs"
#: Entities whose rows name the person whose figures they change.
_BY_PERSON = (Employment, Certificate, AssessmentAssignment)


def _pending(session: Session, key: str) -> set:
    return session.info.setdefault(key, set())


def _places(session: Session) -> dict:
    """Enterprise id -> (region_id, industry, is_high_risk) the kept counts were summed under."""
    return session.info.setdefault(_ORGS, {})


def _note_places(session: Session, where) -> None:
    """Remember where the selected enterprises stand in the database, before a change is written
    (the first time in a transaction: that is where the kept counts have them)."""
    for row in session.execute(select(Organization.id, Organization.region_id, Organization.industry,
                                      Organization.is_high_risk).where(where),
                               execution_options={"autoflush": False}):
        _places(session).setdefault(row.id, (row.region_id, row.industry, row.is_high_risk))


def _before_flush(session: Session, _context, _instances) -> None:
    moved = [obj.id for obj in session.dirty
             if isinstance(obj, Organization) and obj.id is not None and _placed_anew(obj)]
    if moved:
        _note_places(session, Organization.id.in_(moved))


def _note_object(session: Session, obj) -> None:
    if isinstance(obj, _BY_PERSON):
        if obj.person_id is not None:
            _pending(session, _PEOPLE).add(obj.person_id)
    elif isinstance(obj, CertificateEvent):
        cert = session.get(Certificate, obj.certificate_id) if obj.certificate_id else None
        if cert is not None:
            _pending(session, _PEOPLE).add(cert.person_id)


def _placed_anew(org: Organization) -> bool:
    """True when what the counts are keyed by (region, industry, high-risk flag) changed."""
    attrs = inspect(org).attrs
    return any(getattr(attrs, name).history.has_changes()
               for name in ("region", "region_id", "industry", "is_high_risk"))


def _after_flush(session: Session, _context) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        _note_object(session, obj)


def _before_statement(state) -> None:
    """An UPDATE or DELETE of a watched table: note the people of the rows it will touch."""
    if not (state.is_update or state.is_delete) or state.bind_mapper is None:
        return
    entity = state.bind_mapper.class_
    where = state.statement.whereclause
    if entity is Organization:
        _note_places(state.session, where if where is not None else true())
        return
    if entity not in _BY_PERSON:
        return
    query = select(entity.person_id)
    if where is not None:
        query = query.where(where)
    found = state.session.execute(query, execution_options={"autoflush": False}).scalars()
    _pending(state.session, _PEOPLE).update(found)


def _before_commit(session: Session) -> None:
    # Commit flushes only after this hook: flush first so that objects added or changed since the
    # last flush are noted now, not at the next commit.
    session.flush()
    if not session.info.get(_PEOPLE) and not session.info.get(_ORGS):
        return
    from certificates.compliance.summaries import refresh_organization, refresh_people

    day = today()
    places = session.info.pop(_ORGS, {})
    for org_id in sorted(places):
        refresh_organization(org_id, day, places[org_id])
    people = session.info.pop(_PEOPLE, set())
    if people:
        refresh_people(people, day)
    session.flush()


def _forget(session: Session, *_args) -> None:
    session.info.pop(_PEOPLE, None)
    session.info.pop(_ORGS, None)


def install(session_class) -> None:
    """Listen on the application's session (once per process)."""
    if event.contains(session_class, "before_commit", _before_commit):
        return
    event.listen(session_class, "before_flush", _before_flush)
    event.listen(session_class, "after_flush", _after_flush)
    event.listen(session_class, "do_orm_execute", _before_statement)
    event.listen(session_class, "before_commit", _before_commit)
    event.listen(session_class, "after_soft_rollback", _forget)
