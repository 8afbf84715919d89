"""The certificate's QR code: an Ed25519-signed, URL-safe payload an inspector checks offline.

The QR code holds the public verification URL with the payload as its ``t`` parameter, so a phone
opens the verification page, while an inspector's app (or ``lms certificates verify-qr``) checks the
signature with nothing but the exported public keys::

    https://host/verify/T320213198003090012?t=<base64url(body)>.<base64url(signature)>

The body is ``1|key id|number|name|masked ID number|type|sub-type|issued|expires`` in UTF-8, dates
as YYYYMMDD. It carries the key id, so keys can be rotated: every key ever made stays in the
instance folder and keeps verifying what it signed. Ed25519 signatures are deterministic, so the
same certificate signed with the same key gives the same payload (and the same PDF bytes).

The holder's ID number is carried masked, as the card prints it (320213********123X): the
inspector compares it by eye with the ID card held out to them. A digest of the ID number would
protect nothing: an ID number is a region code, a birth date, a 3-digit sequence and a check digit,
so a digest is undone by trying the few million candidates. (The special-operations number itself
is "T" + the ID number anyway.)
"""

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app, has_request_context, request

from certificates.models import Certificate, CertificateType

KEY_FOLDER = "certificate-keys"
CURRENT_FILE = "CURRENT"
FORMAT_VERSION = "1"
SEPARATOR = "|"
#: Signed bytes start with this, so a signature made here means nothing anywhere else.
CONTEXT = b"lms-certificate-qr\x00"
SIGNATURE_BYTES = 64
#: Its length in unpadded base64url.
SIGNATURE_CHARS = 86
TYPE_CODES = {CertificateType.SPECIAL_OPS: "T", CertificateType.SAFETY_QUALIFICATION: "A"}
TYPES_BY_CODE = {code: kind for kind, code in TYPE_CODES.items()}
FIELD_COUNT = 9

#: Reason codes of BadPayload, with the English text the CLI prints (pages translate the codes).
REASONS = {
    "format": "not a certificate QR payload",
    "truncated": "the payload is incomplete: it was cut short",
    "version": "unsupported payload version",
    "unknown_key": "signed with a key that is not one of the issuing authority's keys",
    "signature": "the signature does not match the contents: the payload was altered",
}


class BadPayload(ValueError):
    """The payload is not a good certificate QR payload; ``reason`` is a key of REASONS."""

    def __init__(self, reason: str):
        super().__init__(REASONS[reason])
        self.reason = reason


@dataclass(frozen=True)
class VerifiedPayload:
    """What a verified payload says about the certificate."""

    key_id: str
    number: str
    name: str
    masked_id: str
    cert_type: CertificateType
    operation_subtype: str | None
    issued_on: date
    expires_on: date | None


# --- keys ----------------------------------------------------------------------------------------

