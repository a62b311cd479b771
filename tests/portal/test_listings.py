"""The producer's listing pages: products, packs and pictures, who may open them, what bad
input says, and the catalog (with its page cache on) showing a change at once."""

from __future__ import annotations

import io
import os
import re
from html import unescape

import pytest
from PIL import Image
from sqlalchemy import select, update
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from shop.audit.services import events
from shop.catalog import editing, images
from shop.catalog.models import Product, ProductImage, Variant
from shop.extensions import cache, db
from tests.catalog.test_images import png_header
from tests.conftest import csrf_token_from, submit
from tests.support.builders import a_user, make_product


@pytest.fixture(autouse=True)
def english(client):
    """Pages in English, as a browser that asks for it gets them (the default is Vietnamese)."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "UPLOAD_FOLDER": str(tmp_path / "uploads")}


def picture(fmt="PNG", size=(800, 600)) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", size, (120, 160, 60)).save(out, fmt)
    out.seek(0)
    return out


PRODUCT_FORM = {
    "name_vi": "Bánh cốm Hàng Than",
    "name_en": "Green rice cake",
    "summary_vi": "Bánh cốm dẻo thơm",
    "group_code": "thuc-pham",
    "subgroup_code": "che-bien-tu-gao",
    "unit_vi": "hộp",
    "shelf_life_days": "5",
    "season_start_month": "",
    "season_end_month": "",
    "province_code": "1",
    "ward_code": "91",
}
PACK_FORM = {"sku": "COM-HT-10", "name_vi": "Hộp 10 chiếc", "price_vnd": "120.000", "weight_g": "600"}


def page(response) -> str:
    return response.get_data(as_text=True)


def errors_on(html: str) -> list[str]:
    found = re.findall(r'class="field-error"[^>]*>(.*?)</p>', html, re.S)
    return [unescape(re.sub(r"\s+", " ", m).strip()) for m in found]


@pytest.fixture
def signed_in(as_member, owner):
    return as_member(owner)


@pytest.fixture
def draft(producer):
    """A draft of the producer's with a pack and a picture: ready to publish."""
    product = make_product("Bánh cốm Hàng Than", producer=producer, status="draft", stars=None)
    product.published_at = None
    db.session.commit()
    return product


# --- The list and the menu ------------------------------------------------------------------


def test_the_menu_leads_to_the_producers_own_products(client, signed_in, producer, other_producer):
    make_product("Xôi gấc", producer=producer)
    make_product("Trà sen Tây Hồ", producer=other_producer)
    dashboard = page(client.get("/producer/"))
    assert 'href="/producer/products"' in dashboard
    html = page(client.get("/producer/products"))
    assert "Xôi gấc" in html and "Trà sen Tây Hồ" not in html
    assert 'aria-current="page"' in html.split('href="/producer/products"')[1][:40]


def test_the_list_filters_by_status(client, signed_in, producer, draft):
    make_product("Xôi gấc", producer=producer)
    archived = make_product("Chè cũ", producer=producer, status="archived")
    assert archived.status == "archived"
    everyday = page(client.get("/producer/products"))
    assert "Xôi gấc" in everyday and "Bánh cốm Hàng Than" in everyday and "Chè cũ" not in everyday
    drafts = page(client.get("/producer/products?status=draft"))
    assert "Bánh cốm Hàng Than" in drafts and "Xôi gấc" not in drafts
    assert "Chè cũ" in page(client.get("/producer/products?status=archived"))
    assert client.get("/producer/products?status=nonsense&page=x").status_code == 200


def test_staff_manage_listings_too(client, as_member, staff, draft):
    as_member(staff)
    assert client.get(f"/producer/products/{draft.id}").status_code == 200


# --- Products -------------------------------------------------------------------------------


