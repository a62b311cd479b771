"""Product cards: what a card shows, read with one Core select, and its HTML, kept by each
process and reused by every listing, search, origin, producer and home page and by the product
page's neighbours.

A built listing spent about half its time rendering its 24 cards (a gettext call per string per
card) and a good part of the rest loading them as ORM objects with their producers and images.
A card now comes from one row of the few columns it shows (`CardProduct`), and its HTML is kept
under a key made of those very values, the language and what it says about stock. Whatever a
card shows is in its key: a new price, name, star level, producer name or picture makes a new
key, so a card is never stale, whether or not the change moved catalog_state's version (a
producer's name or a picture does not move it). The day is in it through the stars shown, which
lapse by date. Stock changes with every order and never moves the version: it is read with the
rows on every request, so a card that runs out shows it at once.

Nothing that differs between visitors or pages is in a card: the page's one add-to-cart form
(the macro add_to_cart_form) holds the CSRF token and the `next` path, and each card's button
names that form with the HTML `form` attribute and sends its product's id as its value."""

from __future__ import annotations

import functools
import json
import secrets
import threading
from datetime import date
from typing import NamedTuple

from flask import current_app, url_for
from flask_babel import gettext, ngettext
from jinja2.filters import do_urlencode
from markupsafe import Markup, escape
from sqlalchemy import Date, Integer, Select, Text, bindparam, cast, exists, func, select
from sqlalchemy.orm import aliased

from shop import geo, reads
from shop.catalog.certificates import stars_now
from shop.catalog.columns import VERSION
from shop.catalog.models import Product, ProductImage, Variant
from shop.extensions import db
from shop.money import format_vnd
from shop.producers.models import Producer

# Cards kept per process: about 1 KB each, so at most ~10 MB. The oldest go first.
CACHE_SIZE = 10_000
_lock = threading.Lock()


class CardProduct(NamedTuple):
    """What a product card shows: names, producer, origin, current stars, lowest price, first
    picture. A tuple of plain values, so that the thousands kept as keys of the cards (see
    `render`) are nothing the garbage collector needs to walk through."""

    id: int
    slug: str
    name_vi: str
    name_en: str | None
    producer_name: str
    province_code: int
    ward_code: int
    price_from_vnd: int | None
    stars: int | None  # the current certificate's, on the day it was read
    image_path: str | None
    image_alt_vi: str | None
    image_alt_en: str | None

    def name(self, locale: str) -> str:
        return (self.name_en if locale == "en" else None) or self.name_vi

    def image_alt(self, locale: str) -> str:
        return (self.image_alt_en if locale == "en" else None) or self.image_alt_vi or ""

    @property
    def province_name(self) -> str | None:
        return geo.province_name(self.province_code)

    @property
    def ward_name(self) -> str | None:
        return geo.ward_name(self.ward_code)

    @property
    def origin(self) -> str:
        return ", ".join(name for name in (self.ward_name, self.province_name) if name)

    @property
    def price_text(self) -> str:
        return format_vnd(self.price_from_vnd) if self.price_from_vnd is not None else ""


class CardTexts:
    """The words and links every card of one language shares, looked up once for each kind of
    card (see _shape). The texts with placeholders are filled in by the card (`from_price`,
    `add_named`). Asked with gettext and ngettext so that `make extract-messages` finds them."""

    def __init__(self, locale: str):
        self.locale = locale
        self.no_stars = gettext("Certification pending or lapsed")
        self.from_price = gettext("from %(price)s")  # without variables, the text as translated
        self.out_of_stock = gettext("Out of stock")
        self.add = gettext("Add to cart")
        self.add_named = gettext("Add to cart: %(name)s")
        self.stars = {n: ngettext("%(num)d-star OCOP", "%(num)d-star OCOP", n) for n in (3, 4, 5)}
        # Links are the rule's start and the escaped slug or file, as url_for builds them.
        self.product_path = url_for("catalog.product", slug="-")[:-1]
        self.static_path = url_for("static", filename="-")[:-1]
        self.placeholder = url_for("static", filename="img/product-placeholder.svg")


def in_stock():
    """SQL: the product has a pack with stock that no order holds."""
    return exists().where(Variant.product_id == Product.id, Variant.on_hand > Variant.reserved)


@functools.cache
def query(*, with_stock: bool = False) -> Select:
    """The columns of CardProduct (then, `with_stock`, whether the product is in stock), one row
    per product, for `fetch`: callers add which products and in what order. The first picture
    is looked up per product by the images' index, so a LIMIT counts products. The day the
    stars are shown for is the parameter `card_today`.

    Built once: putting this statement together (its correlated subquery most) cost more than
    running it."""
    columns = [
        Product.id,
        Product.slug,
        Product.name_vi,
        Product.name_en,
        # A lookup by key for each card: PostgreSQL hashed every producer to join them.
        select(Producer.name).where(Producer.id == Product.producer_id).scalar_subquery(),
        Product.province_code,
        Product.ward_code,
        Product.price_from_vnd,
        stars_now(bindparam("card_today", type_=Date)),
        ProductImage.path,
        ProductImage.alt_vi,
        ProductImage.alt_en,
    ]
    if with_stock:
        columns.append(in_stock())
    return select(*columns).outerjoin(ProductImage, ProductImage.id == first_image("id"))


