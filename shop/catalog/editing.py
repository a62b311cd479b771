"""A producer's listings: create and edit products and their packs (variants), publish,
unpublish, archive and restore them. Every change is written to the audit log with the values
before and after, and the catalog's derived columns (search text, lowest price, stars) are
brought up to date in the same transaction, so listings, searches and facets show it as soon as
it commits; the cached catalog pages are dropped after that commit.

Stock on hand is not edited here (shop/inventory owns it): a new pack starts with none.
Nothing here commits."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from shop import audit, clock, geo
from shop.catalog.certificates import refresh_rating
from shop.catalog.groups import GROUPS_BY_CODE, SUBGROUP_TO_GROUP
from shop.catalog.models import Product, Variant
from shop.catalog.search import refresh_product
from shop.errors import ConflictError, ValidationError
from shop.extensions import cache, db
from shop.mail.services import after_commit
from shop.text import clean_text, slugify

STATUSES = ("draft", "published", "archived")
STATUS_LABELS = {
    "draft": _l("Draft"),
    "published": _l("Published"),
    "archived": _l("Archived"),
}

MAX_PRICE_VND = 1_000_000_000
MAX_WEIGHT_G = 1_000_000
MAX_SHELF_LIFE_DAYS = 3650
MAX_THRESHOLD = 1_000_000
MAX_DESCRIPTION = 5000
SKU_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")

# What a product's audit entries compare (and a variant's): the fields a producer edits.
PRODUCT_FIELDS = (
    "name_vi",
    "name_en",
    "summary_vi",
    "summary_en",
    "description_vi",
    "description_en",
    "group_code",
    "subgroup_code",
    "unit_vi",
    "unit_en",
    "shelf_life_days",
    "season_start_month",
    "season_end_month",
    "province_code",
    "ward_code",
    "former_name",
    "craft_village",
)
VARIANT_FIELDS = ("sku", "name_vi", "name_en", "price_vnd", "weight_g", "low_stock_threshold")

# Longest text per field, as the columns hold it.
_LENGTHS = {
    "name_vi": 200,
    "name_en": 200,
    "summary_vi": 300,
    "summary_en": 300,
    "description_vi": MAX_DESCRIPTION,
    "description_en": MAX_DESCRIPTION,
    "unit_vi": 60,
    "unit_en": 60,
    "former_name": 200,
    "craft_village": 200,
}
_VARIANT_LENGTHS = {"name_vi": 120, "name_en": 120}


class ListingErrors(ValidationError):
    """Several fields refused at once: `errors` maps each field's name to its message (the first
    is also the error's own `message` and `field`)."""

    def __init__(self, errors: dict):
        field, message = next(iter(errors.items()))
        super().__init__(message, field=field)
        self.errors = dict(errors)


class FieldErrors:
    def __init__(self) -> None:
        self.found: dict[str, object] = {}

    def add(self, field: str, message) -> None:
        self.found.setdefault(field, message)

    def raise_any(self) -> None:
        if self.found:
            raise ListingErrors(self.found)


# --- Reading what a producer typed -----------------------------------------------------------


_PLAIN = re.compile(r"[0-9]{1,12}")
_GROUPED = re.compile(r"[0-9]{1,3}(?:([., \u00a0])[0-9]{3})(?:\1[0-9]{3})*")


def _whole(value, *, field: str, errors: FieldErrors, message, minimum: int, maximum: int) -> int | None:
    """A whole number from the form (digits, or digits in groups of three: 125.000, 1 000 000),
    between `minimum` and `maximum`; None when empty. Anything else adds `message`."""
    if value is None:
        return None
    if isinstance(value, bool):
        errors.add(field, message)
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        if not text:
            return None
        if _PLAIN.fullmatch(text):
            number = int(text)
        elif _GROUPED.fullmatch(text):
            number = int(re.sub(r"[^0-9]", "", text))
        else:
            errors.add(field, message)
            return None
    if not minimum <= number <= maximum:
        errors.add(field, message)
        return None
    return number


def parse_price(value, *, errors: FieldErrors | None = None, field: str = "price_vnd") -> int | None:
    """A price in đồng: a whole number above 0, typed as 125000, 125.000, 125,000 or 125.000 ₫."""
    own = errors is None
    errors = errors or FieldErrors()
    message = _l("Enter the price in đồng as a whole number above 0, e.g. 125000 or 125.000.")
    if isinstance(value, str):
        value = re.sub(r"\s*(₫|đ|vnđ|vnd|đồng)\s*$", "", value.strip(), flags=re.IGNORECASE)
    price = _whole(value, field=field, errors=errors, message=message, minimum=1, maximum=MAX_PRICE_VND)
    if price is None and field not in errors.found:
        errors.add(field, _l("Enter the price in đồng."))
    if own:
        errors.raise_any()
    return price


