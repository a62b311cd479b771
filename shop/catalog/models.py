from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop import geo
from shop.catalog.groups import GROUPS, SUBGROUP_TO_GROUP
from shop.extensions import db
from shop.models_base import TimestampMixin
from shop.producers.models import Producer

_GROUP_CODES = ", ".join(f"'{g.code}'" for g in GROUPS)
_SUBGROUP_CODES = ", ".join(f"'{code}'" for code in SUBGROUP_TO_GROUP)


class Product(geo.PlaceNames, TimestampMixin, db.Model):
    """An OCOP product as a shopper sees it: names, group, origin, season, variants, certificates."""

    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint(f"group_code IN ({_GROUP_CODES})", name="group_known"),
        CheckConstraint(f"subgroup_code IS NULL OR subgroup_code IN ({_SUBGROUP_CODES})", name="subgroup_known"),
        CheckConstraint("status IN ('draft', 'published', 'archived')", name="status_known"),
        CheckConstraint("shelf_life_days IS NULL OR shelf_life_days > 0", name="shelf_life_positive"),
        CheckConstraint(
            "(season_start_month IS NULL AND season_end_month IS NULL) OR "
            "(season_start_month BETWEEN 1 AND 12 AND season_end_month BETWEEN 1 AND 12)",
            name="season_months",
        ),
        # One index for listings: it covers what the catalog's columns are read from (see
        # columns.py), the producer and origin pages' filters and the home page's shelves, so
        # SQLite never reads product rows for them. (Narrower indexes on these columns lure
        # SQLite's planner into reading every row; keep them out.)
        Index(
            "ix_products_listing",
            "status",
            "featured",
            "published_at",
            "producer_id",
            "group_code",
            "province_code",
            "star_level",
            "star_valid_until",
            "price_from_vnd",
        ),
        CheckConstraint("price_from_vnd IS NULL OR price_from_vnd >= 0", name="price_from_not_negative"),
        # The few products without a price (without packs), for the listing's "in stock only".
        Index(
            "ix_products_no_price",
            "id",
            postgresql_where=text("price_from_vnd IS NULL"),
            sqlite_where=text("price_from_vnd IS NULL"),
        ),
        CheckConstraint("star_level IS NULL OR star_level BETWEEN 3 AND 5", name="star_level_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), nullable=False)
    slug: Mapped[str] = mapped_column(String(120), unique=True, nullable=False)
    group_code: Mapped[str] = mapped_column(String(30), nullable=False)
    subgroup_code: Mapped[str | None] = mapped_column(String(40))
    name_vi: Mapped[str] = mapped_column(String(200), nullable=False)
    name_en: Mapped[str | None] = mapped_column(String(200))
    summary_vi: Mapped[str | None] = mapped_column(String(300))
    summary_en: Mapped[str | None] = mapped_column(String(300))
    description_vi: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    unit_vi: Mapped[str | None] = mapped_column(String(60))
    unit_en: Mapped[str | None] = mapped_column(String(60))
    shelf_life_days: Mapped[int | None] = mapped_column(Integer)
    # Seasonal window by month, may wrap the new year (12 → 2 for Tết peach blossoms).
    season_start_month: Mapped[int | None] = mapped_column(SmallInteger)
    season_end_month: Mapped[int | None] = mapped_column(SmallInteger)
    # Origin: the place the product comes from, under the current units, plus what people call it.
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    ward_code: Mapped[int] = mapped_column(Integer, nullable=False)
    former_name: Mapped[str | None] = mapped_column(String(200))
    craft_village: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12), default="draft", nullable=False)
    featured: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Kept by the catalog service so that listings filter and sort without aggregating:
    # the lowest variant price, and the best verified certificate with the day it lapses.
    price_from_vnd: Mapped[int | None] = mapped_column(BigInteger)
    star_level: Mapped[int | None] = mapped_column(SmallInteger)
    star_valid_until: Mapped[date | None] = mapped_column(Date)
    # Folded (no diacritics, đ→d) and lower-cased exact text of names, producer, group and
    # origin; written by the catalog service, read by search on SQLite and PostgreSQL.
    search_folded: Mapped[str] = mapped_column(Text, default="", nullable=False)
    search_exact: Mapped[str] = mapped_column(Text, default="", nullable=False)

    producer: Mapped[Producer] = relationship(lazy="joined", innerjoin=True)
    variants: Mapped[list[Variant]] = relationship(
        back_populates="product", order_by="Variant.price_vnd", cascade="all, delete-orphan"
    )
    images: Mapped[list[ProductImage]] = relationship(
        back_populates="product", order_by="ProductImage.position", cascade="all, delete-orphan"
    )
    certificates: Mapped[list[Certificate]] = relationship(
        back_populates="product", order_by="Certificate.decision_date.desc()", cascade="all, delete-orphan"
    )

    def name(self, locale: str) -> str:
        return (self.name_en if locale == "en" else None) or self.name_vi

    def summary(self, locale: str) -> str | None:
        return (self.summary_en if locale == "en" else None) or self.summary_vi

    def description(self, locale: str) -> str | None:
        return (self.description_en if locale == "en" else None) or self.description_vi

    def unit(self, locale: str) -> str | None:
        return (self.unit_en if locale == "en" else None) or self.unit_vi

    # Made fresh (xôi keeps a day): only same-day delivery in town or pickup can reach a buyer.
    PERISHABLE_DAYS = 2

    @property
    def is_perishable(self) -> bool:
        return self.shelf_life_days is not None and self.shelf_life_days <= self.PERISHABLE_DAYS

    def keeps_through(self, days: int) -> bool:
        """Whether it is still good after a delivery that takes `days` days."""
        return self.shelf_life_days is None or self.shelf_life_days > days

    def in_season(self, month: int) -> bool:
        if self.season_start_month is None:
            return True
        start, end = self.season_start_month, self.season_end_month
        return start <= month <= end if start <= end else month >= start or month <= end

    def __repr__(self) -> str:
        return f"<Product {self.id} {self.slug}>"


