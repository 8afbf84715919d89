"""Public verification: every standing on the page and in JSON, masked names, the full record only
with the QR token or the holder's name, unknown numbers, pasted QR codes, audit and rate limits."""

import json
from datetime import date

import pytest
from sqlalchemy import select

from certificates import signing
from certificates.models import CertificateStatus, CertificateType
from certificates.verify import mask_name
from lms.extensions import db
from lms.models import AuditEvent

#: (status, issued, expires, next review) and the standing on TODAY (2026-03-02).
STANDINGS = {
    "valid": (CertificateStatus.ISSUED, date(2025, 1, 10), date(2031, 1, 9), date(2028, 1, 10)),
    "review_due": (CertificateStatus.ISSUED, date(2023, 3, 20), date(2029, 3, 19), date(2026, 3, 20)),
    "review_overdue": (CertificateStatus.ISSUED, date(2022, 12, 1), date(2028, 11, 30), date(2025, 12, 1)),
    "expired": (CertificateStatus.ISSUED, date(2019, 1, 10), date(2025, 1, 9), None),
    "suspended": (CertificateStatus.SUSPENDED, date(2025, 1, 10), date(2031, 1, 9), date(2028, 1, 10)),
    "revoked": (CertificateStatus.REVOKED, date(2025, 1, 10), date(2031, 1, 9), date(2028, 1, 10)),
    "cancelled": (CertificateStatus.CANCELLED, date(2025, 1, 10), date(2031, 1, 9), date(2028, 1, 10)),
}
ZH = {"Accept-Language": "zh-CN"}
EN = {"Accept-Language": "en"}


def main(response) -> str:
    html = response.get_data(as_text=True)
    return html.split('<main id="main">')[1].split("</main>")[0]


