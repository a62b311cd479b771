"""Product pictures a producer uploads: checked by their content (JPEG, PNG or WebP, read by
Pillow, never trusted by name or Content-Type), limited in bytes and in pixels before anything is
decoded (a 40-megapixel "bomb" is refused from its header), turned upright, stripped of EXIF and
every other metadata by re-encoding, cropped to the catalog's 4:3 and resized to 640×480 — the
product page's size, and twice the cards' 320×240 for phone screens.

Files live under UPLOAD_FOLDER/products/<product id>/<random name>.jpg and ProductImage.path
names them as uploads/products/…, so the templates' url_for('static', filename=image.path)
gives /static/uploads/products/…, which `send_upload` serves with a year's cache (a picture's
name never changes). A file is written when its row is added and removed again if that
transaction rolls back; a deleted picture's file goes once the deletion has committed.
Nothing here commits."""

from __future__ import annotations

import contextlib
import io
import os
import re
import secrets
import tempfile
import warnings

from flask import abort, current_app, send_from_directory
from flask_babel import lazy_gettext as _l
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from shop import audit
from shop.catalog.editing import FieldErrors, ListingErrors, catalog_changed, clean_text
from shop.catalog.models import Product, ProductImage
from shop.errors import ConflictError, ValidationError
from shop.extensions import db
from shop.mail.services import after_commit

FORMATS = ("JPEG", "PNG", "WEBP")
SIZE = (640, 480)  # templates/catalog/product.html; the cards show it at 320×240
MIN_SIZE = (320, 240)
JPEG_QUALITY = 85
PATH_PREFIX = "uploads/products/"
_NAME = re.compile(r"\d{1,10}/[0-9a-f]{20}\.jpg")
YEAR = 365 * 24 * 3600
ALT_LENGTH = 200
IMAGE_FIELDS = ("path", "alt_vi", "alt_en", "position")


def max_bytes() -> int:
    return current_app.config["UPLOAD_MAX_BYTES"]


def max_pixels() -> int:
    return current_app.config["UPLOAD_MAX_PIXELS"]


def _megabytes(size: int) -> str:
    return f"{size / 1_048_576:.0f}" if size % 1_048_576 == 0 else f"{size / 1_048_576:.1f}"


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:.0f}"


# --- Checking and re-encoding ---------------------------------------------------------------


def prepare_picture(stream, *, limit_bytes: int | None = None, limit_pixels: int | None = None) -> bytes:
    """The uploaded picture in `stream` as the catalog's JPEG (640×480, upright, no metadata).
    Raises ValidationError (field "file") with the reason."""
    limit_bytes = max_bytes() if limit_bytes is None else limit_bytes
    limit_pixels = max_pixels() if limit_pixels is None else limit_pixels
    data = stream.read(limit_bytes + 1) if stream is not None else b""
    if not data:
        raise ValidationError(_l("Choose a picture to upload."), field="file")
    if len(data) > limit_bytes:
        raise ValidationError(
            _l("The picture is larger than %(size)s MB. Send a smaller one.", size=_megabytes(limit_bytes)),
            field="file",
        )
    too_many = _l(
        "The picture has too many pixels: at most %(max)s megapixels are accepted. Send a smaller one.",
        max=_megapixels(limit_pixels),
    )
    not_a_picture = _l("This file is not a JPEG, PNG or WebP picture.")
    with warnings.catch_warnings():
        # The pixel limit below is the shop's own and lower than Pillow's warning.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            picture = Image.open(io.BytesIO(data), formats=FORMATS)  # reads the header only
        except Image.DecompressionBombError:
            raise ValidationError(too_many, field="file") from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
            raise ValidationError(not_a_picture, field="file") from None
        width, height = picture.size
        if width * height > limit_pixels:
            raise ValidationError(
                _l(
                    "The picture has %(size)s megapixels; at most %(max)s are accepted. Send a smaller one.",
                    size=_megapixels(width * height),
                    max=_megapixels(limit_pixels),
                ),
                field="file",
            )
        if width < MIN_SIZE[0] or height < MIN_SIZE[1]:
            raise ValidationError(
                _l(
                    "The picture is %(width)d×%(height)d pixels; it must be at least %(min_w)d×%(min_h)d.",
                    width=width,
                    height=height,
                    min_w=MIN_SIZE[0],
                    min_h=MIN_SIZE[1],
                ),
                field="file",
            )
        try:
            return _reencode(picture)
        except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError):
            # Truncated or corrupt data behind a valid header.
            raise ValidationError(_l("The picture could not be read. It may be damaged."), field="file") from None