def key_id(public_key: Ed25519PublicKey) -> str:
    """The key's id: the first 8 hex digits of the SHA-256 of its raw bytes."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:8]


def key_folder(instance_path: str | Path | None = None) -> Path:
    """The instance folder's certificate-keys folder (made private on first use)."""
    folder = Path(instance_path or current_app.instance_path) / KEY_FOLDER
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _write_private(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` with mode 0600 unless it exists; False when it already did."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    try:
        os.link(tmp, path)
        return True
    except FileExistsError:
        return False
    finally:
        tmp.unlink()


def _new_key(folder: Path) -> str:
    """Make a key, store it as ``<key id>.pem`` (0600) and return its id."""
    private = Ed25519PrivateKey.generate()
    kid = key_id(private.public_key())
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    _write_private(folder / f"{kid}.pem", pem)
    return kid


_private_cache: dict[Path, Ed25519PrivateKey] = {}


def _private_key(path: Path) -> Ed25519PrivateKey:
    key = _private_cache.get(path)
    if key is None:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        _private_cache[path] = key
    return key


def current_key_id(instance_path: str | Path | None = None) -> str:
    """The id of the key new payloads are signed with; the first key is made on first use.

    Several workers may ask at once: the pointer to the current key is linked into place, so all
    of them adopt the same first key.
    """
    folder = key_folder(instance_path)
    pointer = folder / CURRENT_FILE
    if not pointer.exists():
        kid = _new_key(folder)
        _write_private(pointer, kid.encode())
    return pointer.read_text().strip()


def rotate(instance_path: str | Path | None = None) -> str:
    """Make a new current key and return its id; the old keys stay to verify what they signed."""
    folder = key_folder(instance_path)
    kid = _new_key(folder)
    tmp = folder / f".{CURRENT_FILE}.{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(kid)
    os.replace(tmp, folder / CURRENT_FILE)
    return kid


def private_key(kid: str, instance_path: str | Path | None = None) -> Ed25519PrivateKey:
    """The stored private key ``kid`` (KeyError when there is none)."""
    path = key_folder(instance_path) / f"{kid}.pem"
    if not path.exists():
        raise KeyError(kid)
    return _private_key(path)


def public_keys(instance_path: str | Path | None = None) -> dict[str, Ed25519PublicKey]:
    """Every public key of the instance folder, old and current, by key id."""
    keys = {}
    for path in sorted(key_folder(instance_path).glob("*.pem")):
        public = _private_key(path).public_key()
        keys[key_id(public)] = public
    return keys


def public_keys_pem(keys: dict[str, Ed25519PublicKey]) -> str:
    """The public keys as one text of PEM blocks, each headed by a comment with its key id."""
    blocks = []
    for kid, public in sorted(keys.items()):
        pem = public.public_bytes(serialization.Encoding.PEM,
                                  serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        blocks.append(f"# certificate QR key {kid}\n{pem}")
    return "".join(blocks)


def load_public_keys(text: str | bytes) -> dict[str, Ed25519PublicKey]:
    """Public keys from a text of one or more PEM blocks (an export); ids are computed, not read."""
    if isinstance(text, bytes):
        text = text.decode()
    keys = {}
    begin = "-----BEGIN PUBLIC KEY-----"
    for chunk in text.split(begin)[1:]:
        pem = begin + chunk.split("-----END PUBLIC KEY-----")[0] + "-----END PUBLIC KEY-----\n"
        public = serialization.load_pem_public_key(pem.encode())
        if not isinstance(public, Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
        keys[key_id(public)] = public
    if not keys:
        raise ValueError("no public key found")
    return keys


# --- payloads ------------------------------------------------------------------------------------

def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    if not text or any(c not in _B64_CHARS for c in text) or len(text) % 4 == 1:
        raise BadPayload("format")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_B64_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _day(value: date | None) -> str:
    return value.strftime("%Y%m%d") if value else ""


def payload_fields(cert: Certificate, kid: str) -> list[str]:
    """The fields the payload of ``cert`` signs, in their order."""
    from lms.idcard import mask_id_number

    fields = [FORMAT_VERSION, kid, cert.number or "", cert.person.name,
              mask_id_number(cert.person.id_number), TYPE_CODES[CertificateType(cert.cert_type)],
              cert.operation_subtype or "", _day(cert.issued_on), _day(cert.expires_on)]
    if any(SEPARATOR in field for field in fields):
        raise ValueError("a certificate field contains the payload separator")
    return fields


def sign_fields(fields: list[str], key: Ed25519PrivateKey) -> str:
    """The payload token of ``fields``: base64url(body) "." base64url(signature)."""
    body = SEPARATOR.join(fields).encode()
    return f"{_b64(body)}.{_b64(key.sign(CONTEXT + body))}"


def verify_url(number: str) -> str:
    """The public verification page of ``number``: under CERTIFICATE_VERIFY_URL when configured
    (deployments set it, so printed codes name the public address and an issued PDF renders to
    the same bytes from any host), else this request's host, else SERVER_NAME, else the path."""
    config = current_app.config
    base = config.get("CERTIFICATE_VERIFY_URL") or ""
    if not base and has_request_context():
        base = request.host_url.rstrip("/") + "/verify/"
    elif not base and config.get("SERVER_NAME"):
        base = f"{config.get('PREFERRED_URL_SCHEME') or 'http'}://{config['SERVER_NAME']}/verify/"
    elif not base:
        base = "/verify/"
    return f"{base.rstrip('/')}/{number}"


def sign_token(cert: Certificate, *, kid: str | None = None) -> str:
    """The signed payload token of ``cert``, with the current key or the stored key ``kid``."""
    kid = kid or current_key_id()
    return sign_fields(payload_fields(cert, kid), private_key(kid))


def sign_payload(cert: Certificate, *, kid: str | None = None) -> str:
    """The QR text of ``cert``: its verification URL carrying the signed payload as ``t``."""
    return f"{verify_url(cert.number or '')}?t={sign_token(cert, kid=kid)}"


def extract_token(text: str) -> str:
    """The payload token inside a scanned text: the ``t`` parameter of a URL, or the text itself."""
    text = text.strip()
    if "?" in text or "://" in text:
        values = parse_qs(urlsplit(text).query).get("t")
        if not values:
            raise BadPayload("format")
        return values[0].strip()
    return text


def verify_payload(text: str, keys: dict[str, Ed25519PublicKey] | None = None) -> VerifiedPayload:
    """Check a scanned QR text (URL or bare token) against ``keys`` (default: the instance
    folder's public keys) and return what it says; raise BadPayload with the reason otherwise."""
    token = extract_token(text)
    parts = token.split(".")
    if len(parts) > 2:
        raise BadPayload("format")
    cut = len(parts) < 2 or not parts[1]
    # A payload cut short may end inside a base64 quantum or a UTF-8 character.
    body = _unb64(parts[0][:len(parts[0]) - (len(parts[0]) % 4 == 1)] if cut else parts[0])
    try:
        fields = body.decode().split(SEPARATOR)
    except UnicodeDecodeError:
        fields = body.decode(errors="ignore").split(SEPARATOR) if cut else [""]
    if fields[0] != FORMAT_VERSION:
        raise BadPayload("version" if fields[0].isdigit() else "format")
    if cut or len(fields) < FIELD_COUNT:
        raise BadPayload("truncated")
    if len(fields) > FIELD_COUNT:
        raise BadPayload("format")
    if len(parts[1]) < SIGNATURE_CHARS:
        raise BadPayload("truncated")
    signature = _unb64(parts[1])
    if len(signature) != SIGNATURE_BYTES:
        raise BadPayload("format")
    known = public_keys() if keys is None else keys
    public = known.get(fields[1])
    if public is None:
        raise BadPayload("unknown_key")
    try:
        public.verify(signature, CONTEXT + body)
    except InvalidSignature:
        raise BadPayload("signature") from None
    return _facts(fields)


def _facts(fields: list[str]) -> VerifiedPayload:
    """The signed fields as a VerifiedPayload (they were signed, so they parse)."""
    _version, kid, number, name, masked, type_code, subtype, issued, expires = fields
    try:
        return VerifiedPayload(
            key_id=kid, number=number, name=name, masked_id=masked,
            cert_type=TYPES_BY_CODE[type_code], operation_subtype=subtype or None,
            issued_on=_parse_day(issued), expires_on=_parse_day(expires) if expires else None)
    except (KeyError, ValueError, binascii.Error):
        raise BadPayload("format") from None


def _parse_day(text: str) -> date:
    return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