class ProductImage(db.Model):
    __tablename__ = "product_images"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), nullable=False, index=True)
    path: Mapped[str] = mapped_column(String(200), nullable=False)  # under static/
    alt_vi: Mapped[str] = mapped_column(String(200), nullable=False)
    alt_en: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0, nullable=False)

    product: Mapped[Product] = relationship(back_populates="images")

    def alt(self, locale: str) -> str:
        return (self.alt_en if locale == "en" else None) or self.alt_vi


class Variant(db.Model):
    """A pack size or weight of a product, with its own SKU, price and stock."""

    __tablename__ = "variants"
    __table_args__ = (
        CheckConstraint("price_vnd >= 0", name="price_not_negative"),
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        # Orders hold stock until they ship or are cancelled; they can never hold more than there is.
        CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="reserved_within_on_hand"),
        CheckConstraint("weight_g IS NULL OR weight_g > 0", name="weight_positive"),
        CheckConstraint("low_stock_threshold IS NULL OR low_stock_threshold >= 0", name="low_stock_not_negative"),
        Index("ix_variants_product_price", "product_id", "price_vnd"),
        # The few packs that are sold out (for the listing's "in stock only": selection.py).
        Index(
            "ix_variants_sold_out",
            "product_id",
            postgresql_where=text("on_hand <= reserved"),
            sqlite_where=text("on_hand <= reserved"),
        ),
        # Partners' quantity rules (Shopify's): a step of at least 1, and a minimum and maximum
        # that are multiples of it, the maximum not below the minimum.
        CheckConstraint("partner_step >= 1", name="partner_step_positive"),
        CheckConstraint(
            "partner_min_qty IS NULL OR (partner_min_qty > 0 AND partner_min_qty % partner_step = 0)",
            name="partner_min_on_step",
        ),
        CheckConstraint(
            "partner_max_qty IS NULL OR (partner_max_qty > 0 AND partner_max_qty % partner_step = 0 "
            "AND (partner_min_qty IS NULL OR partner_max_qty >= partner_min_qty))",
            name="partner_max_on_step",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), nullable=False)
    sku: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    name_vi: Mapped[str] = mapped_column(String(120), nullable=False)
    name_en: Mapped[str | None] = mapped_column(String(120))
    price_vnd: Mapped[int] = mapped_column(BigInteger, nullable=False)
    weight_g: Mapped[int | None] = mapped_column(Integer)
    on_hand: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    reserved: Mapped[int] = mapped_column(Integer, default=0, server_default="0", nullable=False)
    # The producer wants to know when what can be sold falls to this or below (None: never).
    low_stock_threshold: Mapped[int | None] = mapped_column(Integer)
    # What a partner may order in one line (None: no minimum / no maximum), in steps of
    # `partner_step` units (a case of 6, a tray of 10). Shoppers are not bound by them.
    partner_min_qty: Mapped[int | None] = mapped_column(Integer)
    partner_max_qty: Mapped[int | None] = mapped_column(Integer)
    partner_step: Mapped[int] = mapped_column(Integer, default=1, server_default="1", nullable=False)

    product: Mapped[Product] = relationship(back_populates="variants")

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def is_perishable(self) -> bool:
        return self.product.is_perishable

    def name(self, locale: str) -> str:
        return (self.name_en if locale == "en" else None) or self.name_vi


