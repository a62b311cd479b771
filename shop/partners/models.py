"""Restaurant partners: the business, its delivery locations with their receiving hours, and the
invitations its owners send to staff. (Members are `shop.accounts.models.PartnerMember`.)"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import true

from shop import geo
from shop.extensions import db
from shop.models_base import TimestampMixin
from shop.organisations import OrganisationMixin

# How a partner pays: before delivery like a shopper (VietQR or card), on the delivery date, or
# net N days after it. An admin sets them when approving (prepaid until then).
PAYMENT_TERMS = ("prepaid", "on_delivery", "net7", "net15", "net30")
# Days after the delivery date an invoice is due, for the terms that give credit.
TERM_DAYS = {"on_delivery": 0, "net7": 7, "net15": 15, "net30": 30}
_TERM_LABELS = {
    "prepaid": _l("Prepaid (pay when ordering)"),
    "on_delivery": _l("Due on delivery"),
    "net7": _l("Net 7 days"),
    "net15": _l("Net 15 days"),
    "net30": _l("Net 30 days"),
}
# owner: staff and locations (and everything below); buyer: orders, for all or some locations;
# accountant: invoices and statements. A buyer never sees invoices, an accountant never orders.
PARTNER_ROLES = ("owner", "buyer", "accountant")
_ROLE_LABELS = {"owner": _l("Owner"), "buyer": _l("Buyer"), "accountant": _l("Accountant")}
WEEKDAYS = range(7)  # Monday = 0, as date.weekday()
WEEKDAY_NAMES = (
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
)
MINUTES_PER_DAY = 24 * 60


def terms_label(terms: str) -> str:
    return str(_TERM_LABELS.get(terms, terms))


def role_label(role: str) -> str:
    return str(_ROLE_LABELS.get(role, role))


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Partner(OrganisationMixin, db.Model):
    """A restaurant partner (e.g. a chain serving Xôi Phú Thượng). The organisation's address is
    its billing address; goods go to its locations."""

    __tablename__ = "partners"
    __table_args__ = (
        *OrganisationMixin.organisation_constraints(),
        CheckConstraint(_in("payment_terms", PAYMENT_TERMS), name="payment_terms_known"),
        CheckConstraint("credit_limit_vnd >= 0", name="credit_limit_not_negative"),
    )

    # Where the partner's invoices (and the e-invoice provider's) are sent.
    einvoice_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    payment_terms: Mapped[str] = mapped_column(String(12), default="prepaid", server_default="prepaid", nullable=False)
    # Unpaid invoices plus a new order on terms may not go above this (0: no credit).
    credit_limit_vnd: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0", nullable=False)
    # An admin let the partner order despite overdue invoices, until the end of this day.
    hold_lifted_until: Mapped[date | None] = mapped_column(Date)

    locations: Mapped[list[PartnerLocation]] = relationship(
        back_populates="partner", order_by="PartnerLocation.name", cascade="all, delete-orphan"
    )

    @property
    def on_terms(self) -> bool:
        """Whether the partner buys on invoice (credit) rather than paying when ordering."""
        return self.payment_terms in TERM_DAYS

    @property
    def terms_label(self) -> str:
        return terms_label(self.payment_terms)

    def __repr__(self) -> str:
        return f"<Partner {self.id} {self.name}>"


class PartnerLocation(geo.PlaceNames, TimestampMixin, db.Model):
    """A branch the partner receives goods at: its address, who receives, and when."""

    __tablename__ = "partner_locations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    ward_code: Mapped[int] = mapped_column(Integer, nullable=False)
    street: Mapped[str] = mapped_column(String(200), nullable=False)
    contact_name: Mapped[str] = mapped_column(String(120), nullable=False)
    contact_phone: Mapped[str] = mapped_column(String(20), nullable=False)
    # A closed branch keeps its past orders; no new order or standing order may name it.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true(), nullable=False)

    partner: Mapped[Partner] = relationship(back_populates="locations")
    hours: Mapped[list[ReceivingHours]] = relationship(
        back_populates="location", order_by="ReceivingHours.weekday", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def address(self) -> str:
        return ", ".join(p for p in (self.street, self.ward_name, self.province_name) if p)

    def hours_on(self, weekday: int) -> ReceivingHours | None:
        return next((h for h in self.hours if h.weekday == weekday), None)

    def __repr__(self) -> str:
        return f"<PartnerLocation {self.id} {self.name}>"


class ReceivingHours(db.Model):
    """When a location receives deliveries on one weekday, in minutes after midnight (Vietnam
    time). A weekday without a row: closed for deliveries."""

    __tablename__ = "partner_receiving_hours"
    __table_args__ = (
        UniqueConstraint("location_id", "weekday", name="one_per_weekday"),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint(f"opens_minute >= 0 AND closes_minute <= {MINUTES_PER_DAY}", name="within_day"),
        CheckConstraint("opens_minute < closes_minute", name="opens_before_closes"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("partner_locations.id", ondelete="CASCADE"), nullable=False)
    weekday: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    opens_minute: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    closes_minute: Mapped[int] = mapped_column(SmallInteger, nullable=False)

    location: Mapped[PartnerLocation] = relationship(back_populates="hours")


class PartnerMemberLocation(db.Model):
    """A buyer limited to some locations orders only for these (members with `all_locations`
    have no rows here)."""

    __tablename__ = "partner_member_locations"
    __table_args__ = (
        ForeignKeyConstraint(
            ["user_id", "partner_id"],
            ["partner_members.user_id", "partner_members.partner_id"],
            ondelete="CASCADE",
            name="fk_partner_member_locations_member",
        ),
    )

    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    location_id: Mapped[int] = mapped_column(
        ForeignKey("partner_locations.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class PartnerInvitation(db.Model):
    """An owner's invitation to act for the partner in a role, mailed to an address: the link
    carries a random token (only its hash is kept), used once, revocable, and it lapses."""

    __tablename__ = "partner_invitations"
    __table_args__ = (CheckConstraint(_in("role", PARTNER_ROLES), name="role_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"), nullable=False, index=True)
    email: Mapped[str] = mapped_column(String(254), nullable=False)
    role: Mapped[str] = mapped_column(String(10), default="buyer", nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    invited_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
