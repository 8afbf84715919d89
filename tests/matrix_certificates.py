"""Authorization-matrix plug-in for the certificate pages.

The foreign enterprise's worker holds an issued certificate and has a pass waiting for one. No home
role may see, download, issue or change either: officers of Wuxi and enterprise admins get 404 (the
records lie outside their region or enterprise), roles without the permission 403, and the pages
any signed-in account may open (the holder's own) answer 404 for someone else's certificate.
"""

from datetime import date

from sqlalchemy import select

from certificates.models import Certificate, CertificateStatus, CertificateType
from certificates.permissions import EMPLOYER_VIEW, ISSUE
from lms.extensions import db
from lms.models import Employment


def extend_world(world, make):
    """An issued certificate and a pending one of the foreign enterprise's worker."""
    person = world["person_b"]
    job = db.session.scalar(select(Employment).where(Employment.person_id == person.id))
    issued = Certificate(cert_type=CertificateType.SPECIAL_OPS, status=CertificateStatus.ISSUED,
                         number="T" + person.id_number, person_id=person.id, employment_id=job.id,
                         post=job.post.value, operation_category="6", operation_subtype="6.8",
                         pass_key="matrix:issued", issued_on=date(2024, 1, 2), expires_on=date(2030, 1, 1),
                         issuing_authority=f"{world['place'].prefix}秘密发证机关")
    pending = Certificate(cert_type=CertificateType.SPECIAL_OPS, status=CertificateStatus.PENDING,
                          person_id=person.id, employment_id=job.id, post=job.post.value,
                          operation_category="6", operation_subtype="6.9", pass_key="matrix:pending",
                          passed_on=date(2026, 1, 5), theory_score=91.0, practical_score=88.0)
    db.session.add_all([issued, pending])
    db.session.flush()
    world["certificates"] = {"issued": issued, "pending": pending}
    world["secrets"].append(f"{world['place'].prefix}秘密发证机关")


def cases(world):
    """Requests per certificate endpoint."""
    c = world["certificates"]
    pending = c["pending"].id
    base = f"/certificates/{c['issued'].id}"

    def reason(action):
        return {f"{action}-reason": "x"}

    return {
        "certificates.pending": [("GET", "/certificates/pending", None, ISSUE)],
        "certificates.issue": [("POST", "/certificates/issue", {"certificate": pending}, "object")],
        "certificates.detail": [("GET", base, None, "object"),
                                ("GET", f"/certificates/{pending}", None, "object")],
        "certificates.pdf": [("GET", f"{base}/pdf", None, "object")],
        "certificates.revoke": [("POST", f"{base}/revoke", {"revoke-ground": "accident", **reason("revoke")},
                                 "object")],
        "certificates.suspend": [("POST", f"{base}/suspend", reason("suspend"), "object")],
        "certificates.reinstate": [("POST", f"{base}/reinstate", reason("reinstate"), "object")],
        "certificates.cancel": [("POST", f"{base}/cancel", reason("cancel"), "object")],
        "certificates.review": [("POST", f"{base}/review", {"review-exam_score": "90"}, "object")],
        "certificates.extend": [("POST", f"{base}/extend", {}, "object")],
        "certificates.replace": [("POST", f"{base}/replace", {}, "object")],
        "certificates.reissue": [("POST", f"{base}/reissue", reason("reissue"), "object")],
        "certificates.print_run": [("GET", "/certificates/print", None, ISSUE),
                                   ("GET", f"/certificates/print?enterprise={world['foreign'].id}", None,
                                    ISSUE)],
        "certificates.mine": [("GET", "/certificates/mine", None, "open")],
        "certificates.employees": [("GET", "/certificates/employees", None, EMPLOYER_VIEW)],
    }


def assert_unchanged(world):
    """Neither foreign certificate changed: still issued (no review, extension or reissue) and pending."""
    c = world["certificates"]
    issued = db.session.get(Certificate, c["issued"].id)
    assert (issued.status, issued.reissue_count, issued.expires_on, issued.pdf_sha256) == (
        CertificateStatus.ISSUED, 0, date(2030, 1, 1), None)
    assert db.session.get(Certificate, c["pending"].id).status is CertificateStatus.PENDING
    assert db.session.scalar(select(Certificate.id).where(Certificate.replaces_id == issued.id)) is None
