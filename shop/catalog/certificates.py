"""OCOP certificates: how long a rating lasts, who may issue it, which one a product shows and
its stars. Nothing here commits."""

from __future__ import annotations

import calendar
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, select
from sqlalchemy.orm import selectinload

from shop import clock
from shop.catalog.models import Certificate, Product
from shop.errors import ValidationError
from shop.extensions import db

CERTIFICATE_MONTHS = 36
# Decision 1489/QĐ-TTg moved 3★ ratings from districts to provinces from 1 July 2025.
TWO_TIER_FROM = date(2025, 7, 1)
STAR_SCORES = {3: (50, 69), 4: (70, 89), 5: (90, 100)}


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day (31 Jan + 1 month → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_valid_until(decision_date: date) -> date:
    return add_months(decision_date, CERTIFICATE_MONTHS)


def expected_issuer_level(star_level: int, decision_date: date) -> tuple[str, ...]:
    """Who may rate a star level on a date: before July 2025 district (3★), province (4★),
    central (5★); since then province (3★–4★), central (5★)."""
    if star_level == 5:
        return ("central",)
    if decision_date >= TWO_TIER_FROM:
        return ("province",)
    return ("district",) if star_level == 3 else ("province",)


def check_certificate(
    *,
    star_level: int,
    score: int | None,
    decision_date: date,
    valid_until: date,
    issuer_level: str,
    potential_five_star: bool = False,
) -> None:
    """Raises ValidationError when a certificate contradicts the OCOP rules."""
    if star_level not in STAR_SCORES:
        raise ValidationError(_l("Only 3, 4 and 5 stars are certified."), field="star_level")
    if score is not None:
        low, high = STAR_SCORES[star_level]
        if not low <= score <= high:
            raise ValidationError(
                _l("A %(stars)d-star product scores %(low)d–%(high)d.", stars=star_level, low=low, high=high),
                field="score",
            )
    if issuer_level not in expected_issuer_level(star_level, decision_date):
        raise ValidationError(_l("That authority did not rate this star level on that date."), field="issuer_level")
    if valid_until <= decision_date:
        raise ValidationError(_l("A certificate must be valid after its decision date."), field="valid_until")
    if potential_five_star and star_level != 4:
        raise ValidationError(
            _l("Only 4-star products carry the “potential 5-star” label."), field="potential_five_star"
        )


def add_certificate(
    product: Product,
    *,
    star_level: int,
    decision_number: str,
    decision_date: date,
    issuing_body: str,
    issuer_level: str,
    score: int | None = None,
    valid_until: date | None = None,
    potential_five_star: bool = False,
    verification_status: str = "pending",
    document_path: str | None = None,
    today: date | None = None,
) -> Certificate:
    """Record a rating decision (valid 36 months unless stated). Raises ValidationError."""
    valid_until = valid_until or default_valid_until(decision_date)
    rating = dict(
        star_level=star_level,
        score=score,
        decision_date=decision_date,
        valid_until=valid_until,
        issuer_level=issuer_level,
        potential_five_star=potential_five_star,
    )
    check_certificate(**rating)
    certificate = Certificate(
        product=product,
        producer_id=product.producer_id,
        decision_number=decision_number,
        issuing_body=issuing_body,
        verification_status=verification_status,
        document_path=document_path,
        **rating,
    )
    db.session.add(certificate)
    db.session.flush()
    refresh_rating(product, today or clock.today())
    return certificate


def current_certificate(certificates, today: date) -> Certificate | None:
    """The verified, unexpired certificate with the most stars (the latest among equals)."""
    current = [c for c in certificates if c.is_current(today)]
    return max(current, key=lambda c: (c.star_level, c.decision_date), default=None)


def refresh_rating(product: Product, today: date) -> None:
    """Copy the current certificate's stars onto the product, for fast filters."""
    best = current_certificate(product.certificates, today)
    product.star_level = best.star_level if best else None
    product.star_valid_until = best.valid_until if best else None


def refresh_ratings(today: date) -> int:
    """Re-rate every product whose shown stars have lapsed (run daily: `flask shop refresh-ratings`).

    Lapsed stars never show even before this runs, because every query also checks the date;
    this only lets a product fall back to another certificate that is still valid."""
    products = db.session.scalars(
        select(Product).where(Product.star_valid_until < today).options(selectinload(Product.certificates))
    ).all()
    for product in products:
        refresh_rating(product, today)
    db.session.flush()
    return len(products)


def stars_now(today: date):
    """SQL: the product's current star level, or NULL when it has none or it lapsed."""
    return case((Product.star_valid_until >= today, Product.star_level), else_=None)


def current_stars(product: Product, today: date) -> int | None:
    """The stars a product shows on `today`: none once its rating has lapsed."""
    if product.star_level and product.star_valid_until and product.star_valid_until >= today:
        return product.star_level
    return None
