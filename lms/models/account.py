"""Logins, role grants scoped to an organization or region, and hashed API tokens."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint, false, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow
from lms.models.organization import Organization
from lms.models.person import Person
from lms.models.region import Region


class Account(UserMixin, db.Model):
    """A login for a person or a staff member; what it may do comes from its role grants."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(255))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), unique=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    #: Where e-mail copies of notifications go (lms.notifications); None sends none.
    email: Mapped[str | None] = mapped_column(String(254))
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Set on logins made with a handed-over initial password (roster import): the password is
    #: to be changed at the first sign-in.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: Last sign-out: whatever was issued to the browser before it (study tickets) stops counting.
    signed_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    person: Mapped[Person | None] = relationship()
    grants: Mapped[list["RoleGrant"]] = relationship(
        back_populates="account", cascade="all, delete-orphan", lazy="selectin",
        foreign_keys="RoleGrant.account_id",
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.is_active_account


# Sign-in looks usernames up case-insensitively; this index serves that lookup and keeps "Alice"
# and "alice" from being two accounts.
Index("ix_accounts_username_lower", func.lower(Account.username), unique=True)


class RoleGrant(db.Model):
    """A role held within one organization or one region (system admins hold theirs globally)."""

    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("account_id", "role", "organization_id", "region_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))

    account: Mapped[Account] = relationship(back_populates="grants", foreign_keys=[account_id])
    organization: Mapped[Organization | None] = relationship()
    region: Mapped[Region | None] = relationship()


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its SHA-256 digest is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    #: First characters of the token, shown so a user can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(12))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    #: Space-separated scopes such as "drill-results:write".
    scopes: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    account: Mapped[Account] = relationship()

    @property
    def scope_set(self) -> set[str]:
        """Scopes as a set."""
        return set(self.scopes.split())
