"""A producer's listings as services: products, packs, publication, audit and the catalog."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import update

from shop import clock
from shop.audit.services import events
from shop.catalog import editing
from shop.catalog.listing import Filters, list_products
from shop.catalog.models import Product, ProductImage, Variant
from shop.errors import ConflictError, ValidationError
from shop.extensions import db
from tests.catalog.conftest import TODAY, names
from tests.support.builders import a_producer, a_user, make_product


@pytest.fixture(autouse=True)
def english(app):
    """The services' messages are read in English here (the shop's default is Vietnamese)."""
    with force_locale("en"):
        yield


def product_details(**changes) -> editing.ProductDetails:
    values = {
        "name_vi": "Xôi Phú Thượng",
        "name_en": "Phu Thuong sticky rice",
        "summary_vi": "Xôi dẻo nấu từ sáng sớm",
        "group_code": "thuc-pham",
        "subgroup_code": "che-bien-tu-gao",
        "unit_vi": "hộp",
        "shelf_life_days": "1",
        "province_code": "1",
        "ward_code": "91",
        "craft_village": "làng nghề Xôi Phú Thượng",
    }
    values.update(changes)
    return editing.ProductDetails(**values)


def pack(**changes) -> editing.VariantDetails:
    values = {"sku": "XOI-PT-500", "name_vi": "Hộp 500 g", "price_vnd": "35.000", "weight_g": "500"}
    values.update(changes)
    return editing.VariantDetails(**values)


@pytest.fixture
def producer(app):
    return a_producer(name="HTX Xôi Phú Thượng")


@pytest.fixture
def actor(app):
    return a_user(email="chu-nhiem@example.vn")


def ready(producer, actor, **changes) -> Product:
    """A draft with a pack and a picture: everything publishing asks for."""
    product = editing.create_product(producer, product_details(**changes), actor=actor)
    editing.add_variant(product, pack(sku=f"SKU-{product.id}"), actor=actor)
    product.images.append(ProductImage(path="img/hero.svg", alt_vi="Hộp xôi", alt_en="A box of xôi", position=0))
    db.session.commit()
    return product


def search(q: str) -> list[str]:
    return names(list_products(Filters(q=q), today=TODAY))


# --- Products -------------------------------------------------------------------------------


def test_a_new_product_is_a_draft_with_its_search_text_and_an_audit_entry(producer, actor):
    product = editing.create_product(producer, product_details(), actor=actor)
    db.session.commit()
    assert product.status == "draft" and product.published_at is None
    assert product.slug == "xoi-phu-thuong"
    assert product.shelf_life_days == 1 and product.province_code == 1 and product.ward_code == 91
    assert "xoi phu thuong" in product.search_folded
    assert product.price_from_vnd is None
    [entry] = events(producer_id=producer.id)
    assert (entry.action, entry.entity, entry.entity_id) == ("product.create", "product", str(product.id))
    assert entry.actor_role == "producer" and entry.actor_email == "chu-nhiem@example.vn"
    assert entry.after["name_vi"] == "Xôi Phú Thượng" and entry.before is None


def test_two_products_of_the_same_name_get_their_own_addresses(producer, actor):
    first = editing.create_product(producer, product_details(), actor=actor)
    second = editing.create_product(producer, product_details(), actor=actor)
    assert (first.slug, second.slug) == ("xoi-phu-thuong", "xoi-phu-thuong-2")


def test_every_refused_field_is_named_at_once(producer, actor):
    with pytest.raises(editing.ListingErrors) as refused:
        editing.create_product(
            producer,
            product_details(
                name_vi="  ",
                group_code="an-vat",
                shelf_life_days="0",
                season_start_month="13",
                season_end_month="2",
                ward_code="3980",  # Mộc Châu, in Sơn La, not in Hà Nội
            ),
            actor=actor,
        )
    errors = {k: str(v) for k, v in refused.value.errors.items()}
    assert set(errors) == {
        "name_vi",
        "group_code",
        "subgroup_code",
        "shelf_life_days",
        "season_start_month",
        "ward_code",
    }
    assert errors["season_start_month"] == "Choose a month from 1 to 12."
    assert "Hà Nội" in errors["ward_code"]
    assert events(producer_id=producer.id) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("season_start_month", "0"),
        ("season_end_month", "13"),
        ("season_end_month", "tháng 2"),
        ("shelf_life_days", "-3"),
        ("shelf_life_days", "1,5"),
        ("province_code", "99"),
        ("ward_code", "abc"),
        ("subgroup_code", "tra"),  # tea is a subgroup of beverages, not of food
    ],
)
def test_bad_values_are_refused_with_the_field_named(producer, actor, field, value):
    given = {"season_start_month": "1", "season_end_month": "3", field: value}
    with pytest.raises(editing.ListingErrors) as refused:
        editing.create_product(producer, product_details(**given), actor=actor)
    assert set(refused.value.errors) == {field}


def test_a_season_may_run_over_the_new_year_but_needs_both_ends(producer, actor):
    product = editing.create_product(
        producer, product_details(season_start_month="12", season_end_month="2"), actor=actor
    )
    assert product.in_season(1) and product.in_season(12) and not product.in_season(6)
    with pytest.raises(editing.ListingErrors) as refused:
        editing.create_product(producer, product_details(season_start_month="12"), actor=actor)
    assert set(refused.value.errors) == {"season_end_month"}


def test_an_edit_keeps_the_address_and_records_only_what_changed(producer, actor):
    product = editing.create_product(producer, product_details(), actor=actor)
    db.session.commit()
    changed = editing.update_product(
        product, product_details(name_vi="Xôi vò Phú Thượng", shelf_life_days="2"), actor=actor
    )
    db.session.commit()
    assert changed and product.slug == "xoi-phu-thuong"
    assert "xoi vo phu thuong" in product.search_folded
    entry = events(producer_id=producer.id, action="product.update")[0]
    assert entry.before == {"name_vi": "Xôi Phú Thượng", "shelf_life_days": 1}
    assert entry.after == {"name_vi": "Xôi vò Phú Thượng", "shelf_life_days": 2}


def test_an_edit_that_changes_nothing_records_nothing(producer, actor):
    product = editing.create_product(producer, product_details(), actor=actor)
    db.session.commit()
    assert editing.update_product(product, product_details(), actor=actor) is False
    assert [e.action for e in events(producer_id=producer.id)] == ["product.create"]


# --- Packs ----------------------------------------------------------------------------------


def test_a_new_pack_has_no_stock_and_sets_the_lowest_price(producer, actor):
    product = editing.create_product(producer, product_details(), actor=actor)
    variant = editing.add_variant(product, pack(price_vnd="35.000 ₫", low_stock_threshold="5"), actor=actor)
    editing.add_variant(product, pack(sku="XOI-PT-1000", name_vi="Hộp 1 kg", price_vnd="65000"), actor=actor)
    db.session.commit()
    assert (variant.on_hand, variant.reserved, variant.price_vnd, variant.low_stock_threshold) == (0, 0, 35_000, 5)
    assert product.price_from_vnd == 35_000
    entry = events(producer_id=producer.id, action="variant.create")[-1]
    assert entry.after["sku"] == "XOI-PT-500" and entry.after["price_vnd"] == 35_000


@pytest.mark.parametrize("price", ["0", "-5000", "abc", "12.5", "", "1.000,000", "１２０００", 0, -1])
def test_a_price_must_be_whole_dong_above_zero(producer, actor, price):
    product = editing.create_product(producer, product_details(), actor=actor)
    with pytest.raises(editing.ListingErrors) as refused:
        editing.add_variant(product, pack(price_vnd=price), actor=actor)
    assert set(refused.value.errors) == {"price_vnd"}
    assert "đồng" in str(refused.value.errors["price_vnd"])


@pytest.mark.parametrize(("typed", "price"), [("125000", 125_000), ("125.000", 125_000), ("1 250 000đ", 1_250_000)])
def test_prices_are_read_as_people_write_them(typed, price):
    assert editing.parse_price(typed) == price


@pytest.mark.both_databases
def test_a_sku_is_unique_across_the_shop_whatever_its_case(backend, producer, actor):
    other = make_product("Chè Sen Quảng An")
    taken = other.variants[0].sku
    product = editing.create_product(producer, product_details(), actor=actor)
    with pytest.raises(editing.ListingErrors) as refused:
        editing.add_variant(product, pack(sku=taken.lower()), actor=actor)
    assert str(refused.value.errors["sku"]) == f"The SKU {taken.lower()} is already used in the shop. Choose another."


@pytest.mark.parametrize("sku", ["XÔI-500", "XOI 500", "-XOI", "X" * 41])
def test_a_sku_is_plain_letters_digits_and_dashes(producer, actor, sku):
    product = editing.create_product(producer, product_details(), actor=actor)
    with pytest.raises(editing.ListingErrors) as refused:
        editing.add_variant(product, pack(sku=sku), actor=actor)
    assert "sku" in refused.value.errors


def test_a_pack_keeps_its_own_sku_when_edited(producer, actor):
    product = editing.create_product(producer, product_details(), actor=actor)
    variant = editing.add_variant(product, pack(), actor=actor)
    assert editing.update_variant(variant, pack(sku="xoi-pt-500", price_vnd="36000"), actor=actor)
    assert variant.sku == "xoi-pt-500"


def test_a_new_price_is_recorded_and_becomes_the_lowest_price(producer, actor):
    product = editing.create_product(producer, product_details(), actor=actor)
    variant = editing.add_variant(product, pack(), actor=actor)
    db.session.commit()
    editing.update_variant(variant, pack(price_vnd="30.000"), actor=actor)
    db.session.commit()
    assert product.price_from_vnd == 30_000
    entry = events(producer_id=producer.id, action="variant.price")[0]
    assert entry.before == {"price_vnd": 35_000} and entry.after == {"price_vnd": 30_000}
    assert entry.note == "XOI-PT-500"


@pytest.mark.both_databases
def test_a_pack_whose_stock_orders_hold_cannot_be_deleted(backend, producer, actor):
    product = editing.create_product(producer, product_details(), actor=actor)
    held = editing.add_variant(product, pack(), actor=actor)
    editing.add_variant(product, pack(sku="XOI-PT-1000", price_vnd="65000"), actor=actor)
    db.session.execute(update(Variant).where(Variant.id == held.id).values(on_hand=5, reserved=2))
    db.session.commit()
    db.session.refresh(held)
    with pytest.raises(ConflictError, match="Orders hold stock"):
        editing.delete_variant(held, actor=actor)
    db.session.rollback()
    assert db.session.get(Variant, held.id) is not None


def test_a_deleted_pack_goes_with_its_price_and_is_recorded(producer, actor):
    product = editing.create_product(producer, product_details(), actor=actor)
    cheap = editing.add_variant(product, pack(), actor=actor)
    editing.add_variant(product, pack(sku="XOI-PT-1000", price_vnd="65000"), actor=actor)
    db.session.commit()
    cheap_id = cheap.id
    editing.delete_variant(cheap, actor=actor)
    db.session.commit()
    assert db.session.get(Variant, cheap_id) is None
    assert product.price_from_vnd == 65_000 and [v.sku for v in product.variants] == ["XOI-PT-1000"]
    entry = events(producer_id=producer.id, action="variant.delete")[0]
    assert entry.entity_id == str(cheap_id) and entry.before["sku"] == "XOI-PT-500" and entry.after is None


def test_a_published_product_keeps_its_last_pack(producer, actor):
    product = ready(producer, actor)
    editing.publish_product(product, actor=actor)
    db.session.commit()
    with pytest.raises(ConflictError, match="at least one pack"):
        editing.delete_variant(product.variants[0], actor=actor)


# --- Publication and the catalog ------------------------------------------------------------


def test_publishing_needs_a_pack_and_a_picture(producer, actor):
    product = editing.create_product(producer, product_details(), actor=actor)
    with pytest.raises(ValidationError, match="pack"):
        editing.publish_product(product, actor=actor)
    editing.add_variant(product, pack(), actor=actor)
    with pytest.raises(ValidationError, match="picture"):
        editing.publish_product(product, actor=actor)
    assert product.status == "draft"


def test_the_first_publication_date_is_kept(producer, actor, clock):
    product = ready(producer, actor)
    editing.publish_product(product, actor=actor)
    db.session.commit()
    first = product.published_at
    assert first is not None
    clock.shift(timedelta(days=3))
    editing.unpublish_product(product, actor=actor)
    editing.publish_product(product, actor=actor)
    db.session.commit()
    assert product.published_at == first
    actions = [e.action for e in reversed(events(producer_id=producer.id, entity="product"))]
    assert actions == ["product.create", "product.publish", "product.unpublish", "product.publish"]
    publish = events(producer_id=producer.id, action="product.publish")[-1]
    assert publish.before == {"status": "draft"} and publish.after["status"] == "published"


@pytest.mark.both_databases
def test_a_published_product_is_listed_and_found_at_once_and_leaves_when_unpublished(backend, producer, actor):
    product = ready(producer, actor, name_vi="Bánh cốm Hàng Than")
    assert search("banh com") == []
    editing.publish_product(product, actor=actor)
    db.session.commit()
    assert search("banh com") == ["Bánh cốm Hàng Than"]
    listing = list_products(Filters(group="thuc-pham"), today=TODAY)
    assert "Bánh cốm Hàng Than" in names(listing)
    editing.update_product(product, product_details(name_vi="Bánh cốm Mễ Trì"), actor=actor)
    db.session.commit()
    assert search("banh com") == ["Bánh cốm Mễ Trì"]
    editing.unpublish_product(product, actor=actor)
    db.session.commit()
    assert search("banh com") == []
    assert "Bánh cốm Mễ Trì" not in names(list_products(Filters(group="thuc-pham"), today=TODAY))


def test_an_archived_product_leaves_the_catalog_and_comes_back_only_as_a_draft(producer, actor):
    product = ready(producer, actor, name_vi="Bánh cốm Hàng Than")
    editing.publish_product(product, actor=actor)
    editing.archive_product(product, actor=actor)
    db.session.commit()
    assert search("banh com") == []
    with pytest.raises(ConflictError):
        editing.publish_product(product, actor=actor)
    editing.restore_product(product, actor=actor)
    assert product.status == "draft"
    with pytest.raises(ConflictError):
        editing.restore_product(product, actor=actor)


def test_a_price_change_moves_the_price_filter_at_once(producer, actor):
    product = ready(producer, actor, name_vi="Bánh cốm Hàng Than")
    editing.publish_product(product, actor=actor)
    db.session.commit()
    assert "Bánh cốm Hàng Than" in names(list_products(Filters(max_price=40_000), today=TODAY))
    editing.update_variant(product.variants[0], pack(sku=product.variants[0].sku, price_vnd="90000"), actor=actor)
    db.session.commit()
    assert "Bánh cốm Hàng Than" not in names(list_products(Filters(max_price=40_000), today=TODAY))


def test_a_product_is_live_only_while_its_producer_is_active(producer, actor):
    product = ready(producer, actor, name_vi="Bánh cốm Hàng Than")
    editing.publish_product(product, actor=actor)
    db.session.commit()
    assert editing.is_live(product)
    producer.status = "suspended"
    db.session.commit()
    assert not editing.is_live(product)
    assert search("banh com") == []


def test_the_catalogs_stars_are_kept_for_a_certified_product(producer, actor):
    product = make_product("Chè Sen Quảng An", producer=producer, stars=4)
    tea = product_details(name_vi="Chè Sen Quảng An", group_code="do-uong", subgroup_code="tra")
    editing.update_product(product, tea, actor=actor)
    db.session.commit()
    assert product.star_level == 4 and product.star_valid_until >= clock.today()


def test_producer_products_lists_drafts_and_published_unless_asked_for_archived(producer, actor):
    draft = editing.create_product(producer, product_details(name_vi="Nháp"), actor=actor)
    archived = editing.create_product(producer, product_details(name_vi="Cũ"), actor=actor)
    editing.archive_product(archived, actor=actor)
    make_product("Của người khác")
    db.session.commit()
    rows, total = editing.producer_products(producer.id)
    assert [p.id for p in rows] == [draft.id] and total == 1
    rows, total = editing.producer_products(producer.id, status="archived")
    assert [p.id for p in rows] == [archived.id]
