from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shop.extensions import db
from shop.organisations import OrganisationMixin

_KIND_LABELS = {
    "cooperative": _l("Co-operative"),
    "company": _l("Company"),
    "household": _l("Household business"),
}


def kind_label(kind: str) -> str:
    return str(_KIND_LABELS.get(kind, kind))


class Producer(OrganisationMixin, db.Model):
    """An OCOP chủ thể: a co-operative (HTX), a company or a registered household business."""

    __tablename__ = "producers"
    __table_args__ = (
        *OrganisationMixin.organisation_constraints(),
        CheckConstraint("kind IN ('cooperative', 'company', 'household')", name="kind_known"),
        CheckConstraint("commission_bp IS NULL OR commission_bp BETWEEN 0 AND 10000", name="commission_range"),
        CheckConstraint(
            "partner_cutoff_minute IS NULL OR partner_cutoff_minute BETWEEN 0 AND 1439", name="partner_cutoff_range"
        ),
    )

    slug: Mapped[str] = mapped_column(String(120), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(12), default="cooperative", nullable=False)
    # Origin beyond province + ward: the name before the 2025 reform, and the craft village.
    former_name: Mapped[str | None] = mapped_column(String(200))
    craft_village: Mapped[str | None] = mapped_column(String(200))
    story_vi: Mapped[str | None] = mapped_column(Text)
    story_en: Mapped[str | None] = mapped_column(Text)
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    logo_path: Mapped[str | None] = mapped_column(String(200))
    # Where the shop pays the producer's earnings (only the owner may change it).
    bank_name: Mapped[str | None] = mapped_column(String(120))
    bank_account_number: Mapped[str | None] = mapped_column(String(30))
    bank_account_holder: Mapped[str | None] = mapped_column(String(120))
    # The shop's commission on delivered lines, in basis points (1250 = 12.5 %); None: the
    # configured default (PRODUCER_COMMISSION_BP). Set by an admin.
    commission_bp: Mapped[int | None] = mapped_column(Integer)
    # Partners' orders for a delivery date must be in by this time (minutes after midnight,
    # Vietnam time) the day before; None: the shop's PARTNER_ORDER_CUTOFF.
    partner_cutoff_minute: Mapped[int | None] = mapped_column(SmallInteger)

    def __repr__(self) -> str:
        return f"<Producer {self.id} {self.name}>"


class ProducerInvitation(db.Model):
    """An owner's invitation to act for the producer, mailed to an address. The link carries a
    random token (only its hash is kept); the invited person accepts it while logged in with that
    address. Used once, revocable, and it lapses."""

    __tablename__ = "producer_invitations"
    __table_args__ = (CheckConstraint("role IN ('owner', 'staff')", name="role_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id", ondelete="CASCADE"), nullable=False, index=True)
    email: Mapped[str] = mapped_column(String(254), nullable=False)
    role: Mapped[str] = mapped_column(String(10), default="staff", nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    invited_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
