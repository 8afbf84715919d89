"""The QR payload: Ed25519-signed, tamper-evident field by field, verifiable offline after key
rotation, by the CLI with exit codes, and with no database at all."""

import base64
import os
import re
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certificates import signing
from certificates.cli import certificates_group
from certificates.models import CertificateType

from support import ROOT


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def parts(payload: str) -> tuple[list[str], str]:
    body, signature = signing.extract_token(payload).split(".")
    return unb64(body).decode().split("|"), signature


def reassemble(fields: list[str], signature: str) -> str:
    return f"{b64('|'.join(fields).encode())}.{signature}"


def reason(payload: str, keys=None) -> str:
    with pytest.raises(signing.BadPayload) as bad:
        signing.verify_payload(payload, keys)
    return bad.value.reason


@pytest.fixture
def cert(make_cert):
    return make_cert()


def test_payload_carries_the_facts_and_opens_the_verification_page(cert, holder):
    payload = signing.sign_payload(cert)
    assert re.match(rf"https?://[^/]+/verify/{cert.number}\?t=", payload)
    facts = signing.verify_payload(payload)
    assert (facts.number, facts.name, facts.masked_id) == (cert.number, "王小明", holder.masked_id)
    assert (facts.cert_type, facts.operation_subtype) == (CertificateType.SPECIAL_OPS, "2.1")
    assert (facts.issued_on, facts.expires_on) == (date(2025, 1, 10), date(2031, 1, 9))
    assert facts.key_id == signing.current_key_id()
    # The bare token verifies as well as the URL, and the same record signs to the same text.
    assert signing.verify_payload(signing.extract_token(payload)) == facts
    assert signing.sign_payload(cert) == payload
    assert set(signing.extract_token(payload)) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")


def test_a_configured_public_address_goes_into_the_code(app, cert):
    app.config["CERTIFICATE_VERIFY_URL"] = "https://cert.example.gov.cn/verify/"
    try:
        assert signing.sign_payload(cert).startswith(f"https://cert.example.gov.cn/verify/{cert.number}?t=")
    finally:
        del app.config["CERTIFICATE_VERIFY_URL"]


@pytest.mark.parametrize("index,value", [
    (1, "00000000"), (2, "T320213199001011234"), (3, "王小民"), (4, "320213********9999"), (5, "A"),
    (6, "2.2"), (7, "20250111"), (8, "20351231"),
])
def test_each_altered_field_breaks_the_signature(cert, index, value):
    fields, signature = parts(signing.sign_payload(cert))
    assert fields[index] != value
    fields[index] = value
    expected = "unknown_key" if index == 1 else "signature"
    assert reason(reassemble(fields, signature)) == expected


def test_a_signature_moved_from_another_certificate_is_refused(cert, make_cert):
    other = make_cert(subtype="2.2")
    fields, _signature = parts(signing.sign_payload(cert))
    _other_fields, other_signature = parts(signing.sign_payload(other))
    assert reason(reassemble(fields, other_signature)) == "signature"


def test_a_payload_re_signed_with_a_foreign_key_is_refused(cert):
    fields, _signature = parts(signing.sign_payload(cert))
    forger = Ed25519PrivateKey.generate()
    fields[3] = "李四"
    # Under the forger's own key id: not a key of the issuing authority.
    own = list(fields)
    own[1] = signing.key_id(forger.public_key())
    assert reason(signing.sign_fields(own, forger)) == "unknown_key"
    # Claiming the authority's key id: the signature does not match that key.
    assert reason(signing.sign_fields(fields, forger)) == "signature"


