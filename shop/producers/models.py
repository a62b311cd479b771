from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, String, Text
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

    def __repr__(self) -> str:
        return f"<Producer {self.id} {self.name}>"