def first_image(column: str):
    """SQL: this column (`id`, `path`) of the product's first picture, by position then id: a
    lookup by the images' index per product."""
    image = aliased(ProductImage)
    first = select(getattr(image, column)).where(image.product_id == Product.id).order_by(image.position, image.id)
    return first.limit(1).correlate(Product).scalar_subquery()


def fetch(
    statement: Select, *, today: date, with_stock: bool = False, params: dict | None = None
) -> tuple[list[CardProduct], dict[int, bool]]:
    """The cards `statement` (built on `query`) finds, in its order, and (`with_stock`) which are in stock.

    Cards are read through the session's connection, as Core rows: the ORM's handling of a
    result cost a third of the statement, and a GET has no changes to flush first."""
    rows = db.session.connection().execute(statement, {"card_today": today, **(params or {})})
    return _from_rows(rows, with_stock=with_stock)


def _from_rows(rows, *, with_stock: bool) -> tuple[list[CardProduct], dict[int, bool]]:
    """CardProducts of rows of `query` (with the stock column, and any columns after it)."""
    width = len(CardProduct._fields)
    cards, stock = [], {}
    for row in rows:
        card = CardProduct(*row[:width])
        cards.append(card)
        if with_stock:
            stock[card.id] = bool(row[width])
    return cards, stock


def top(where: list, order_by: list, *, today: date, limit: int, offset: int = 0, with_stock: bool = False):
    """The cards of the first `limit` products (after `offset`) meeting `where` in the order
    `order_by`, and (`with_stock`) which are in stock. The page's ids are chosen first, from
    the products alone (the listing index can serve it), and only their cards are read: the
    database does not look up a picture and a producer for every candidate."""
    chosen = select(Product.id).where(*where).order_by(*order_by).limit(limit).offset(offset).subquery()
    statement = query(with_stock=with_stock).join(chosen, chosen.c.id == Product.id).order_by(*order_by)
    return fetch(statement, today=today, with_stock=with_stock)


@functools.cache
def _by_ids(with_stock: bool, with_version: bool, width: int) -> Select:
    """The cards of up to `width` products, their ids as parameters card_id_0 … (see _load)."""
    statement = query(with_stock=with_stock).where(Product.id.in_(_id_parameters("card_id", width)))
    # The catalog's version as of these very rows, last (see load_checked).
    return statement.add_columns(VERSION.scalar_subquery()) if with_version else statement


def _width(count: int) -> int:
    """How many ids a statement of _by_ids takes for `count` ids: a few fixed widths."""
    return max(4, 1 << (count - 1).bit_length())


def _id_parameters(prefix: str, width: int) -> list:
    return [bindparam(f"{prefix}_{n}", type_=Integer) for n in range(width)]


def id_params(prefix: str, ids: list[int], width: int) -> dict[str, int]:
    """The values of `width` id parameters named <prefix>_0 …: the ids, then 0, which no
    product has. A fixed number of parameters rather than an expanding IN: the statement's
    text is the same whatever the ids, so it is not rewritten for each list (0.2 ms), and
    PostgreSQL plans it once per connection."""
    params = {f"{prefix}_{n}": product_id for n, product_id in enumerate(ids[:width])}
    params.update({f"{prefix}_{n}": 0 for n in range(len(params), width)})
    return params


def json_of_ids(prefix: str, width: int, dialect: str):
    """SQL, a value: the cards of the products whose ids are the parameters <prefix>_0 … (see
    id_params), as a JSON array of rows (`from_json`), so that another statement can bring
    them along (the product page brings its neighbours). Uncorrelated: computed once."""
    found = query().where(Product.id.in_(_id_parameters(prefix, width))).subquery()
    if dialect == "postgresql":
        # As text, as SQLite gives it: the row it comes in must be hashable (the ORM's unique()).
        rows = cast(func.json_agg(func.json_build_array(*found.c)), Text)
    else:
        rows = func.json_group_array(func.json_array(*found.c))
    return select(rows).scalar_subquery()


def from_json(value: str | None) -> list[CardProduct]:
    """The cards of json_of_ids's value, in no order."""
    return [CardProduct(*row) for row in json.loads(value or "[]")]


def load(ids: list[int], *, today: date, with_stock: bool = False) -> tuple[list[CardProduct], dict[int, bool]]:
    """The cards of the products `ids`, in that order (one statement), and which are in stock."""
    cards, stock, _ = _load(ids, today, with_stock, with_version=False)
    return cards, stock


