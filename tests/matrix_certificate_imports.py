"""Authorization-matrix plug-in for importing existing certificates (certificates/import_routes.py).

The foreign enterprise's admin has a pending upload for the enterprise, and a foreign officer one for
the foreign region. No home role may open, confirm or discard either: officers of Wuxi and enterprise
admins get 404, roles without the import permission 403; an upload aimed at the foreign enterprise
is refused by the form (its choice is not offered) and stages nothing.
"""

from sqlalchemy import func, select

from certificates.imports import IMPORT, CertificateImport
from lms.extensions import db
from lms.models import ImportStatus
from lms.regions import region_by_code
from lms.roles import Role


def extend_world(world, make):
    """A pending upload of the foreign enterprise and one of the foreign region."""
    place, foreign = world["place"], world["foreign"]
    officer = make.account("b_cert_officer", Role.CERTIFICATE_OFFICER, region_code=place.region)
    secret = f"{place.prefix}乙证书持证人"
    row = {"row": 2, "name": secret, "masked_id": "", "number": "T-MATRIX", "cert_type": "special_ops",
           "notes": []}
    by_org = CertificateImport(organization_id=foreign.id, uploaded_by_id=world["b_admin"].id,
                               filename=f"{place.prefix}乙证书台账.xlsx", valid_rows=[row], errors=[])
    by_region = CertificateImport(region_id=region_by_code(place.region).id, uploaded_by_id=officer.id,
                                  filename=f"{place.prefix}乙区域证书.xlsx", valid_rows=[row], errors=[])
    db.session.add_all([by_org, by_region])
    db.session.flush()
    world["certificate_imports"] = [by_org, by_region]
    world["secrets"] += [secret, by_org.filename, by_region.filename]


def cases(world):
    """Requests per import endpoint."""
    org_import, region_import = (s.id for s in world["certificate_imports"])
    base = "/certificates/import"
    return {
        "certificate_imports.upload": [("GET", f"{base}/", None, IMPORT),
                                       ("POST", f"{base}/", {"scope": f"org:{world['foreign'].id}"}, IMPORT)],
        "certificate_imports.template": [("GET", f"{base}/template.xlsx", None, IMPORT)],
        "certificate_imports.review": [("GET", f"{base}/{i}", None, "object")
                                       for i in (org_import, region_import)],
        "certificate_imports.confirm": [("POST", f"{base}/{i}/confirm", {}, "object")
                                        for i in (org_import, region_import)],
        "certificate_imports.cancel": [("POST", f"{base}/{i}/cancel", {}, "object")
                                       for i in (org_import, region_import)],
    }


def assert_unchanged(world):
    """Both foreign uploads still pending, and no upload staged by a home role."""
    for staged in world["certificate_imports"]:
        assert db.session.get(CertificateImport, staged.id).status is ImportStatus.PENDING
    assert db.session.scalar(select(func.count(CertificateImport.id))) == 2