def test_a_producer_adds_a_product_as_a_draft(client, signed_in, producer, owner):
    form = page(client.get("/producer/products/new"))
    assert '<label for="name_vi">' in form and '<label for="ward_code">' in form
    response = submit(client, "/producer/products/new", PRODUCT_FORM)
    assert response.status_code == 302
    product = db.session.scalar(select(Product).where(Product.producer_id == producer.id))
    assert response.headers["Location"].endswith(f"/producer/products/{product.id}")
    assert (product.name_vi, product.status, product.ward_code, product.shelf_life_days) == (
        "Bánh cốm Hàng Than",
        "draft",
        91,
        5,
    )
    entry = events(producer_id=producer.id)[0]
    assert entry.action == "product.create" and entry.actor_email == owner.email
    edit = page(client.get(response.headers["Location"]))
    assert "Add at least one pack with its price." in edit and "Add at least one picture." in edit


def test_a_new_products_origin_starts_at_the_producers(client, signed_in, producer):
    html = page(client.get("/producer/products/new"))
    assert re.search(r'<option selected value="91">|<option value="91" selected>', html)


def test_bad_product_input_is_named_per_field_and_nothing_is_saved(client, signed_in, producer):
    bad = {**PRODUCT_FORM, "season_start_month": "13", "season_end_month": "2", "ward_code": "3980", "name_vi": ""}
    response = submit(client, "/producer/products/new", bad, page="/producer/products/new")
    assert response.status_code == 400
    messages = errors_on(page(response))
    assert "Choose a month from 1 to 12." in messages
    assert "Give the product's name in Vietnamese." in messages
    assert any(m.startswith("Choose a commune or ward of") for m in messages)
    assert db.session.scalar(select(Product).where(Product.producer_id == producer.id)) is None


def test_the_communes_of_another_province_are_listed_without_javascript(client, signed_in, producer):
    response = submit(client, "/producer/products/new", {**PRODUCT_FORM, "province_code": "14", "refresh_wards": "1"})
    assert response.status_code == 200
    assert 'value="3980"' in page(response)  # a commune of Sơn La
    assert db.session.scalar(select(Product).where(Product.producer_id == producer.id)) is None


def test_a_producer_edits_a_product(client, signed_in, draft):
    url = f"/producer/products/{draft.id}"
    response = submit(
        client, url, {**PRODUCT_FORM, "name_vi": "Bánh cốm Mễ Trì", "season_start_month": "9", "season_end_month": "11"}
    )
    assert response.status_code == 302
    db.session.refresh(draft)
    assert (draft.name_vi, draft.season_start_month, draft.season_end_month) == ("Bánh cốm Mễ Trì", 9, 11)
    assert events(producer_id=draft.producer_id, action="product.update")[0].after["name_vi"] == "Bánh cốm Mễ Trì"


@pytest.fixture
def anonymous(app):
    return app.test_client()


@pytest.fixture
def page_cache_on(app):
    app.config.update(PAGE_CACHE_SECONDS=60)
    cache.clear()
    yield
    cache.clear()


def listed(visitor, q="banh com") -> bool:
    return "Bánh cốm Hàng Than" in page(visitor.get(f"/products?q={q.replace(' ', '+')}"))


def test_the_catalog_shows_publication_at_once_even_with_cached_pages(
    client, signed_in, draft, anonymous, page_cache_on
):
    product_url = f"/products/{draft.slug}"
    assert not listed(anonymous) and anonymous.get(product_url).status_code == 404
    assert "Bánh cốm Hàng Than" not in page(anonymous.get("/products?group=thuc-pham"))
    assert not listed(anonymous)  # now from the cache

    response = submit(client, f"/producer/products/{draft.id}/publish", {}, page=f"/producer/products/{draft.id}")
    assert response.status_code == 302
    assert listed(anonymous)
    assert "Bánh cốm Hàng Than" in page(anonymous.get("/products?group=thuc-pham"))
    assert anonymous.get(product_url).status_code == 200

    submit(client, f"/producer/products/{draft.id}/unpublish", {}, page=f"/producer/products/{draft.id}")
    assert not listed(anonymous) and anonymous.get(product_url).status_code == 404

    submit(client, f"/producer/products/{draft.id}/publish", {}, page=f"/producer/products/{draft.id}")
    assert listed(anonymous)
    submit(client, f"/producer/products/{draft.id}/archive", {}, page=f"/producer/products/{draft.id}")
    assert not listed(anonymous)
    db.session.refresh(draft)
    assert draft.status == "archived"
    actions = [e.action for e in events(producer_id=draft.producer_id, entity="product")]
    assert actions == ["product.archive", "product.publish", "product.unpublish", "product.publish"]


