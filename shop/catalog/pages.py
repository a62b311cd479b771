"""The data of the catalog's single pages: home, product, producer, origin, and the sitemap.
Listings on them come from listing.py. Nothing here commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
from flask import current_app
from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import contains_eager

from shop import geo, reads
from shop.catalog import cards, columns, product_rows
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
    product: product_rows.LoadedProduct
    certificate: product_rows.LoadedCertificate | None
    stars: int | None
    latest_certificate: product_rows.LoadedCertificate | None
    same_origin: list[cards.CardProduct]


def product_page(slug: str, *, today: date) -> ProductPage:
    """A published product with its producer, variants, images, certificates and neighbours.
    Raises NotFound.

    One statement (product_rows.statement): the product with everything it owns, as Core
    rows, its neighbours' cards and the catalog's version. The neighbours are chosen before
    it, from this process's copy of the catalog's columns, where the product is found by its
    slug (see _product_places); the version read with them checks that copy. Should the copy
    not know the slug or be out of date, the neighbours are chosen again from the product as
    read and loaded with a second statement, as they always were before."""
    held = held_columns(today)
    places = _product_places(held)
    guess = places.find(slug)
    neighbours = _neighbour_ids(held, places, guess) if guess is not None else []
    params = {"slug": slug, "card_today": today, **cards.id_params("neighbour", neighbours, NEIGHBOURS)}
    rows = reads.rows(product_rows.statement(db.session.connection().dialect.name, NEIGHBOURS), params)
    if not rows:
        raise NotFound()
    product = product_rows.product_of(rows)
    neighbour_rows, version = rows[0][-2:]
    if guess is not None and held.ids[guess] == product.id and catalog_columns(today, version) is held:
        by_id = {card.id: card for card in cards.from_json(neighbour_rows)}
        same_origin = [by_id[i] for i in neighbours if i in by_id]
    else:
        same_origin = _same_origin(product, today)
    certificate = current_certificate(product.certificates, today)
    return ProductPage(
        product=product,
        certificate=certificate,
        stars=certificate.star_level if certificate else None,
        latest_certificate=max(product.certificates, key=lambda c: c.decision_date, default=None),
        same_origin=same_origin,
    )


NEIGHBOURS = 4  # products of the same province shown on a product page


def _same_origin(product, today: date) -> list[cards.CardProduct]:
    """The product's neighbours (see _neighbour_ids) chosen from the product itself, then their
    cards (with the catalog's version, which checks the columns: see selection.held_columns)."""
    held = held_columns(today)
    for _ in range(3):
        places = _product_places(held)
        position = held.positions(np.array([product.id]))[0]
        chosen = _neighbour_ids(held, places, int(position[0])) if len(position) else []
        found, _, version = cards.load_checked(chosen, today=today)
        current = catalog_columns(today, version)
        if current is held:
            break
        held = current
    return found


def _neighbour_ids(held: columns.CatalogColumns, places: _Places, position: int) -> list[int]:
    """The ids of the product at `position`'s neighbours: other listed products of its
    province, those of its ward first, then by more stars, then by id."""
    province, ward, product_id = held.province[position], places.ward[position], held.ids[position]
    rows = places.in_province(held, int(province))
    ids = held.ids[rows]
    order = np.lexsort((ids, -held.stars[rows].astype(np.int64), places.ward[rows] != ward))
    ordered = ids[order]
    return ordered[ordered != product_id][:NEIGHBOURS].tolist()


@dataclass(eq=False)
class _Places:
    """Where each listed product is (its ward, aligned with the columns) and by which slug it
    is asked for: the hash of each slug, sorted, with the product's position in the columns."""

    ward: np.ndarray
    slug_hashes: np.ndarray
    slug_positions: np.ndarray
    provinces: dict = None

    def find(self, slug: str) -> int | None:
        """The position in the columns of the product with this slug, if the columns hold it
        (or, once in a great while, of another whose slug has the same hash: the caller
        checks the product it reads)."""
        wanted = hash(slug)
        at = int(np.searchsorted(self.slug_hashes, wanted))
        if at < len(self.slug_hashes) and self.slug_hashes[at] == wanted:
            return int(self.slug_positions[at])
        return None

    def in_province(self, held: columns.CatalogColumns, province: int) -> np.ndarray:
        rows = self.provinces.get(province)
        if rows is None:
            rows = self.provinces[province] = np.flatnonzero(held.province == province)
        return rows


_PLACES = select(
    func.aggregate_strings(cast(Product.id, String), " "),
    func.aggregate_strings(cast(Product.ward_code, String), " "),
    # Slugs never hold a "/" (the product page's URL could not name one) or a space.
    func.aggregate_strings(Product.slug, " "),
)


def _product_places(held: columns.CatalogColumns) -> _Places:
    """Every listed product's ward and slug, read once per copy of the catalog's columns (which
    hold neither: no index does) and kept with it. Filtering a province in SQL read every
    listed product for each product page; a slug's hash finds the product before its
    statement, so that its neighbours come with it."""
    kept = current_app.extensions.get("product_places")
    if kept is not None and kept[0] is held:
        return kept[1]
    id_text, ward_text, slug_text = db.session.execute(_PLACES.where(columns.listed())).one()
    ids, wards = columns.ints(id_text), columns.ints(ward_text)
    slugs = (slug_text or "").split(" ")
    rows, listed = held.positions(ids)
    ward = np.zeros(len(held), dtype=np.int32)
    ward[rows] = wards[listed]
    if len(slugs) == len(ids) and listed.all():
        hashes = np.fromiter((hash(slug) for slug in slugs), dtype=np.int64, count=len(slugs))
        order = np.argsort(hashes)
        slug_hashes, slug_positions = hashes[order], rows[order]
    else:  # the catalog changed between the two statements: no slug is found (neighbours as before)
        slug_hashes, slug_positions = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32)
    places = _Places(ward, slug_hashes, slug_positions, {})
    current_app.extensions["product_places"] = (held, places)
    return places


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