# --- Products -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductDetails:
    """What a producer says about a product. Numbers and codes may come as text from a form;
    `check` reads them."""

    name_vi: object = None
    name_en: object = None
    summary_vi: object = None
    summary_en: object = None
    description_vi: object = None
    description_en: object = None
    group_code: object = None
    subgroup_code: object = None
    unit_vi: object = None
    unit_en: object = None
    shelf_life_days: object = None
    season_start_month: object = None
    season_end_month: object = None
    province_code: object = None
    ward_code: object = None
    former_name: object = None
    craft_village: object = None

    @classmethod
    def from_form(cls, form) -> ProductDetails:
        return cls(**{f.name: getattr(form, f.name).data for f in fields(cls)})

    @classmethod
    def of(cls, product: Product) -> ProductDetails:
        return cls(**{name: getattr(product, name) for name in PRODUCT_FIELDS})

    def check(self) -> dict:
        """The values to store, by column. Raises ListingErrors naming every field refused."""
        errors = FieldErrors()
        values: dict[str, object] = {}
        for name, longest in _LENGTHS.items():
            text = clean_text(getattr(self, name), multiline=name.startswith("description"))
            if text is not None and len(text) > longest:
                errors.add(name, _l("At most %(count)d characters.", count=longest))
            values[name] = text
        if not values["name_vi"]:
            errors.add("name_vi", _l("Give the product's name in Vietnamese."))

        group = clean_text(self.group_code)
        if group not in GROUPS_BY_CODE:
            errors.add("group_code", _l("Choose the product's OCOP group."))
        subgroup = clean_text(self.subgroup_code)
        if subgroup is not None and SUBGROUP_TO_GROUP.get(subgroup) != group:
            errors.add("subgroup_code", _l("Choose a subgroup of the chosen group, or none."))
        values.update(group_code=group, subgroup_code=subgroup)

        values["shelf_life_days"] = _whole(
            self.shelf_life_days,
            field="shelf_life_days",
            errors=errors,
            message=_l("Enter the shelf life in days, from 1 to %(max)d, or leave it empty.", max=MAX_SHELF_LIFE_DAYS),
            minimum=1,
            maximum=MAX_SHELF_LIFE_DAYS,
        )
        month = _l("Choose a month from 1 to 12.")
        start = _whole(
            self.season_start_month, field="season_start_month", errors=errors, message=month, minimum=1, maximum=12
        )
        end = _whole(
            self.season_end_month, field="season_end_month", errors=errors, message=month, minimum=1, maximum=12
        )
        both = _l("Choose both the first and the last month of the season, or neither.")
        if start is None and end is not None and "season_start_month" not in errors.found:
            errors.add("season_start_month", both)
        if end is None and start is not None and "season_end_month" not in errors.found:
            errors.add("season_end_month", both)
        values.update(season_start_month=start, season_end_month=end)

        province = _whole(
            self.province_code,
            field="province_code",
            errors=errors,
            message=_l("Choose a province or city."),
            minimum=1,
            maximum=99,
        )
        if province is None or geo.province_name(province) is None:
            errors.add("province_code", _l("Choose a province or city."))
        ward = _whole(
            self.ward_code,
            field="ward_code",
            errors=errors,
            message=_l("Choose a commune or ward."),
            minimum=1,
            maximum=99_999,
        )
        if "province_code" not in errors.found and not geo.ward_in_province(province, ward):
            errors.add(
                "ward_code",
                _l("Choose a commune or ward of %(province)s.", province=geo.province_name(province)),
            )
        values.update(province_code=province, ward_code=ward)
        errors.raise_any()
        return values


def _unique_slug(name: str) -> str:
    base = slugify(name)
    taken = set(db.session.scalars(select(Product.slug).where(Product.slug.like(f"{base}%"))))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _refresh(product: Product) -> None:
    """Bring the product's derived columns up to date: search text, lowest price, stars."""
    refresh_product(product)
    refresh_rating(product, clock.today())


def _forget_cached_pages() -> None:
    """Drop every cached catalog page (shop/page_cache.py): a cached page never reads the
    database, so nothing else would show the change before the entry lapses."""
    cache.clear()


def catalog_changed(product: Product, *, was_published: bool | None = None) -> None:
    """After a change to what a product shows: refresh its derived columns now and, when it is
    or was in the catalog, drop the cached pages once the change has committed."""
    _refresh(product)
    db.session.flush()
    if product.status == "published" or was_published:
        after_commit(_forget_cached_pages)