def test_a_new_price_shows_in_the_cached_catalog_at_once(client, signed_in, producer, anonymous, page_cache_on):
    product = make_product("Bánh cốm Hàng Than", producer=producer, price=120_000)
    assert "120.000" in page(anonymous.get(f"/products/{product.slug}"))
    variant = product.variants[0]
    response = submit(
        client, f"/producer/variants/{variant.id}", {**PACK_FORM, "sku": variant.sku, "price_vnd": "99000"}
    )
    assert response.status_code == 302
    html = page(anonymous.get(f"/products/{product.slug}"))
    assert "99.000" in html and "120.000" not in html


def test_publishing_without_a_picture_says_what_is_missing(client, signed_in, producer):
    product = editing.create_product(producer, editing.ProductDetails(**PRODUCT_FORM))
    db.session.commit()
    response = submit(client, f"/producer/products/{product.id}/publish", {}, page=f"/producer/products/{product.id}")
    assert response.status_code == 302
    assert "Add at least one pack with its price." in page(client.get(response.headers["Location"]))
    db.session.refresh(product)
    assert product.status == "draft"


# --- Packs ----------------------------------------------------------------------------------


def test_a_producer_adds_a_pack_with_no_stock(client, signed_in, draft):
    response = submit(client, f"/producer/products/{draft.id}/variants/new", PACK_FORM)
    assert response.status_code == 302
    variant = db.session.scalar(select(Variant).where(Variant.sku == "COM-HT-10"))
    assert (variant.product_id, variant.price_vnd, variant.on_hand, variant.weight_g) == (draft.id, 120_000, 0, 600)
    assert events(producer_id=draft.producer_id, action="variant.create")[0].after["price_vnd"] == 120_000


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"price_vnd": "0"}, "price_vnd", "Enter the price in đồng as a whole number above 0, e.g. 125000 or 125.000."),
        (
            {"price_vnd": "-5000"},
            "price_vnd",
            "Enter the price in đồng as a whole number above 0, e.g. 125000 or 125.000.",
        ),
        (
            {"price_vnd": "một trăm"},
            "price_vnd",
            "Enter the price in đồng as a whole number above 0, e.g. 125000 or 125.000.",
        ),
        ({"weight_g": "-1"}, "weight_g", "Enter the weight in grams, a whole number above 0, or leave it empty."),
        (
            {"low_stock_threshold": "ba"},
            "low_stock_threshold",
            "Enter a whole number of units, 0 or more, or leave it empty.",
        ),
    ],
)
def test_bad_pack_input_is_named(client, signed_in, draft, changes, field, message):
    url = f"/producer/products/{draft.id}/variants/new"
    response = submit(client, url, {**PACK_FORM, **changes})
    assert response.status_code == 400
    assert message in errors_on(page(response))
    assert f'id="{field}-error"' in page(response)
    assert db.session.scalar(select(Variant).where(Variant.sku == "COM-HT-10")) is None


def test_a_duplicate_sku_is_refused_whatever_its_case(client, signed_in, draft, other_producer):
    theirs = make_product("Chè Sen Quảng An", producer=other_producer).variants[0].sku
    response = submit(client, f"/producer/products/{draft.id}/variants/new", {**PACK_FORM, "sku": theirs.lower()})
    assert response.status_code == 400
    assert f"The SKU {theirs.lower()} is already used in the shop. Choose another." in errors_on(page(response))