def audits(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


@pytest.mark.parametrize("expected", list(STANDINGS))
def test_page_and_json_show_each_standing_with_a_masked_name(client, on_day, make_cert, expected):
    status, issued, expires, review = STANDINGS[expected]
    cert = make_cert(status=status, issued_on=issued, expires_on=expires, next_review_on=review)
    page = client.get(f"/verify/{cert.number}", headers=EN)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'data-status="{expected}"' in html
    assert "王*明" in html and "王小明" not in html
    assert "2.1" in html and str(expires) in html
    api = client.get(f"/api/v1/certificates/{cert.number}")
    assert api.status_code == 200
    body = api.get_json()
    assert body["number"] == cert.number and len(body["certificates"]) == 1
    item = body["certificates"][0]
    assert (item["status"], item["holder"], item["operation_subtype"]) == (expected, "王*明", "2.1")
    assert item["expires_on"] == expires.isoformat()
    assert "王小明" not in api.get_data(as_text=True)


def test_the_chinese_page_reads_chinese(client, on_day, make_cert):
    cert = make_cert()
    html = client.get(f"/verify/{cert.number}", headers=ZH).get_data(as_text=True)
    assert "王*明" in html


@pytest.mark.parametrize("name,masked", [("王小明", "王*明"), ("欧阳小明", "欧**明"), ("王明", "王*"),
                                         ("王", "*"), (" 李四 ", "李*")])
def test_masked_names(name, masked):
    assert mask_name(name) == masked


def test_every_operation_under_one_number_is_listed(client, on_day, make_cert):
    make_cert(subtype="2.1")
    make_cert(subtype="2.2", status=CertificateStatus.REVOKED)
    cert = make_cert(subtype="1.2")
    html = client.get(f"/verify/{cert.number}", headers=EN).get_data(as_text=True)
    for subtype in ("1.2", "2.1", "2.2"):
        assert subtype in html
    assert html.count('data-status="valid"') == 2 and html.count('data-status="revoked"') == 1
    statuses = {c["operation_subtype"]: c["status"]
                for c in client.get(f"/api/v1/certificates/{cert.number}").get_json()["certificates"]}
    assert statuses == {"1.2": "valid", "2.1": "valid", "2.2": "revoked"}


def test_pending_certificates_and_unknown_numbers_are_404_alike(client, on_day, make_cert, app):
    pending = make_cert(status=CertificateStatus.PENDING, number="T320213000000000001")
    first = client.get(f"/verify/{pending.number}")
    second = client.get("/verify/T999999999999999999")
    assert first.status_code == second.status_code == 404
    # The same page whatever the number (the layout's language switch names the current path).
    assert main(first) == main(second) and "T999999999999999999" not in main(second)
    assert client.get("/api/v1/certificates/NOPE").status_code == 404
    assert client.get("/api/v1/certificates/NOPE").get_json()["error"]["code"] == "not_found"
    events = audits("certificates.verify_unknown")
    assert len(events) == 4
    logged = json.dumps([e.details for e in events], ensure_ascii=False)
    assert "T999999999999999999" not in logged and pending.number not in logged
    assert {e.details["channel"] for e in events} == {"page", "api"}
    assert len({e.details["number_digest"] for e in events}) == 3


def test_full_record_with_the_qr_token(client, on_day, make_cert):
    cert = make_cert()
    token = signing.extract_token(signing.sign_payload(cert))
    html = client.get(f"/verify/{cert.number}?t={token}", headers=EN).get_data(as_text=True)
    assert "王小明" in html and 'id="qr-result"' in html and "flash success" in html
    photo = client.get(html.split('class="verify-photo" src="')[1].split('"')[0])
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert photo.headers["Cache-Control"] == "private, no-store"
    assert client.get(f"/verify/{cert.number}/photo/forged").status_code == 404


def test_a_tampered_token_shows_no_record_and_is_audited(client, on_day, make_cert):
    cert = make_cert()
    token = signing.extract_token(signing.sign_payload(cert))
    body, signature = token.split(".")
    forged = f"{body}.{signature[:-4]}{'BBBB' if signature.endswith('AAAA') else 'AAAA'}"
    html = client.get(f"/verify/{cert.number}?t={forged}", headers=EN).get_data(as_text=True)
    assert "王小明" not in html and "王*明" in html and "flash error" in html
    other = make_cert(subtype="2.2", number="T-OTHER-NUMBER")
    elsewhere = signing.extract_token(signing.sign_payload(other))
    html = client.get(f"/verify/{cert.number}?t={elsewhere}", headers=EN).get_data(as_text=True)
    assert "王小明" not in html and "another certificate number" in html
    events = audits("certificates.verify_bad_qr")
    assert [e.details["qr_problem"] for e in events] == ["signature", "other_number"]
    assert cert.number not in json.dumps([e.details for e in events])


def test_full_record_with_the_holder_name_only(client, on_day, make_cert):
    cert = make_cert()
    wrong = client.post(f"/verify/{cert.number}", data={"name": "王小名"}, headers=EN)
    assert wrong.status_code == 200
    html = wrong.get_data(as_text=True)
    assert "王小明" not in html and "does not match" in html
    assert len(audits("certificates.verify_wrong_name")) == 1
    right = client.post(f"/verify/{cert.number}", data={"name": " 王小明 "}, headers=EN)
    assert "王小明" in right.get_data(as_text=True) and "verify-photo" in right.get_data(as_text=True)


def test_a_pasted_payload_is_checked_against_the_registry(client, on_day, make_cert):
    cert = make_cert()
    payload = signing.sign_payload(cert)
    good = client.post("/verify/scan", data={"payload": payload}, headers=EN).get_data(as_text=True)
    assert "registry agrees" in good and "王小明" in good
    # Revoked after the code was printed: the signature is still genuine, the registry says no.
    cert.status = CertificateStatus.REVOKED
    db.session.commit()
    revoked = client.post("/verify/scan", data={"payload": payload}, headers=EN).get_data(as_text=True)
    assert "no longer stands" in revoked and 'data-status="revoked"' in revoked
    # Extended since: the registry's newer dates are named.
    cert.status, cert.expires_on = CertificateStatus.ISSUED, date(2032, 1, 9)
    db.session.commit()
    moved = client.post("/verify/scan", data={"payload": payload}, headers=EN).get_data(as_text=True)
    assert "registry has changed" in moved and "2032-01-09" in moved
    fields = signing.extract_token(payload)
    tampered = client.post("/verify/scan", data={"payload": fields[:-3] + ("AAA" if not fields.endswith("AAA")
                                                                           else "BBB")}, headers=EN)
    assert "not a genuine certificate code" in tampered.get_data(as_text=True)
    garbage = client.post("/verify/scan", data={"payload": "hello"}, headers=EN).get_data(as_text=True)
    assert "not a certificate QR code" in garbage
    assert [e.details["qr_problem"] for e in audits("certificates.verify_bad_qr")] == ["signature", "format"]


def test_qualification_certificate_has_no_operation(client, on_day, make_cert):
    cert = make_cert(cert_type=CertificateType.SAFETY_QUALIFICATION, number="AQ-2025-000001",
                     expires_on=date(2028, 1, 9))
    item = client.get(f"/api/v1/certificates/{cert.number}").get_json()["certificates"][0]
    assert (item["type"], item["operation_subtype"], item["next_review_on"], item["status"]) == (
        "safety_qualification", None, None, "valid")


def test_guessing_numbers_is_rate_limited(client, on_day, make_cert):
    cert = make_cert()
    codes = [client.get(f"/verify/T{n:018d}").status_code for n in range(30)]
    assert set(codes) == {404}
    assert client.get(f"/verify/{cert.number}").status_code == 429
    api = [client.get(f"/api/v1/certificates/T{n:018d}").status_code for n in range(60)]
    assert set(api) == {404}
    limited = client.get(f"/api/v1/certificates/{cert.number}")
    assert limited.status_code == 429 and limited.get_json()["error"]["code"] == "too_many_requests"
    # Another address is not slowed down.
    other = client.get(f"/verify/{cert.number}", environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert other.status_code == 200