def _record(action: str, entity: str, entity_id, product: Product, actor, *, before=None, after=None, note=None):
    audit.record(
        action,
        entity,
        entity_id,
        actor=actor,
        role="producer",
        producer_id=product.producer_id,
        before=before,
        after=after,
        note=note if note is not None else product.name_vi,
    )


def create_product(producer, details: ProductDetails, *, actor=None) -> Product:
    """A new draft product of `producer`. Raises ListingErrors."""
    values = details.check()
    product = Product(producer=producer, slug=_unique_slug(values["name_vi"]), status="draft", **values)
    db.session.add(product)
    _refresh(product)
    db.session.flush()
    _record("product.create", "product", product.id, product, actor, after=audit.snapshot(product, PRODUCT_FIELDS))
    return product


def update_product(product: Product, details: ProductDetails, *, actor=None) -> bool:
    """Change what a product says; True if anything changed. The slug (its address) stays.
    Raises ListingErrors."""
    values = details.check()
    before = audit.snapshot(product, PRODUCT_FIELDS)
    for name, value in values.items():
        setattr(product, name, value)
    after = audit.snapshot(product, PRODUCT_FIELDS)
    if before == after:
        return False
    catalog_changed(product)
    _record("product.update", "product", product.id, product, actor, before=before, after=after)
    return True


def publish_problems(product: Product) -> list:
    """What keeps the product from being published (empty when nothing does): a pack with a
    price, and a picture."""
    problems = []
    if not product.variants:
        problems.append(_l("Add at least one pack with its price."))
    if not product.images:
        problems.append(_l("Add at least one picture."))
    return problems


def is_live(product: Product) -> bool:
    """Shoppers see it: published, and its producer is active."""
    return product.status == "published" and product.producer.status == "active"


def _move(product: Product, to: str, *, actor, action: str) -> None:
    was = product.status
    product.status = to
    if to == "published" and product.published_at is None:
        product.published_at = clock.now()
    catalog_changed(product, was_published=was == "published")
    _record(
        action,
        "product",
        product.id,
        product,
        actor,
        before={"status": was},
        after={"status": to, **({"published_at": product.published_at} if action == "product.publish" else {})},
    )


def publish_product(product: Product, *, actor=None) -> None:
    """Put a draft product in the catalog (shown while its producer is active). The first
    publication's time is kept as its publication date. Raises ValidationError, ConflictError."""
    if product.status == "published":
        raise ConflictError(_l("This product is already published."))
    if product.status == "archived":
        raise ConflictError(_l("Restore the product to the drafts before publishing it."))
    problems = publish_problems(product)
    if problems:
        raise ValidationError(problems[0])
    _move(product, "published", actor=actor, action="product.publish")


def unpublish_product(product: Product, *, actor=None) -> None:
    """Take a published product out of the catalog, back to the drafts. Raises ConflictError."""
    if product.status != "published":
        raise ConflictError(_l("This product is not published."))
    _move(product, "draft", actor=actor, action="product.unpublish")


def archive_product(product: Product, *, actor=None) -> None:
    """Put a product away (out of the catalog and of the usual list). Raises ConflictError."""
    if product.status == "archived":
        raise ConflictError(_l("This product is already archived."))
    _move(product, "archived", actor=actor, action="product.archive")


def restore_product(product: Product, *, actor=None) -> None:
    """Bring an archived product back to the drafts. Raises ConflictError."""
    if product.status != "archived":
        raise ConflictError(_l("This product is not archived."))
    _move(product, "draft", actor=actor, action="product.restore")