def test_a_pack_is_edited_and_its_price_audited(client, signed_in, draft):
    variant = draft.variants[0]
    response = submit(
        client, f"/producer/variants/{variant.id}", {**PACK_FORM, "sku": variant.sku, "price_vnd": "95.000"}
    )
    assert response.status_code == 302
    db.session.refresh(variant)
    assert variant.price_vnd == 95_000
    entry = events(producer_id=draft.producer_id, action="variant.price")[0]
    assert (entry.before["price_vnd"], entry.after["price_vnd"]) == (100_000, 95_000)


def test_a_pack_held_by_orders_is_not_deleted(client, signed_in, draft):
    held = draft.variants[0]
    editing.add_variant(draft, editing.VariantDetails(**PACK_FORM))
    db.session.execute(update(Variant).where(Variant.id == held.id).values(on_hand=4, reserved=1))
    db.session.commit()
    url = f"/producer/variants/{held.id}"
    response = submit(client, f"{url}/delete", {}, page=url)
    assert response.headers["Location"].endswith(url)
    assert "Orders hold stock of this pack" in page(client.get(url))
    assert db.session.get(Variant, held.id) is not None


def test_a_pack_is_deleted(client, signed_in, draft):
    spare = editing.add_variant(draft, editing.VariantDetails(**PACK_FORM))
    db.session.commit()
    url = f"/producer/variants/{spare.id}"
    response = submit(client, f"{url}/delete", {}, page=url)
    assert response.headers["Location"].endswith(f"/producer/products/{draft.id}#variants-heading")
    assert db.session.scalar(select(Variant).where(Variant.sku == "COM-HT-10")) is None
    assert events(producer_id=draft.producer_id, action="variant.delete")[0].before["sku"] == "COM-HT-10"


# --- Pictures -------------------------------------------------------------------------------


