"""Authorization-matrix plug-in for registration from a spreadsheet: a foreign session's template and
upload page, and staged imports that belong to other uploaders."""

from datetime import UTC, datetime

from exams.centres.models import ExamSession, RegistrationImport, SessionKind, SessionStatus
from lms.extensions import db
from lms.models import OrgKind, Post
from lms.roles import Role

SECRETS = ["六安秘密报名场次", "秘密报名名单.xlsx", "秘密报名考生"]


def _staged(session: ExamSession, uploader) -> RegistrationImport:
    staged = RegistrationImport(session_id=session.id, uploaded_by_id=uploader.id, filename=SECRETS[1],
                                valid_rows=[{"row": 2, "person_id": 1, "employment_id": 1,
                                             "organization_id": 1, "name": SECRETS[2],
                                             "masked_id": "341502********0001", "health": True,
                                             "education": None, "checks": []}],
                                errors=[{"row": 3, "name": SECRETS[2], "masked_id": "",
                                         "reasons": ["x"], "checks": []}])
    db.session.add(staged)
    return staged


def extend_world(world, make):
    """A published session of a Lu'an centre (outside every home grant's province, so no home role
    sees it) with an import staged by its admin; and an import the foreign enterprise's admin staged
    for the foreign centre's session (a session home roles may see where it lies in their province,
    but an import that is not theirs)."""
    centre = make.org("六安报名考点", region_code="341502", kind=OrgKind.EXAM_CENTRE, industry=None)
    admin = make.account("la_bulk_admin", Role.EXAM_CENTRE_ADMIN, org=centre)
    session = ExamSession(
        centre=centre, code="LA-BULK-1", title=SECRETS[0], kind=SessionKind.SPECIAL_OPS_THEORY,
        post=Post.SPECIAL_OPERATIONS.value, operation_subtype="1.2",
        starts_at=datetime(2030, 12, 15, 1, tzinfo=UTC), ends_at=datetime(2030, 12, 15, 3, tzinfo=UTC),
        registration_closes_at=datetime(2030, 12, 8, tzinfo=UTC), capacity=10, access_code="654321",
        status=SessionStatus.PUBLISHED, seed=2, created_by_id=admin.id)
    db.session.add(session)
    db.session.flush()
    world["centres_bulk"] = {"session": session, "staged": _staged(session, admin),
                             "foreign_staged": _staged(world["centres"]["session"], world["b_admin"])}
    db.session.flush()
    world["secrets"].extend(SECRETS)


def cases(world):
    """Requests per endpoint of exams/centres/routes/bulk.py."""
    x = world["centres_bulk"]
    s = x["session"].id
    mine, theirs = x["staged"].id, x["foreign_staged"].id
    return {
        "centres.bulk_template": [("GET", f"/centre/sessions/{s}/registrations/template.xlsx", None,
                                   "object")],
        "centres.bulk_upload": [("GET", f"/centre/sessions/{s}/registrations/import", None, "object"),
                                ("POST", f"/centre/sessions/{s}/registrations/import", {}, "object")],
        "centres.bulk_review": [("GET", f"/centre/registration-imports/{i}", None, "object")
                                for i in (mine, theirs)],
        "centres.bulk_confirm": [("POST", f"/centre/registration-imports/{i}/confirm", {}, "object")
                                 for i in (mine, theirs)],
        "centres.bulk_cancel": [("POST", f"/centre/registration-imports/{i}/cancel", {}, "object")
                                for i in (mine, theirs)],
    }