@pytest.mark.parametrize("mangle,expected", [
    (lambda t: t[:-10], "truncated"),
    (lambda t: t.split(".")[0], "truncated"),
    (lambda t: t.split(".")[0] + ".", "truncated"),
    (lambda t: t[: len(t.split(".")[0]) // 2], "truncated"),
    (lambda t: t[: len(t.split(".")[0]) // 2 + 1], "truncated"),
    (lambda t: t[: len(t.split(".")[0]) // 2 + 2], "truncated"),
    (lambda t: t[: len(t.split(".")[0]) + 20], "truncated"),
    (lambda t: t[: len(t.split(".")[0]) + 21], "truncated"),
    (lambda t: "garbage", "format"),
    (lambda t: "hello world", "format"),
    (lambda t: t + ".AAAA", "format"),
    (lambda t: t.replace(".", ".!"), "format"),
    (lambda t: "", "format"),
    (lambda t: "https://example.org/verify/T1", "format"),
])
def test_truncated_and_malformed_payloads_say_so(cert, mangle, expected):
    token = signing.extract_token(signing.sign_payload(cert))
    assert reason(mangle(token)) == expected


def test_an_unknown_format_version_is_named(cert):
    fields, signature = parts(signing.sign_payload(cert))
    fields[0] = "2"
    assert reason(reassemble(fields, signature)) == "version"


def test_old_keys_keep_verifying_after_rotation(app, cert):
    before = signing.sign_payload(cert)
    old = signing.current_key_id()
    new = signing.rotate()
    assert new != old and signing.current_key_id() == new
    after = signing.sign_payload(cert)
    assert after != before
    assert signing.verify_payload(before).key_id == old
    assert signing.verify_payload(after).key_id == new
    # A stored key id signs exactly as at issue, so an issued PDF re-renders to the same bytes.
    assert signing.sign_payload(cert, kid=old) == before
    folder = Path(app.instance_path) / "certificate-keys"
    for pem in folder.glob("*.pem"):
        assert stat.S_IMODE(pem.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) & 0o077 == 0


def test_exported_public_keys_alone_verify(tmp_path, cert):
    payload = signing.sign_payload(cert)
    exported = signing.public_keys_pem(signing.public_keys())
    assert "PRIVATE" not in exported
    assert signing.verify_payload(payload, signing.load_public_keys(exported)).number == cert.number
    stranger = Ed25519PrivateKey.generate().public_key()
    assert reason(payload, {signing.key_id(stranger): stranger}) == "unknown_key"


def test_cli_verifies_rotates_and_exports(app, runner, tmp_path, cert):
    payload = signing.sign_payload(cert)
    ok = runner.invoke(args=["certificates", "verify-qr", payload])
    assert ok.exit_code == 0, ok.output
    assert "VALID" in ok.output and cert.number in ok.output and "王小明" in ok.output
    tampered = payload.replace(payload[-5:], "AAAAA" if payload[-5:] != "AAAAA" else "BBBBB")
    bad = runner.invoke(args=["certificates", "verify-qr", tampered])
    assert bad.exit_code == 1 and "INVALID" in bad.output
    rotated = runner.invoke(args=["certificates", "rotate-key"])
    assert rotated.exit_code == 0 and signing.current_key_id() in rotated.output
    out = tmp_path / "keys.pem"
    exported = runner.invoke(args=["certificates", "export-public-keys", str(out)])
    assert exported.exit_code == 0 and f"{len(signing.public_keys())} public key(s)" in exported.output
    # Plain click, no app: the exported file is all an inspector's laptop has.
    plain = CliRunner().invoke(certificates_group, ["verify-qr", "--public-key", str(out), payload])
    assert plain.exit_code == 0, plain.output
    assert CliRunner().invoke(certificates_group, ["verify-qr", "--public-key", str(out),
                                                   tampered]).exit_code == 1


def test_cli_works_without_a_database_or_network(app, tmp_path, cert):
    """A fresh process with no database URL and an instance folder holding only the keys."""
    payload = signing.sign_payload(cert)
    keys = tmp_path / "keys.pem"
    keys.write_text(signing.public_keys_pem(signing.public_keys()))
    instance = tmp_path / "inspector"
    (instance / "certificate-keys").mkdir(parents=True)
    for pem in (Path(app.instance_path) / "certificate-keys").glob("*.pem"):
        (instance / "certificate-keys" / pem.name).write_bytes(pem.read_bytes())
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update(LMS_INSTANCE_PATH=str(instance), LMS_SECRET_KEY="inspector", PYTHONPATH=str(ROOT))
    lms = [sys.executable, "-c", "from lms.cli import main; main()"]

    def run(*args):
        return subprocess.run([*lms, "certificates", "verify-qr", *args], env=env, capture_output=True,
                              text=True, timeout=120, cwd=tmp_path)

    good = run(payload)
    assert good.returncode == 0, good.stderr
    assert cert.number in good.stdout
    fields, signature = parts(payload)
    fields[3] = "李四"
    forged = run(reassemble(fields, signature))
    assert forged.returncode == 1 and "signature" in forged.stderr
    empty = tmp_path / "empty"
    env["LMS_INSTANCE_PATH"] = str(empty)
    assert run("--public-key", str(keys), payload).returncode == 0
    assert not (empty / "lms.db").exists()