def upload(client, product, file, name="banh-com.png", **fields):
    url = f"/producer/products/{product.id}/images"
    token = csrf_token_from(page(client.get(url)))
    data = {"csrf_token": token, "alt_vi": "Hộp bánh cốm", "alt_en": "A box of green rice cakes", **fields}
    if file is not None:
        data["file"] = FileStorage(file, filename=name)
    # Encoded in memory (the test client spools a large body to a file it never closes).
    boundary, body = encode_multipart(MultiDict(data))
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def test_a_producer_uploads_a_picture(client, signed_in, draft):
    response = upload(client, draft, picture())
    assert response.status_code == 302
    image = db.session.scalar(select(ProductImage).where(ProductImage.path.like("uploads/%")))
    assert image.product_id == draft.id and image.alt_en == "A box of green rice cakes"
    assert os.path.exists(images.file_of(image.path))
    html = page(client.get(f"/producer/products/{draft.id}/images"))
    assert f'src="/static/{image.path}"' in html
    served = client.get(f"/static/{image.path}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    served.close()


@pytest.mark.parametrize(
    ("file", "name", "message"),
    [
        (
            lambda: io.BytesIO(b"<?php system($_GET['c']); ?>"),
            "banh-com.jpg",
            "This file is not a JPEG, PNG or WebP picture.",
        ),
        (
            lambda: png_header(8000, 5000),
            "bom.png",
            "The picture has 40 megapixels; at most 30 are accepted. Send a smaller one.",
        ),
        (lambda: picture(size=(100, 80)), "nho.png", "The picture is 100×80 pixels; it must be at least 320×240."),
        (lambda: None, "", "Choose a picture to upload."),
    ],
)
def test_a_bad_upload_is_refused_with_a_clear_message(client, signed_in, draft, file, name, message):
    response = upload(client, draft, file(), name)
    assert response.status_code == 400
    assert message in errors_on(page(response))
    assert not any(i.path.startswith("uploads/") for i in db.session.scalars(select(ProductImage)))


def test_a_picture_needs_both_descriptions(client, signed_in, draft):
    response = upload(client, draft, picture(), alt_en="")
    assert response.status_code == 400
    assert "Describe the picture in English, for people who cannot see it." in errors_on(page(response))


def test_an_upload_far_over_the_limit_is_refused_before_it_is_read(client, signed_in, draft, app):
    app.config["UPLOAD_MAX_BYTES"] = 1_048_576
    response = upload(client, draft, io.BytesIO(os.urandom(3 * 1_048_576)), "to.jpg")
    assert response.status_code == 413
    assert "The picture is larger than 1 MB. Send a smaller one." in errors_on(page(response))
    assert not any(i.path.startswith("uploads/") for i in db.session.scalars(select(ProductImage)))


def test_an_upload_just_over_the_limit_is_refused_after_reading(client, signed_in, draft, app):
    app.config["UPLOAD_MAX_BYTES"] = 1_048_576
    response = upload(client, draft, io.BytesIO(os.urandom(1_048_576 + 10)), "to.jpg")
    assert response.status_code == 400
    assert "The picture is larger than 1 MB. Send a smaller one." in errors_on(page(response))


def test_an_upload_without_its_form_token_is_refused(client, signed_in, draft):
    url = f"/producer/products/{draft.id}/images"
    response = client.post(
        url,
        data={"alt_vi": "Hộp", "alt_en": "Box", "file": (picture(), "a.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert not any(i.path.startswith("uploads/") for i in db.session.scalars(select(ProductImage)))


def test_pictures_are_reordered_and_deleted(client, signed_in, draft):
    upload(client, draft, picture())
    db.session.expire_all()
    first, second = sorted(draft.images, key=lambda i: i.position)
    url = f"/producer/products/{draft.id}/images"
    response = submit(client, f"/producer/images/{second.id}/move", {"direction": "up"}, page=url)
    assert response.status_code == 302
    db.session.expire_all()
    assert [i.id for i in sorted(draft.images, key=lambda i: i.position)] == [second.id, first.id]
    written = images.file_of(second.path)
    submit(client, f"/producer/images/{second.id}/delete", {}, page=url)
    db.session.expire_all()
    assert [i.id for i in draft.images] == [first.id]
    assert not os.path.exists(written)
    assert [e.action for e in events(producer_id=draft.producer_id, entity="image")] == [
        "image.delete",
        "image.move",
        "image.add",
    ]


def test_a_pictures_descriptions_are_changed(client, signed_in, draft):
    image = draft.images[0]
    url = f"/producer/products/{draft.id}/images"
    fields = {f"image-{image.id}-alt_vi": "Bánh cốm xanh", f"image-{image.id}-alt_en": "Green rice cakes"}
    response = submit(client, f"/producer/images/{image.id}", fields, page=url)
    assert response.status_code == 302
    db.session.refresh(image)
    assert (image.alt_vi, image.alt_en) == ("Bánh cốm xanh", "Green rice cakes")


# --- Isolation ------------------------------------------------------------------------------

ROUTES = [
    ("GET", "/producer/products/{product}"),
    ("GET", "/producer/products/{product}/variants/new"),
    ("GET", "/producer/variants/{variant}"),
    ("GET", "/producer/products/{product}/images"),
    ("POST", "/producer/products/{product}"),
    ("POST", "/producer/products/{product}/publish"),
    ("POST", "/producer/products/{product}/unpublish"),
    ("POST", "/producer/products/{product}/archive"),
    ("POST", "/producer/products/{product}/restore"),
    ("POST", "/producer/products/{product}/variants/new"),
    ("POST", "/producer/variants/{variant}"),
    ("POST", "/producer/variants/{variant}/delete"),
    ("POST", "/producer/products/{product}/images"),
    ("POST", "/producer/images/{image}"),
    ("POST", "/producer/images/{image}/move"),
    ("POST", "/producer/images/{image}/delete"),
]


@pytest.fixture
def theirs(other_producer):
    product = make_product("Chè Sen Quảng An", producer=other_producer)
    return {"product": product.id, "variant": product.variants[0].id, "image": product.images[0].id}


def visit(client, method, url, token):
    if method == "GET":
        return client.get(url)
    return client.post(url, data={"csrf_token": token, **PRODUCT_FORM, **PACK_FORM, "direction": "up"})


@pytest.mark.parametrize(("method", "route"), ROUTES)
def test_another_producers_ids_are_not_found(client, signed_in, theirs, method, route):
    token = csrf_token_from(page(client.get("/producer/products/new")))
    before = (db.session.scalar(select(Product.status).where(Product.id == theirs["product"])), len(events()))
    response = visit(client, method, route.format(**theirs), token)
    assert response.status_code == 404
    db.session.expire_all()
    assert (db.session.scalar(select(Product.status).where(Product.id == theirs["product"])), len(events())) == before


@pytest.mark.parametrize(
    ("method", "route"), [*ROUTES, ("GET", "/producer/products"), ("GET", "/producer/products/new")]
)
def test_a_shopper_is_refused(client, as_member, theirs, method, route):
    as_member(a_user())
    token = csrf_token_from(page(client.get("/products")))
    assert visit(client, method, route.format(**theirs), token).status_code == 403


@pytest.mark.parametrize(
    ("method", "route"), [*ROUTES, ("GET", "/producer/products"), ("GET", "/producer/products/new")]
)
def test_anonymous_visitors_are_sent_to_log_in(client, theirs, method, route):
    token = csrf_token_from(page(client.get("/products")))
    response = visit(client, method, route.format(**theirs), token)
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


HOSTILE = ["\x00", "9" * 40, "-1", "１２", "<script>alert(1)</script>", "𝟙𝟚", "' OR 1=1 --", "x" * 6000]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_in_every_field_get_an_answer_not_an_error(client, signed_in, draft, value):
    token = csrf_token_from(page(client.get("/producer/products/new")))
    every = {name: value for name in (*PRODUCT_FORM, *PACK_FORM, "alt_vi", "alt_en", "direction")}
    image, variant = draft.images[0], draft.variants[0]
    for url in (
        "/producer/products/new",
        f"/producer/products/{draft.id}",
        f"/producer/products/{draft.id}/variants/new",
        f"/producer/variants/{variant.id}",
        f"/producer/images/{image.id}",
        f"/producer/images/{image.id}/move",
    ):
        response = client.post(url, data={"csrf_token": token, **every})
        assert response.status_code in (200, 302, 400), (url, response.status_code)
    response = upload(client, draft, io.BytesIO(value.encode()), name=value[:50], alt_vi=value, alt_en=value)
    assert response.status_code == 400


def test_the_listing_pages_write_nothing(client, signed_in, draft):
    from sqlalchemy import event

    writes = []

    def watch(conn, cursor, statement, *args):
        if re.match(r"\s*(INSERT|UPDATE|DELETE)\b", statement, re.I):
            writes.append(statement[:80])

    urls = [
        "/producer/products",
        "/producer/products?status=archived",
        "/producer/products/new",
        f"/producer/products/{draft.id}",
        f"/producer/products/{draft.id}/variants/new",
        f"/producer/variants/{draft.variants[0].id}",
        f"/producer/products/{draft.id}/images",
    ]
    event.listen(db.engine, "before_cursor_execute", watch)
    try:
        for url in urls:
            assert client.get(url).status_code == 200, url
            assert client.head(url).status_code == 200, url
    finally:
        event.remove(db.engine, "before_cursor_execute", watch)
    assert writes == []