# EXIF orientation → the turn that shows the picture upright (as ImageOps.exif_transpose).
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _reencode(picture: Image.Image) -> bytes:
    """Decode, shrink, turn upright, flatten, crop and encode, holding at most one full-size
    copy: a large picture is reduced right after decoding (a JPEG while it is decoded), and
    every other step works on a picture of about 1280 pixels a side."""
    orientation = picture.getexif().get(ExifTags.Base.Orientation)
    transparent = picture.mode in ("RGBA", "LA", "PA") or (picture.mode == "P" and "transparency" in picture.info)
    if picture.format == "JPEG":
        picture.draft("RGB", (SIZE[0] * 2, SIZE[0] * 2))
    picture.load()
    if picture.mode not in ("RGB", "RGBA", "L", "LA"):
        picture = picture.convert("RGBA" if transparent else "RGB")
    factor = min(picture.size) // (SIZE[0] * 2)
    if factor > 1:
        picture = picture.reduce(factor)
    if orientation in _UPRIGHT:
        picture = picture.transpose(_UPRIGHT[orientation])
    if transparent:
        rgba = picture.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
    else:
        flat = picture.convert("RGB")
    fitted = ImageOps.fit(flat, SIZE, method=Image.Resampling.LANCZOS)
    fitted.info = {}  # saved with no exif, icc_profile or comment: nothing of the original's
    out = io.BytesIO()
    fitted.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue()


# --- Files ----------------------------------------------------------------------------------


def _folder() -> str:
    return os.path.join(current_app.config["UPLOAD_FOLDER"], "products")


def file_of(path: str) -> str | None:
    """The file an uploaded picture's path names; None for pictures shipped in static/."""
    if not path.startswith(PATH_PREFIX) or not _NAME.fullmatch(path[len(PATH_PREFIX) :]):
        return None
    return os.path.join(_folder(), *path[len(PATH_PREFIX) :].split("/"))


def _write(product_id: int, data: bytes) -> str:
    name = f"{product_id}/{secrets.token_hex(10)}.jpg"
    target = os.path.join(_folder(), str(product_id))
    os.makedirs(target, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=target, prefix=".upload-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, os.path.join(_folder(), *name.split("/")))
    except BaseException:
        _remove(temporary)
        raise
    return PATH_PREFIX + name


def _remove(filename: str | None) -> None:
    if filename:
        with contextlib.suppress(FileNotFoundError):
            os.remove(filename)


# Files written in a transaction, as (transaction, file) pairs, removed if it rolls back.
_WRITTEN = "shop.images_written"


def _track(filename: str) -> None:
    session = db.session()
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_WRITTEN, []).append((transaction, filename))


@event.listens_for(db.session, "after_commit")
def _kept(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_WRITTEN, None)


@event.listens_for(db.session, "after_soft_rollback")
def _rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    written = session.info.get(_WRITTEN)
    if written:
        kept = []
        for transaction, filename in written:
            if _within(transaction, previous_transaction):
                _remove(filename)
            else:
                kept.append((transaction, filename))
        session.info[_WRITTEN] = kept


