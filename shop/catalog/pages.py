"""The data of the catalog's single pages: home, product, producer, origin, and the sitemap.
Listings on them come from listing.py. Nothing here commits."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date

import numpy as np
from flask import current_app
from sqlalchemy import String, bindparam, cast, func, select
from sqlalchemy.orm import contains_eager, joinedload

from shop import geo
from shop.catalog import cards, columns
from shop.catalog.certificates import current_certificate
from shop.catalog.groups import GROUPS
from shop.catalog.models import Certificate, Product
from shop.catalog.selection import catalog_columns, held_columns
from shop.errors import NotFound
from shop.extensions import db
from shop.producers.models import Producer


def home_sections(*, today: date, shelf_size: int = 4) -> dict:
    """Featured products, one shelf per star level (the newest first), the six groups with
    counts, top origins: all chosen from the catalog's columns (once per copy of them), then
    the products of every shelf load at once, with the catalog's version that checks the copy
    of the columns they were chosen from (see selection.held_columns)."""
    held = held_columns(today)
    for _ in range(3):
        key = ("home", shelf_size)
        picks = held.selections.get(key)
        if picks is None:
            picks = _home_picks(held, shelf_size)
            held.keep_selection(key, picks)
        shelves, group_counts, origins = picks
        ids = sorted({i for ids in shelves.values() for i in ids})
        products, _, version = cards.load_checked(ids, today=today)
        current = catalog_columns(today, version)
        if current is held:
            break
        held = current
    by_id = {p.id: p for p in products}
    return {
        "featured": [by_id[i] for i in shelves["featured"] if i in by_id],
        "shelves": {level: [by_id[i] for i in shelves[level] if i in by_id] for level in (5, 4, 3)},
        "groups": [(g, group_counts.get(n, 0)) for n, g in enumerate(GROUPS)],
        "origins": [(code, geo.province_name(code), n) for code, n in origins],
    }


def _home_picks(held: columns.CatalogColumns, shelf_size: int) -> tuple[dict, dict, list]:
    """The ids on each shelf, the count of each group, the top origins with their counts."""
    newest_first = np.lexsort((-held.published,))

    def shelf(keep: np.ndarray) -> list[int]:
        return held.ids[newest_first[keep[newest_first]][:shelf_size]].tolist()

    shelves = {"featured": shelf(held.featured == 1)} | {level: shelf(held.stars == level) for level in (5, 4, 3)}
    origins = sorted(columns.counts(held.province).items(), key=lambda item: (-item[1], item[0]))[:8]
    return shelves, columns.counts(held.group), origins


@dataclass
class ProductPage:
    product: Product
    certificate: Certificate | None
    stars: int | None
    latest_certificate: Certificate | None
    same_origin: list[cards.CardProduct]


def product_page(slug: str, *, today: date) -> ProductPage:
    """A published product with its producer, variants, images, certificates and neighbours.
    Raises NotFound.

    Three statements: the product with everything it owns (one joined statement: a product
    has a few packs, pictures and certificates, so their product is a dozen rows at most, where
    a statement each cost a round trip each), the catalog's version (for the neighbours, from
    the columns) and the neighbours' cards."""
    product = db.session.execute(_product_statement(), {"slug": slug}).unique().scalar_one_or_none()
    if product is None:
        raise NotFound()
    certificate = current_certificate(product.certificates, today)
    return ProductPage(
        product=product,
        certificate=certificate,
        stars=certificate.star_level if certificate else None,
        latest_certificate=max(product.certificates, key=lambda c: c.decision_date, default=None),
        same_origin=_same_origin(product, today),
    )


@functools.cache
def _product_statement():
    # Built once (its options cost more to put together than the statement takes to run).
    return (
        select(Product)
        .join(Product.producer)
        .where(Product.slug == bindparam("slug"), columns.listed())
        .options(
            contains_eager(Product.producer),
            joinedload(Product.variants),
            joinedload(Product.images),
            joinedload(Product.certificates),
        )
    )


def _same_origin(product: Product, today: date, limit: int = 4) -> list[cards.CardProduct]:
    """Other products of the same province, those of the same ward and with more stars first,
    then by id: chosen from the catalog's columns and the province's wards, then their cards
    (with the catalog's version, which checks the columns: see selection.held_columns)."""
    held = held_columns(today)
    for _ in range(3):
        ids, wards = _province_wards(held, product.province_code)
        rows, listed = held.positions(ids)
        # The wards are read from the database, which may list products these columns (older)
        # do not: keep the ones they know; the version check below starts again if they are old.
        ids, wards = ids[listed], wards[listed]
        others = ids != product.id
        order = np.lexsort((ids, -held.stars[rows].astype(np.int64), wards != product.ward_code))
        found, _, version = cards.load_checked(ids[order[others[order]][:limit]].tolist(), today=today)
        current = catalog_columns(today, version)
        if current is held:
            break
        held = current
    return found


def _province_wards(held: columns.CatalogColumns, province_code: int) -> tuple[np.ndarray, np.ndarray]:
    """The listed products of a province and their wards, read once per catalog version and
    kept with this process's columns (which hold no ward: no index does, and filtering a
    province in SQL read every listed product for each product page)."""
    kept = current_app.extensions.get("province_wards")
    if kept is None or kept[0] is not held:
        kept = current_app.extensions["province_wards"] = (held, {})
    wards = kept[1].get(province_code)
    if wards is None:
        found = select(
            func.aggregate_strings(cast(Product.id, String), " "),
            func.aggregate_strings(cast(Product.ward_code, String), " "),
        ).where(columns.listed(), Product.province_code == province_code)
        wards = kept[1][province_code] = tuple(columns.ints(t) for t in db.session.execute(found).one())
    return wards


def producer_by_slug(slug: str) -> Producer:
    producer = db.session.scalar(select(Producer).where(Producer.slug == slug, Producer.status == "active"))
    if producer is None:
        raise NotFound()
    return producer


def producer_certificates(producer: Producer) -> list[Certificate]:
    """The producer's verified certificates of published products, newest first, each with its
    product (read in the same statement: the page names each one)."""
    return list(
        db.session.scalars(
            select(Certificate)
            .join(Certificate.product)
            .options(contains_eager(Certificate.product))
            .where(
                Certificate.producer_id == producer.id,
                Product.status == "published",
                Certificate.verification_status == "verified",
            )
            .order_by(Certificate.decision_date.desc())
        )
    )


def check_origin(province_code: int, ward_code: int | None = None) -> None:
    """Raises NotFound for a province or ward code that does not exist (or a ward elsewhere)."""
    if geo.province_name(province_code) is None:
        raise NotFound()
    if ward_code is not None and not geo.ward_in_province(province_code, ward_code):
        raise NotFound()


def origin_producers(province_code: int, ward_code: int | None = None) -> list[Producer]:
    query = select(Producer).where(Producer.status == "active", Producer.province_code == province_code)
    if ward_code is not None:
        query = query.where(Producer.ward_code == ward_code)
    return list(db.session.scalars(query.order_by(Producer.name)))


def sitemap_entries() -> dict:
    products = db.session.execute(
        select(Product.slug, Product.published_at).join(Product.producer).where(columns.listed()).order_by(Product.id)
    ).all()
    producers = db.session.scalars(select(Producer.slug).where(Producer.status == "active").order_by(Producer.id)).all()
    origins = db.session.execute(
        select(Product.province_code, Product.ward_code).join(Product.producer).where(columns.listed()).distinct()
    ).all()
    return {"products": products, "producers": producers, "origins": sorted(set(origins))}
