"""The onboarding checklist on the producer's dashboard: what is done and what is left before the
producer's products sell (and the shop can pay for them), each item with a link to where it is
done. Reads only.

Listings and certificates are built by their own areas: an item links to their pages only if
those endpoints exist in this app, so the dashboard never breaks for want of one."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from shop.catalog.models import Certificate, Product
from shop.extensions import db
from shop.producers.onboarding import has_bank_account

# The profile a shopper sees on the producer's page: where it is, how to reach it, its story.
PROFILE_FIELDS = ("street", "contact_phone", "story_vi")


@dataclass(frozen=True)
class Item:
    key: str
    label: object
    done: bool
    endpoint: str | None  # None: no page in this app (yet), or not one this member may open
    hint: object = None


@dataclass(frozen=True)
class Checklist:
    items: list[Item]
    # Plain sentences: what stops the products from selling, or getting paid, now.
    left: list = field(default_factory=list)
    status: str = "active"
    review_reason: str | None = None

    @property
    def complete(self) -> bool:
        return all(item.done for item in self.items)

    @property
    def done_count(self) -> int:
        return sum(item.done for item in self.items)


def endpoint_exists(endpoint: str) -> bool:
    return endpoint in current_app.view_functions


def _link(endpoint: str, *, allowed: bool = True) -> str | None:
    return endpoint if allowed and endpoint_exists(endpoint) else None


def profile_complete(producer) -> bool:
    return all(getattr(producer, name) for name in PROFILE_FIELDS)


def has_published_product(producer) -> bool:
    return bool(
        db.session.scalar(select(exists().where(Product.producer_id == producer.id, Product.status == "published")))
    )


def has_verified_certificate(producer) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(Certificate.producer_id == producer.id, Certificate.verification_status == "verified")
            )
        )
    )


def checklist_for(producer, membership) -> Checklist:
    """The four steps for `producer`, as `membership` may act on them (staff are told that an
    owner fills in the bank account)."""
    is_owner = membership is not None and membership.role == "owner"
    profile = profile_complete(producer)
    bank = has_bank_account(producer)
    product = has_published_product(producer)
    certificate = has_verified_certificate(producer)
    items = [
        Item(
            "profile",
            _l("Complete your profile: address, contact phone and your story"),
            profile,
            _link("producers.profile"),
        ),
        Item(
            "bank",
            _l("Add the bank account the shop pays you into"),
            bank,
            _link("producers.bank", allowed=is_owner),
            None if is_owner else _l("Only an owner can add it."),
        ),
        Item("product", _l("Publish your first product"), product, _link("producers.products")),
        Item(
            "certificate",
            _l("Have your first OCOP certificate verified"),
            certificate,
            _link("producers.certificates"),
            _l("Send the scanned decision; the shop checks it."),
        ),
    ]
    left = []
    if producer.status == "suspended":
        left.append(_l("Your shop is suspended: your products are not in the catalog until the shop reactivates it."))
    if not product:
        left.append(_l("Shoppers can buy from you once you have published a product."))
    if not profile:
        left.append(_l("Shoppers see your address, phone and story on your page: complete your profile."))
    if not bank:
        left.append(_l("Until a bank account is added, the shop cannot pay you for what you sell."))
    if not certificate:
        left.append(_l("Your products show no OCOP stars until a certificate has been verified."))
    return Checklist(items=items, left=left, status=producer.status, review_reason=producer.review_reason)
