"""Issue, look up and revoke API tokens; only a SHA-256 digest of each token is stored."""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from lms.audit import record_event
from lms.extensions import db
from lms.i18n import _l
from lms.models import Account, ApiToken
from lms.models.base import utcnow

TOKEN_PREFIX = "lms_"

#: Scopes a token may carry; packages add theirs with register_scope.
API_SCOPES: dict[str, object] = {"profile:read": _l("Read your own profile")}


def register_scope(name: str, label) -> None:
    """Make a scope available to tokens."""
    API_SCOPES[name] = label


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(account: Account, name: str, scopes: list[str], days: int) -> tuple[ApiToken, str]:
    """Create a token and return it with the clear text, which is shown once and never stored."""
    unknown = set(scopes) - set(API_SCOPES)
    if unknown:
        raise ValueError(f"unknown scopes: {sorted(unknown)}")
    clear = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(account_id=account.id, name=name, prefix=clear[:12], digest=_digest(clear),
                     scopes=" ".join(sorted(scopes)), expires_at=utcnow() + timedelta(days=days))
    db.session.add(token)
    db.session.flush()
    record_event("token.issued", actor=account, target=token, scopes=token.scopes)
    return token, clear


def resolve_token(clear: str, *, now: datetime | None = None) -> ApiToken | None:
    """The live token matching the clear text, or None when unknown, revoked or expired."""
    now = now or utcnow()
    token = db.session.scalar(select(ApiToken).where(ApiToken.digest == _digest(clear)))
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        return None
    if not token.account.is_active_account:
        return None
    return token


def revoke_token(account: Account, token: ApiToken) -> None:
    """Revoke one of the account's own tokens."""
    token.revoked_at = utcnow()
    record_event("token.revoked", actor=account, target=token)