@event.listens_for(db.session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None and not transaction.nested:
        for _, filename in session.info.pop(_WRITTEN, []):  # closed without a commit
            _remove(filename)


def _within(transaction, ancestor) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


def send_upload(filename: str):
    """Serve an uploaded product picture: immutable (a new picture gets a new name), so
    browsers and proxies keep it a year; conditional requests get 304."""
    if not _NAME.fullmatch(filename):
        abort(404)
    response = send_from_directory(_folder(), filename, max_age=YEAR, mimetype="image/jpeg")
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response


# --- The product's pictures -----------------------------------------------------------------


def _alt_texts(alt_vi, alt_en) -> tuple[str, str]:
    errors = FieldErrors()
    texts = {}
    for field, value, missing in (
        ("alt_vi", alt_vi, _l("Describe the picture in Vietnamese, for people who cannot see it.")),
        ("alt_en", alt_en, _l("Describe the picture in English, for people who cannot see it.")),
    ):
        text = clean_text(value)
        if not text:
            errors.add(field, missing)
        elif len(text) > ALT_LENGTH:
            errors.add(field, _l("At most %(count)d characters.", count=ALT_LENGTH))
        texts[field] = text
    if errors.found:
        raise ListingErrors(errors.found)
    return texts["alt_vi"], texts["alt_en"]


def _ordered(product: Product) -> list[ProductImage]:
    return sorted(product.images, key=lambda i: (i.position, i.id or 0))


def _record(action: str, image: ProductImage, product: Product, actor, *, before=None, after=None) -> None:
    audit.record(
        action,
        "image",
        image.id,
        actor=actor,
        role="producer",
        producer_id=product.producer_id,
        before=before,
        after=after,
        note=product.name_vi,
    )


def add_image(product: Product, stream, *, alt_vi, alt_en, actor=None) -> ProductImage:
    """Check, re-encode and store an uploaded picture as the product's last. Raises
    ValidationError (the picture) or ListingErrors (the descriptions)."""
    alt_vi, alt_en = _alt_texts(alt_vi, alt_en)
    data = prepare_picture(stream)
    ordered = _ordered(product)
    position = ordered[-1].position + 1 if ordered else 0
    path = _write(product.id, data)
    _track(file_of(path))
    image = ProductImage(product=product, path=path, alt_vi=alt_vi, alt_en=alt_en, position=position)
    db.session.add(image)
    db.session.flush()
    catalog_changed(product)
    _record("image.add", image, product, actor, after=audit.snapshot(image, IMAGE_FIELDS))
    return image


def update_image(image: ProductImage, *, alt_vi, alt_en, actor=None) -> bool:
    """Change a picture's descriptions; True if they changed. Raises ListingErrors."""
    alt_vi, alt_en = _alt_texts(alt_vi, alt_en)
    before = audit.snapshot(image, ("alt_vi", "alt_en"))
    image.alt_vi, image.alt_en = alt_vi, alt_en
    after = audit.snapshot(image, ("alt_vi", "alt_en"))
    if before == after:
        return False
    catalog_changed(image.product)
    _record("image.update", image, image.product, actor, before=before, after=after)
    return True


def move_image(image: ProductImage, step: int, *, actor=None) -> bool:
    """Move a picture one place earlier (step -1) or later (+1); the first is the one cards
    show. False when it is already at that end."""
    product = image.product
    ordered = _ordered(product)
    at = ordered.index(image)
    to = at + (1 if step > 0 else -1)
    if not 0 <= to < len(ordered):
        return False
    ordered[at], ordered[to] = ordered[to], ordered[at]
    before = {str(i.id): i.position for i in ordered}
    for position, each in enumerate(ordered):
        each.position = position
    catalog_changed(product)
    _record(
        "image.move",
        image,
        product,
        actor,
        before={"position": before[str(image.id)]},
        after={"position": image.position},
    )
    return True


def delete_image(image: ProductImage, *, actor=None) -> None:
    """Delete a picture; its file goes once the deletion has committed. A published product
    keeps at least one. Raises ConflictError."""
    product = image.product
    if product.status == "published" and len(product.images) <= 1:
        raise ConflictError(_l("A published product needs at least one picture. Add another or unpublish it first."))
    before = audit.snapshot(image, IMAGE_FIELDS)
    _record("image.delete", image, product, actor, before=before)
    filename = file_of(image.path)
    product.images.remove(image)
    db.session.delete(image)
    for position, each in enumerate(_ordered(product)):
        each.position = position
    db.session.flush()
    catalog_changed(product)
    if filename:
        after_commit(lambda: _remove(filename))