def load_checked(
    ids: list[int], *, today: date, with_stock: bool = False
) -> tuple[list[CardProduct], dict[int, bool], int | None]:
    """As `load`, and catalog_state's version read in the same statement (None without ids):
    a page that chose `ids` from this process's copy of the catalog's columns checks it with
    this (selection.held_columns) instead of asking for the version first."""
    return _load(ids, today, with_stock, with_version=True)


def _load(ids: list[int], today: date, with_stock: bool, with_version: bool):
    if not ids:
        return [], {}, None
    width = _width(len(ids))
    params = {**id_params("card_id", ids, width), "card_today": today}
    rows = reads.rows(_by_ids(with_stock, with_version, width), params)
    cards, stock = _from_rows(rows, with_stock=with_stock)
    by_id = {card.id: card for card in cards}
    version = rows[0][-1] if with_version and rows else None
    return [by_id[i] for i in ids if i in by_id], stock, version


def render(products: list[CardProduct], locale: str, in_stock: dict[int, bool] | None = None) -> Markup:
    """The HTML of the cards, as one string: each from this process's cache, or filled in
    from its shape (see `_shape`). `in_stock`: whether each is in stock, for a page that shows
    stock and add-to-cart buttons (None: neither)."""
    held = current_app.extensions.setdefault("product_cards", {})
    parts = []
    for product in products:
        stock = None if in_stock is None else in_stock.get(product.id, False)
        key = (locale, stock, product)
        html = held.get(key)
        if html is None:
            html = held[key] = _fill(product, locale, stock)
            if len(held) > CACHE_SIZE:
                _forget_oldest(held)
        parts.append(html)
    # Kept as plain str (not Markup) for the garbage collector's sake; every card is markup
    # built by _fill, which escapes each value.
    return Markup("".join(parts))  # noqa: S704


# --- Shapes: a card rendered once per kind, then filled in ------------------------------------
#
# Rendering the macro `card` took some 35 µs a card, and a page of cards nobody had asked for
# yet (most pages of a large catalog) paid it 24 times. A card's markup depends on its values
# only through a few choices (language, stock, picture or not, stars, price or not), so the
# macro is rendered once per such choice with markers for the values, and each card is that
# shape with its values filled in, escaped exactly as the template escapes them.

# Letters and digits only, so that neither HTML escaping nor URL quoting changes a marker.
_MARK = "card" + secrets.token_hex(6)
_FIELDS = ("id", "slug", "image", "alt", "name", "producer", "origin", "price")


def _marker(field: str) -> str:
    return f"{_MARK}{field}{_MARK}"


class _Marked:
    """Stands in for a CardProduct while a shape is rendered: markers instead of values."""

    def __init__(self, has_image: bool, stars: int | None, has_price: bool):
        self.id, self.slug = _marker("id"), _marker("slug")
        self.image_path = _marker("image") if has_image else None
        self.producer_name, self.origin = _marker("producer"), _marker("origin")
        self.stars = stars
        self.price_from_vnd, self.price_text = (0 if has_price else None), _marker("price")

    def name(self, locale: str) -> str:
        return _marker("name")

    def image_alt(self, locale: str) -> str:
        return _marker("alt")


def _shape(locale: str, stock: bool | None, has_image: bool, stars: int | None, has_price: bool) -> str:
    """The card's markup for these choices as a str.format template of _FIELDS."""
    shapes = current_app.extensions.setdefault("card_shapes", {})
    key = (locale, stock, has_image, stars, has_price)
    shape = shapes.get(key)
    if shape is None:
        card = current_app.jinja_env.get_template("macros/catalog.html").module.card
        html = str(card(_Marked(has_image, stars, has_price), CardTexts(locale), stock))
        shape = html.replace("{", "{{").replace("}", "}}")
        for field in _FIELDS:
            shape = shape.replace(_marker(field), "{" + field + "}")
        shapes[key] = shape
    return shape


def _fill(product: CardProduct, locale: str, stock: bool | None) -> str:
    """The card's markup: its shape with its values, escaped as the template escapes them."""
    has_image = bool(product.image_path)
    shape = _shape(locale, stock, has_image, product.stars or None, product.price_from_vnd is not None)
    return shape.format(
        id=product.id,
        slug=escape(do_urlencode(product.slug)),
        image=escape(do_urlencode(product.image_path)) if has_image else "",
        alt=escape(product.image_alt(locale)),
        name=escape(product.name(locale)),
        producer=escape(product.producer_name),
        origin=escape(product.origin),
        price=escape(product.price_text),
    )


def _forget_oldest(held: dict) -> None:
    # Dicts keep their order of insertion: the first keys are the oldest cards.
    with _lock:
        for key in list(held)[: max(1, CACHE_SIZE // 10)]:
            held.pop(key, None)
