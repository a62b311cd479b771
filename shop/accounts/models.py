from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import true

from shop.extensions import db
from shop.models_base import TimestampMixin


class User(UserMixin, TimestampMixin, db.Model):
    """A person with an account. Every user is a shopper; memberships and is_admin add roles."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("locale IS NULL OR locale IN ('vi', 'en')", name="locale_known"),
        CheckConstraint("email = lower(email)", name="email_lower"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    phone: Mapped[str | None] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    locale: Mapped[str | None] = mapped_column(String(5))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    producer_memberships: Mapped[list[ProducerMember]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    partner_memberships: Mapped[list[PartnerMember]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    # The token of the login session this object was loaded for (never stored: the database
    # keeps only its hash, in LoginSession). Set by shop.accounts.services.
    session_token = None  # not annotated: an annotation would make SQLAlchemy map it

    @property
    def is_active(self) -> bool:  # Flask-Login refuses to log in inactive users
        return self.active

    def get_id(self) -> str:
        """Flask-Login's id for the session and remember cookies: "<user id>:<session token>", so
        that ending the login session on the server ends both cookies."""
        if not self.session_token:
            raise RuntimeError("log in through shop.accounts.services.start_login_session")
        return f"{self.id}:{self.session_token}"

    def __eq__(self, other) -> bool:
        # The same account, whichever login session each object was loaded for.
        if isinstance(other, User):
            return self.id is not None and self.id == other.id
        return NotImplemented

    __hash__ = object.__hash__

    @property
    def is_producer(self) -> bool:
        return bool(self.producer_memberships)

    @property
    def is_partner(self) -> bool:
        return bool(self.partner_memberships)

    def has_role(self, role: str) -> bool:
        if role == "admin":
            return self.is_admin
        if role == "producer":
            return self.is_producer
        if role == "partner":
            return self.is_partner
        if role == "shopper":
            return True
        raise ValueError(f"unknown role {role!r}")

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class LoginSession(TimestampMixin, db.Model):
    """One logged-in session of a user (a browser, with or without "remember me"). The session
    cookie and the remember cookie name it by a random token whose hash is kept here, so logging
    out, or changing the password, ends it on the server: a copied cookie no longer works."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    remember: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ProducerMember(TimestampMixin, db.Model):
    """A user who acts for a producer (OCOP chủ thể)."""

    __tablename__ = "producer_members"
    __table_args__ = (CheckConstraint("role IN ('owner', 'staff')", name="role_known"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(10), default="owner", nullable=False)

    user: Mapped[User] = relationship(back_populates="producer_memberships")
    producer: Mapped[Producer] = relationship(lazy="joined")  # noqa: F821


class PartnerMember(TimestampMixin, db.Model):
    """A user who acts for a restaurant partner: an owner (staff and locations), a buyer (orders,
    for every location or only some) or an accountant (invoices and statements)."""

    __tablename__ = "partner_members"
    __table_args__ = (CheckConstraint("role IN ('owner', 'buyer', 'accountant')", name="role_known"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(10), default="owner", nullable=False)
    # A buyer for only some locations has them in partner_member_locations.
    all_locations: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true(), nullable=False)

    user: Mapped[User] = relationship(back_populates="partner_memberships")
    partner: Mapped[Partner] = relationship(lazy="joined")  # noqa: F821
