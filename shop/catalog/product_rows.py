"""A product page's product, read as Core rows: the product with its producer, packs, pictures
and certificates, as plain objects with the models' own methods and properties.

The ORM's loading of one product with three joined collections (setting up the result, an
identity map, a row processor per collection and per row) cost about as much as the rest of the
page's data, for an object the page only reads. Each object here answers to the same names the
models give (`p.name(locale)`, `v.available`, `p.is_perishable`, `c.is_current(today)`, …), with
the very functions of the models, so that no rule is written twice; they are not in the session
and nothing can be saved through them."""

from __future__ import annotations

import functools
from types import SimpleNamespace

from sqlalchemy import bindparam, select

from shop import geo
from shop.catalog import cards, columns
from shop.catalog.models import Certificate, Product, ProductImage, Variant
from shop.producers.models import Producer

# What the pages show of each (the product's search texts and the producer's contacts and bank
# details are not read).
_PRODUCT = [c for c in Product.__table__.c if c.name not in ("search_folded", "search_exact")]
_PRODUCER = [Producer.__table__.c[name] for name in ("id", "slug", "name", "kind", "logo_path", "story_vi", "story_en")]
_VARIANT = [c for c in Variant.__table__.c]
_IMAGE = [c for c in ProductImage.__table__.c]
_CERTIFICATE = [c for c in Certificate.__table__.c]
_PARTS = (_PRODUCT, _PRODUCER, _VARIANT, _IMAGE, _CERTIFICATE)


class LoadedProduct(SimpleNamespace, geo.PlaceNames):
    """A Product's columns, with its `producer`, `variants`, `images` and `certificates`."""

    PERISHABLE_DAYS = Product.PERISHABLE_DAYS
    name = Product.name
    summary = Product.summary
    description = Product.description
    unit = Product.unit
    is_perishable = Product.is_perishable
    keeps_through = Product.keeps_through
    in_season = Product.in_season


class LoadedProducer(SimpleNamespace):
    """What a product page shows of its producer."""


class LoadedVariant(SimpleNamespace):
    available = Variant.available
    is_perishable = Variant.is_perishable
    name = Variant.name


class LoadedImage(SimpleNamespace):
    alt = ProductImage.alt


class LoadedCertificate(SimpleNamespace):
    is_current = Certificate.is_current


@functools.cache
def statement(dialect: str, neighbours: int):
    """The listed product whose slug is the parameter `slug`, joined with its producer and with
    each of its packs, pictures and certificates (a few of each: a dozen rows at most), then
    the cards of the products whose ids are the parameters neighbour_0 … (cards.json_of_ids)
    and the catalog's version. Built once."""
    return (
        select(
            *(column for part in _PARTS for column in part),
            cards.json_of_ids("neighbour", neighbours, dialect),
            columns.VERSION.scalar_subquery(),
        )
        .select_from(Product)
        .join(Producer, Producer.id == Product.producer_id)
        .outerjoin(Variant, Variant.product_id == Product.id)
        .outerjoin(ProductImage, ProductImage.product_id == Product.id)
        .outerjoin(Certificate, Certificate.product_id == Product.id)
        .where(Product.slug == bindparam("slug"), columns.listed())
    )


def product_of(rows) -> LoadedProduct:
    """The product of `statement`'s rows (at least one), its collections in the models' orders:
    packs by price, pictures by position, certificates newest first (ties by id)."""
    bounds, start = [], 0
    for part in _PARTS:
        bounds.append((start, start + len(part), [c.name for c in part]))
        start += len(part)
    (p0, p1, product_names), (r0, r1, producer_names), *owned = bounds
    first = rows[0]
    product = LoadedProduct(**dict(zip(product_names, first[p0:p1], strict=True)))
    product.producer = LoadedProducer(**dict(zip(producer_names, first[r0:r1], strict=True)))
    found = []
    for (start, end, names), kind in zip(owned, (LoadedVariant, LoadedImage, LoadedCertificate), strict=True):
        by_id = {}
        for row in rows:
            values = row[start:end]
            if values[0] is not None and values[0] not in by_id:
                by_id[values[0]] = kind(**dict(zip(names, values, strict=True)), product=product)
        found.append(list(by_id.values()))
    variants, images, certificates = found
    product.variants = sorted(variants, key=lambda v: (v.price_vnd, v.id))
    product.images = sorted(images, key=lambda i: (i.position, i.id))
    product.certificates = sorted(certificates, key=lambda c: (c.decision_date, -c.id), reverse=True)
    return product