class Certificate(TimestampMixin, db.Model):
    """An OCOP rating decision for a product. Counts only while verified and not expired."""

    __tablename__ = "certificates"
    __table_args__ = (
        CheckConstraint("star_level BETWEEN 3 AND 5", name="star_level_range"),
        CheckConstraint("score IS NULL OR score BETWEEN 0 AND 100", name="score_range"),
        CheckConstraint("verification_status IN ('pending', 'verified', 'rejected')", name="verification_known"),
        CheckConstraint("valid_until > decision_date", name="valid_after_decision"),
        CheckConstraint("issuer_level IN ('district', 'province', 'central')", name="issuer_level_known"),
        Index("ix_certificates_current", "product_id", "verification_status", "valid_until"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), nullable=False)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), nullable=False, index=True)
    star_level: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    potential_five_star: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    score: Mapped[int | None] = mapped_column(SmallInteger)
    decision_number: Mapped[str] = mapped_column(String(60), nullable=False)
    decision_date: Mapped[date] = mapped_column(Date, nullable=False)
    issuing_body: Mapped[str] = mapped_column(String(200), nullable=False)
    issuer_level: Mapped[str] = mapped_column(String(10), nullable=False)
    valid_until: Mapped[date] = mapped_column(Date, nullable=False)
    document_path: Mapped[str | None] = mapped_column(String(200))
    verification_status: Mapped[str] = mapped_column(String(12), default="pending", nullable=False)
    # An admin's decision: when, and for a rejection why (shown to the producer).
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rejection_reason: Mapped[str | None] = mapped_column(String(500))

    product: Mapped[Product] = relationship(back_populates="certificates")
    producer: Mapped[Producer] = relationship()

    def is_current(self, today: date) -> bool:
        return self.verification_status == "verified" and self.decision_date <= today <= self.valid_until


class CertificateReminder(db.Model):
    """A reminder mailed to the producer that a certificate lapses soon, one per certificate and
    lead time (60 or 14 days), so the daily command never mails twice."""

    __tablename__ = "certificate_reminders"

    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id", ondelete="CASCADE"), primary_key=True)
    days_before: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class CatalogState(db.Model):
    """One row whose version changes, to a new random number, whenever a product or a
    producer's status changes (triggers, migration 0007_catalog_version; random so that a rolled-back change
    never brings back a version already seen). Processes that keep catalog values in memory
    read it to know when to reload them (see shop/catalog/columns.py)."""

    __tablename__ = "catalog_state"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, nullable=False)