def producer_products(producer_id: int, *, status: str | None = None, page: int = 1, per_page: int = 50):
    """(products of the page, total count): the producer's products, newest first; `status`
    one of STATUSES, or None for drafts and published ones (archived ones only when asked)."""
    condition = Product.producer_id == producer_id
    if status in STATUSES:
        condition = condition & (Product.status == status)
    else:
        condition = condition & (Product.status != "archived")
    total = db.session.scalar(select(func.count()).select_from(Product).where(condition))
    rows = db.session.scalars(
        select(Product).where(condition).order_by(Product.id.desc()).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return list(rows), total


# --- Variants (packs) -----------------------------------------------------------------------


@dataclass(frozen=True)
class VariantDetails:
    """What a producer says about a pack: its SKU, names, price, weight and low-stock threshold."""

    sku: object = None
    name_vi: object = None
    name_en: object = None
    price_vnd: object = None
    weight_g: object = None
    low_stock_threshold: object = None

    @classmethod
    def from_form(cls, form) -> VariantDetails:
        return cls(**{f.name: getattr(form, f.name).data for f in fields(cls)})

    def check(self, *, variant_id: int | None = None) -> dict:
        """The values to store. Raises ListingErrors naming every field refused."""
        errors = FieldErrors()
        sku = clean_text(self.sku)
        if not sku:
            errors.add("sku", _l("Give the pack a SKU, e.g. XOI-PT-500."))
        elif not SKU_PATTERN.fullmatch(sku):
            errors.add(
                "sku",
                _l(
                    "A SKU has at most 40 letters (without accents), digits, dots, dashes and underscores, "
                    "e.g. XOI-PT-500."
                ),
            )
        elif sku_taken(sku, variant_id=variant_id):
            errors.add("sku", _l("The SKU %(sku)s is already used in the shop. Choose another.", sku=sku))
        values = {"sku": sku}
        for name, longest in _VARIANT_LENGTHS.items():
            text = clean_text(getattr(self, name))
            if text is not None and len(text) > longest:
                errors.add(name, _l("At most %(count)d characters.", count=longest))
            values[name] = text
        if not values["name_vi"]:
            errors.add("name_vi", _l("Name the pack in Vietnamese, e.g. Hộp 500 g."))
        values["price_vnd"] = parse_price(self.price_vnd, errors=errors)
        values["weight_g"] = _whole(
            self.weight_g,
            field="weight_g",
            errors=errors,
            message=_l("Enter the weight in grams, a whole number above 0, or leave it empty."),
            minimum=1,
            maximum=MAX_WEIGHT_G,
        )
        values["low_stock_threshold"] = _whole(
            self.low_stock_threshold,
            field="low_stock_threshold",
            errors=errors,
            message=_l("Enter a whole number of units, 0 or more, or leave it empty."),
            minimum=0,
            maximum=MAX_THRESHOLD,
        )
        errors.raise_any()
        return values


def sku_taken(sku: str, *, variant_id: int | None = None) -> bool:
    """Whether another pack in the shop has this SKU, in any case ("xoi-1" is "XOI-1")."""
    query = select(Variant.id).where(func.lower(Variant.sku) == sku.lower())
    if variant_id is not None:
        query = query.where(Variant.id != variant_id)
    return db.session.scalar(query.limit(1)) is not None


def add_variant(product: Product, details: VariantDetails, *, actor=None) -> Variant:
    """A new pack of `product`, with no stock on hand. Raises ListingErrors."""
    values = details.check()
    variant = Variant(product=product, on_hand=0, reserved=0, **values)
    db.session.add(variant)
    db.session.flush()
    catalog_changed(product)
    _record("variant.create", "variant", variant.id, product, actor, after=audit.snapshot(variant, VARIANT_FIELDS))
    return variant


def update_variant(variant: Variant, details: VariantDetails, *, actor=None) -> bool:
    """Change a pack's SKU, names, price, weight or threshold; True if anything changed.
    Raises ListingErrors."""
    values = details.check(variant_id=variant.id)
    before = audit.snapshot(variant, VARIANT_FIELDS)
    for name, value in values.items():
        setattr(variant, name, value)
    after = audit.snapshot(variant, VARIANT_FIELDS)
    if before == after:
        return False
    db.session.flush()
    product = variant.product
    catalog_changed(product)
    action = "variant.price" if before["price_vnd"] != after["price_vnd"] else "variant.update"
    _record(action, "variant", variant.id, product, actor, before=before, after=after, note=variant.sku)
    return True


def delete_variant(variant: Variant, *, actor=None) -> None:
    """Delete a pack that no order holds stock of (orders already placed keep their copy of its
    name and price). A published product keeps at least one. Raises ConflictError."""
    product = variant.product
    if product.status == "published" and len(product.variants) <= 1:
        raise ConflictError(_l("A published product needs at least one pack. Add another or unpublish it first."))
    variant_id = variant.id
    before = audit.snapshot(variant, (*VARIANT_FIELDS, "on_hand"))
    # Guarded like every stock change: an order reserving this pack meanwhile keeps it.
    result = db.session.execute(
        delete(Variant).where(Variant.id == variant_id, Variant.reserved == 0),
        execution_options={"synchronize_session": False},
    )
    if result.rowcount != 1:
        raise ConflictError(
            _l("Orders hold stock of this pack. It can be deleted once they have shipped or been cancelled.")
        )
    db.session.expunge(variant)
    db.session.expire(product, ["variants"])
    catalog_changed(product)
    _record("variant.delete", "variant", variant_id, product, actor, before=before, note=before["sku"])
