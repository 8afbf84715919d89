"""Authorization-matrix plug-in for the public certificate verification (certificates.verify).

The pages are public, so the matrix asks what any visitor may ask and checks nothing foreign
leaks: the foreign worker's number is looked up as an unknown one (404, the same for everyone),
a photo link with a forged proof answers 404, and the QR-code check page opens for everyone.
"""


def cases(world):
    """Requests per verification endpoint."""
    unknown = "T000000000000000000"
    return {
        "verify.scan": [("GET", "/verify/scan", None, "open"),
                        ("POST", "/verify/scan", {"payload": "not-a-payload"}, "open")],
        "verify.certificate": [("GET", f"/verify/{unknown}", None, "object")],
        "verify.photo": [("GET", f"/verify/{unknown}/photo/forged", None, "object")],
        "certificates_api.certificate_json": [("GET", f"/api/v1/certificates/{unknown}", None, "object")],
    }
