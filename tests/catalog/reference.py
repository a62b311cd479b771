"""Plain SQL answers to what the catalog computes in memory from the catalog's columns
(shop/catalog/columns.py), for the tests to compare with: one GROUP BY per facet, and the
listing's ORDER BY over every matching product."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from shop.catalog import columns, listing, selection
from shop.catalog.listing import Filters
from shop.catalog.models import Product
from shop.extensions import db
from shop.producers.models import Producer


def facet_counts(f: Filters, today: date):
    """As selection.select_products gives them: each facet with every filter but its own."""

    def counts(column, skip, *extra):
        conditions = listing._conditions(f, today, skip=skip)
        return select(column, func.count()).where(*conditions, *extra).group_by(column)

    star_counts = dict(db.session.execute(counts(Product.star_level, "stars", Product.star_valid_until >= today)).all())
    group_counts = dict(db.session.execute(counts(Product.group_code, "group")).all())
    province_counts = dict(db.session.execute(counts(Product.province_code, "province")).all())
    per_producer = counts(Product.producer_id, "producer").subquery()
    producer_rows = db.session.execute(
        select(Producer.slug, Producer.name, per_producer.c.count)
        .join(per_producer, per_producer.c.producer_id == Producer.id)
        .order_by(per_producer.c.count.desc(), Producer.name)
        .limit(selection.PRODUCER_FACET_SIZE)
    ).all()
    return star_counts, group_counts, province_counts, [tuple(row) for row in producer_rows]


def ordered_ids(f: Filters, today: date) -> list[int]:
    """Every product the filters keep, in the listing's order."""
    query = select(Product.id).where(*listing._conditions(f, today)).order_by(*listing._order(f, today))
    return list(db.session.scalars(query))


def home_sections(today: date, shelf_size: int = 4) -> dict:
    """As pages.home_sections, by id: shelves of the newest listed products, groups, origins."""

    def shelf(*conditions) -> list[int]:
        query = select(Product.id).where(columns.listed(), *conditions)
        return list(
            db.session.scalars(query.order_by(Product.published_at.desc(), Product.id.desc()).limit(shelf_size))
        )

    groups = select(Product.group_code, func.count()).where(columns.listed()).group_by(Product.group_code)
    origins = (
        select(Product.province_code, func.count())
        .where(columns.listed())
        .group_by(Product.province_code)
        .order_by(func.count().desc(), Product.province_code)
        .limit(8)
    )
    return {
        "featured": shelf(Product.featured),
        "shelves": {
            level: shelf(Product.star_level == level, Product.star_valid_until >= today) for level in (5, 4, 3)
        },
        "groups": dict(db.session.execute(groups).all()),
        "origins": [tuple(row) for row in db.session.execute(origins)],
    }
