"""Authorization-matrix plug-in for the compliance pages.

The foreign enterprise's region (Jin'an of Lu'an, or Wujiang of Suzhou), its city and the enterprise
itself lie outside every home grant: the Wuxi regulator and the enterprise admin get 404, exactly as for
a region or enterprise that does not exist; roles without the compliance permission get 403. The
landing page sends a regulator or an admin on to their own region or enterprise.
"""

from certificates.permissions import COMPLIANCE_VIEW

#: The city above each foreign district.
CITIES = {"341502": "341500", "320509": "320500"}


def cases(world):
    """Requests per compliance page."""
    place, foreign = world["place"].region, world["foreign"].id
    employment = world["person_b"].employments[0].id
    return {
        "compliance.index": [("GET", "/compliance/", None, ("landing", COMPLIANCE_VIEW))],
        "compliance.region": [("GET", f"/compliance/region/{place}", None, "object"),
                              ("GET", f"/compliance/region/{CITIES[place]}?industry=non_coal_mining", None,
                               "object"),
                              ("GET", "/compliance/region/999999", None, "object")],
        "compliance.enterprise": [("GET", f"/compliance/enterprise/{foreign}", None, "object"),
                                  ("GET", f"/compliance/enterprise/{foreign}?show=not_certified"
                                          "&as_of=2026-01-01", None, "object")],
        "compliance.export": [("GET", f"/compliance/export?region={place}&format=csv", None, "object"),
                              ("GET", f"/compliance/export?region={CITIES[place]}&format=pdf", None,
                               "object"),
                              ("GET", f"/compliance/export?org={foreign}&format=xlsx", None, "object")],
        "compliance_api.compliance": [("GET", f"/api/v1/compliance?region={place}", None, "api")],
        "compliance_api.openapi": [("GET", "/api/v1/openapi.json", None, "open")],
        "compliance.assign_training": [("POST", f"/compliance/enterprise/{foreign}/assign-training",
                                        {"employment": employment, "course": 1}, "object")],
        "compliance.register_exam": [("POST", f"/compliance/enterprise/{foreign}/register-exam",
                                      {"employment": employment, "session": 1, "health_commitment": "y"},
                                      "object")],
    }
