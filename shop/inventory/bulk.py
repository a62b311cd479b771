"""A producer's variants as a spreadsheet: download them as CSV, edit price, stock on hand and
low-stock threshold, upload the file, see what each row changes (and what is wrong with it),
then apply every row or none.

Set-based all the way, so 5,000 rows take a second or two: the producer's variants are read in
one statement, the preview is kept as JSON on a StockUpload, and applying is one executemany
UPDATE guarded per row by the values the preview showed (compare-and-set), one executemany
insert into the ledger, one UPDATE of the products' lowest price and one audit entry."""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass

from flask_babel import format_number
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, delete, func, insert, select, text, update

from shop import audit, clock, csvfiles
from shop.catalog.models import Product, Variant
from shop.csvfiles import FileRefused
from shop.errors import ConflictError, NotFound, ShopError, ValidationError
from shop.extensions import cache, db
from shop.inventory.models import StockMovement, StockUpload
from shop.inventory.services import (
    MAX_STOCK,
    StockChanged,
    adjust_stock,
    csv_text,
    set_on_hand,
    stock_changed,
)
from shop.mail.services import after_commit

MAX_ROWS = 5_000
# Larger than any honest file of MAX_ROWS rows; a file past it is refused before it is read.
MAX_BYTES = 16 * 1024 * 1024
MAX_PRICE = 1_000_000_000

HEADER = ("sku", "product", "variant", "price_vnd", "on_hand", "low_stock_threshold")
REQUIRED = ("sku", "price_vnd", "on_hand", "low_stock_threshold")
# What the upload may change, as the row keeps it.
FIELDS = ("price_vnd", "on_hand", "low_stock_threshold")

COLUMN_LABELS = {
    "price_vnd": _l("Price (₫)"),
    "on_hand": _l("On hand"),
    "low_stock_threshold": _l("Low-stock threshold"),
}

# Per-row errors are kept as (code, values) and worded when shown, in the reader's language.
ROW_ERRORS = {
    "missing_sku": _l("The SKU is empty."),
    "unknown_sku": _l("None of your variants has the SKU %(sku)s."),
    "duplicate_sku": _l("The SKU %(sku)s is also on line %(lines)s."),
    "empty": _l("%(column)s is empty."),
    "not_number": _l("%(column)s: “%(value)s” is not a whole number."),
    "negative": _l("%(column)s cannot be negative."),
    "too_large": _l("%(column)s can be at most %(max)s."),
    "price_zero": _l("The price must be more than 0 ₫."),
    "held": _l("Orders hold %(reserved)s of this variant: on hand cannot be less."),
}


def row_messages(row: dict) -> list[str]:
    """A preview row's errors, worded in the current language."""
    out = []
    for code, values in row["errors"]:
        values = {k: format_number(v) if isinstance(v, int) else v for k, v in values.items()}
        if "column" in values:
            values["column"] = str(COLUMN_LABELS.get(values["column"], values["column"]))
        out.append(str(ROW_ERRORS[code]) % values)
    return out


# --- Download -----------------------------------------------------------------------------------


def export_csv(producer_id: int) -> str:
    """The producer's variants (not archived) as CSV, UTF-8 with a BOM and CRLF as Excel writes
    it, with the header HEADER; the file `preview_upload` reads back."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    rows = db.session.execute(
        select(
            Variant.sku,
            Product.name_vi.label("product_name"),
            Variant.name_vi,
            Variant.price_vnd,
            Variant.on_hand,
            Variant.low_stock_threshold,
        )
        .join(Product, Product.id == Variant.product_id)
        .where(Product.producer_id == producer_id, Product.status != "archived")
        .order_by(Product.name_vi, Product.id, Variant.sku)
    )
    for v in rows:
        writer.writerow(
            (
                csv_text(v.sku),
                csv_text(v.product_name),
                csv_text(v.name_vi),
                v.price_vnd,
                v.on_hand,
                "" if v.low_stock_threshold is None else v.low_stock_threshold,
            )
        )
    return buffer.getvalue()


# --- Upload and preview -------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    rows: int
    changed: int
    unchanged: int
    with_errors: int

    @property
    def can_apply(self) -> bool:
        return not self.with_errors and self.changed > 0


def summary(upload: StockUpload) -> Summary:
    rows = upload.rows
    with_errors = sum(1 for r in rows if r["errors"])
    changed = sum(1 for r in rows if r["changes"] and not r["errors"])
    return Summary(len(rows), changed, len(rows) - changed - with_errors, with_errors)


def preview_upload(producer_id: int, stream, filename: str, *, actor=None) -> StockUpload:
    """Read an uploaded CSV (a binary stream), check every row against the producer's variants
    and keep what each row would change as a StockUpload (replacing this user's earlier preview
    not applied). Raises FileRefused when the file cannot be read as a whole: not UTF-8, wrong
    headers, empty, more than MAX_ROWS rows (found without reading further) or MAX_BYTES."""
    table = csvfiles.read_table(stream, max_rows=MAX_ROWS, max_bytes=MAX_BYTES, check_header=_check_header)
    rows = _check_rows(producer_id, (_columns(table.header), table.rows))
    user_id = getattr(actor, "id", None)
    db.session.execute(
        delete(StockUpload).where(
            StockUpload.producer_id == producer_id,
            StockUpload.user_id == user_id,
            StockUpload.applied_at.is_(None),
        )
    )
    upload = StockUpload(producer_id=producer_id, user_id=user_id, filename=(filename or "stock.csv")[:200], rows=rows)
    db.session.add(upload)
    db.session.flush()
    return upload


def _names(header: list[str]) -> list[str]:
    return [h.strip().lower().replace(" ", "_") for h in header]


def _check_header(header: list[str]) -> None:
    names = _names(header)
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise FileRefused(
            _l(
                "The first line must name the columns %(expected)s (missing: %(missing)s). "
                "Start from the file you download on this page.",
                expected=", ".join(HEADER),
                missing=", ".join(missing),
            )
        )


def _columns(header: list[str]) -> dict[str, int]:
    names = _names(header)
    return {name: names.index(name) for name in REQUIRED}


_NUMBER = re.compile(r"[+-]?(\d+|\d{1,3}([.,]\d{3})+)")
_CURRENCY = re.compile(r"\s*(₫|đ|vnd|vnđ)$", re.IGNORECASE)


def _number(raw: str, column: str, errors: list, *, blank_ok: bool = False, maximum: int = MAX_STOCK):
    value = _CURRENCY.sub("", raw.strip()).replace("\u00a0", "").replace(" ", "")
    if not value:
        if not blank_ok:
            errors.append(("empty", {"column": column}))
        return None
    if not _NUMBER.fullmatch(value):
        errors.append(("not_number", {"column": column, "value": raw.strip()[:40]}))
        return None
    number = int(value.replace(".", "").replace(",", ""))
    if number < 0:
        errors.append(("negative", {"column": column}))
        return None
    if number > maximum:
        errors.append(("too_large", {"column": column, "max": maximum}))
        return None
    return number


def _check_rows(producer_id: int, read) -> list[dict]:
    columns, lines = read
    known = {
        r.sku: r
        for r in db.session.execute(
            select(
                Variant.id,
                Variant.sku,
                Variant.product_id,
                Variant.price_vnd,
                Variant.on_hand,
                Variant.reserved,
                Variant.low_stock_threshold,
                Product.name_vi.label("product_name"),
                Variant.name_vi.label("variant_name"),
            )
            .join(Product, Product.id == Variant.product_id)
            .where(Product.producer_id == producer_id)
        )
    }
    rows = []
    lines_by_sku: dict[str, list[int]] = defaultdict(list)

    def cell(cells, name):
        i = columns[name]
        return cells[i] if i < len(cells) else ""

    for line, cells in lines:
        errors: list = []
        sku = cell(cells, "sku").strip()
        if sku[:2] in ("'=", "'+", "'-", "'@"):
            sku = sku[1:]  # as export_csv wrote it
        new = {
            "price_vnd": _number(cell(cells, "price_vnd"), "price_vnd", errors, maximum=MAX_PRICE),
            "on_hand": _number(cell(cells, "on_hand"), "on_hand", errors),
            "low_stock_threshold": _number(
                cell(cells, "low_stock_threshold"), "low_stock_threshold", errors, blank_ok=True
            ),
        }
        if new["price_vnd"] == 0:
            errors.append(("price_zero", {}))
        row = {"line": line, "sku": sku[:60], "new": new, "changes": [], "errors": errors}
        if not sku:
            errors.insert(0, ("missing_sku", {}))
        else:
            lines_by_sku[sku].append(line)
            variant = known.get(sku)
            if variant is None:
                # Another producer's SKU reads the same as one that does not exist.
                errors.insert(0, ("unknown_sku", {"sku": sku[:60]}))
            else:
                row.update(
                    variant_id=variant.id,
                    product_id=variant.product_id,
                    name=f"{variant.product_name} — {variant.variant_name}",
                    reserved=variant.reserved,
                    old={
                        "price_vnd": variant.price_vnd,
                        "on_hand": variant.on_hand,
                        "low_stock_threshold": variant.low_stock_threshold,
                    },
                )
                if new["on_hand"] is not None and new["on_hand"] < variant.reserved:
                    errors.append(("held", {"reserved": variant.reserved}))
        rows.append(row)
    for row in rows:
        others = [n for n in lines_by_sku.get(row["sku"], ()) if n != row["line"]]
        if others:
            row["errors"].append(("duplicate_sku", {"sku": row["sku"], "lines": ", ".join(map(str, others))}))
        if not row["errors"]:
            row["changes"] = [f for f in FIELDS if row["new"][f] != row["old"][f]]
    return rows


# --- Apply --------------------------------------------------------------------------------------


def own_upload(upload_id: int, producer_id: int) -> StockUpload:
    """The producer's upload with this id. Raises NotFound for another producer's."""
    upload = db.session.get(StockUpload, upload_id)
    if upload is None or upload.producer_id != producer_id:
        raise NotFound(_l("No such upload."))
    return upload


def apply_upload(upload_id: int, *, producer_id: int, actor=None) -> int:
    """Write every change of a previewed upload, all or nothing; returns how many variants
    changed. Each row is written only if the variant's price and stock on hand are still what
    the preview showed (and orders hold no more than the new figure). Raises NotFound (not this
    producer's), ValidationError (the file has errors), ConflictError (applied already, or a
    variant changed since the preview: the caller rolls back)."""
    upload = own_upload(upload_id, producer_id)
    if upload.applied_at is not None:
        raise ConflictError(_l("This file was applied already."))
    if any(r["errors"] for r in upload.rows):
        raise ValidationError(_l("The file has errors: correct them and upload it again. Nothing was changed."))
    rows = sorted((r for r in upload.rows if r["changes"]), key=lambda r: r["variant_id"])
    if rows:
        _lock(rows)
        _check_unchanged(rows)
        _write(rows, actor=actor, upload=upload)
        audit.record(
            "stock.upload",
            "stock",
            f"upload-{upload.id}",
            actor=actor,
            producer_id=producer_id,
            before={r["sku"]: {f: r["old"][f] for f in r["changes"]} for r in rows},
            after={r["sku"]: {f: r["new"][f] for f in r["changes"]} for r in rows},
            note=f"{upload.filename} ({len(rows)})"[:500],
        )
    upload.applied_at = clock.now()
    db.session.flush()
    return len(rows)


def _lock(rows: list[dict]) -> None:
    """Take the rows' write locks before reading them, in id order as checkout does (PostgreSQL
    row locks; on SQLite the first write takes the database's)."""
    ids = [r["variant_id"] for r in rows]
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(Variant.id).where(Variant.id.in_(ids)).order_by(Variant.id).with_for_update())
    else:
        db.session.execute(
            update(Variant)
            .where(Variant.id == ids[0])
            .values(on_hand=Variant.on_hand)
            .execution_options(synchronize_session=False)
        )


def _check_unchanged(rows: list[dict]) -> None:
    current = {
        r.id: r
        for r in db.session.execute(
            select(Variant.id, Variant.price_vnd, Variant.on_hand, Variant.reserved).where(
                Variant.id.in_([r["variant_id"] for r in rows])
            )
        )
    }
    moved = []
    for r in rows:
        now = current.get(r["variant_id"])
        if (
            now is None
            or now.price_vnd != r["old"]["price_vnd"]
            or now.on_hand != r["old"]["on_hand"]
            or now.reserved > r["new"]["on_hand"]
        ):
            moved.append(r["sku"])
    if moved:
        shown = ", ".join(moved[:10]) + (" …" if len(moved) > 10 else "")
        raise ConflictError(
            _l(
                "%(count)s variants changed since the preview (%(skus)s). Nothing was changed: "
                "download the file again, redo your edits and upload it.",
                count=len(moved),
                skus=shown,
            )
        )


_GUARDED_UPDATE = (
    update(Variant.__table__)
    .where(
        and_(
            Variant.__table__.c.id == bindparam("b_id"),
            Variant.__table__.c.price_vnd == bindparam("b_old_price"),
            Variant.__table__.c.on_hand == bindparam("b_old_on_hand"),
            Variant.__table__.c.reserved <= bindparam("b_on_hand"),
        )
    )
    .values(
        price_vnd=bindparam("b_price"),
        on_hand=bindparam("b_on_hand"),
        low_stock_threshold=bindparam("b_threshold"),
    )
)


# PostgreSQL: the same guarded update as one statement over arrays (one round trip, not 5,000).
_GUARDED_UPDATE_PG = text(
    "UPDATE variants AS v SET price_vnd = d.price, on_hand = d.on_hand, low_stock_threshold = d.threshold "
    "FROM unnest(CAST(:ids AS integer[]), CAST(:old_prices AS bigint[]), CAST(:old_on_hands AS integer[]), "
    "CAST(:prices AS bigint[]), CAST(:on_hands AS integer[]), CAST(:thresholds AS integer[])) "
    "AS d(id, old_price, old_on_hand, price, on_hand, threshold) "
    "WHERE v.id = d.id AND v.price_vnd = d.old_price AND v.on_hand = d.old_on_hand AND v.reserved <= d.on_hand"
)


def _guarded_values(r: dict) -> dict:
    return {
        "b_id": r["variant_id"],
        "b_old_price": r["old"]["price_vnd"],
        "b_old_on_hand": r["old"]["on_hand"],
        "b_price": r["new"]["price_vnd"],
        "b_on_hand": r["new"]["on_hand"],
        "b_threshold": r["new"]["low_stock_threshold"],
    }


def _write(rows: list[dict], *, actor, upload: StockUpload) -> None:
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        result = connection.execute(
            _GUARDED_UPDATE_PG,
            {
                "ids": [r["variant_id"] for r in rows],
                "old_prices": [r["old"]["price_vnd"] for r in rows],
                "old_on_hands": [r["old"]["on_hand"] for r in rows],
                "prices": [r["new"]["price_vnd"] for r in rows],
                "on_hands": [r["new"]["on_hand"] for r in rows],
                "thresholds": [r["new"]["low_stock_threshold"] for r in rows],
            },
        )
    else:
        result = connection.execute(_GUARDED_UPDATE, [_guarded_values(r) for r in rows])
    if result.rowcount != len(rows):
        # Only a writer slipping in between the check and the update gets here (SQLite); the
        # caller rolls back the rows already written.
        raise ConflictError(_l("Some variants changed while the file was applied. Nothing was changed: try again."))
    now = clock.now()
    note = f"CSV {upload.filename}"[:200]
    moves = [
        {
            "variant_id": r["variant_id"],
            "on_hand_delta": r["new"]["on_hand"] - r["old"]["on_hand"],
            "reserved_delta": 0,
            "reason": "set",
            "actor_user_id": getattr(actor, "id", None),
            "note": note,
            "created_at": now,
        }
        for r in rows
        if "on_hand" in r["changes"]
    ]
    if moves:
        connection.execute(insert(StockMovement.__table__), moves)
        stock_changed.send(None, changes={m["variant_id"]: m["on_hand_delta"] for m in moves})
    priced = sorted({r["product_id"] for r in rows if "price_vnd" in r["changes"]})
    if priced:
        # The catalog's lowest price per product, as refresh_product works it out (one statement).
        lowest = (
            select(func.min(Variant.price_vnd))
            .where(Variant.product_id == Product.id)
            .correlate(Product)
            .scalar_subquery()
        )
        db.session.execute(
            update(Product)
            .where(Product.id.in_(priced))
            .values(price_from_vnd=lowest)
            .execution_options(synchronize_session=False)
        )
        # A cached catalog page never reads the database: drop them once the prices are committed,
        # as a listing's edit does (shop.catalog.editing).
        after_commit(cache.clear)
    # The session may hold these variants and products as they were.
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Variant | Product):
            db.session.expire(obj)


# --- From the producer's own system (the API) ---------------------------------------------------
#
# Many SKUs in one call, all or nothing, each through the rules the stock page uses (set_on_hand's
# compare-and-set, adjust_stock's bounds, what orders hold), with their ledger rows and audit
# entries; the variants are locked in id order first, as the upload and checkout lock them.


@dataclass(frozen=True)
class StockChange:
    """One item of a call: set on hand to `on_hand` (provided it is still `expected_on_hand`, when
    given), or add `adjust` (signed) to it."""

    sku: str
    on_hand: int | None = None
    expected_on_hand: int | None = None
    adjust: int | None = None


def sync_stock(
    producer_id: int, changes: list[StockChange], *, note: str | None = None, actor=None, reason: str = "api"
) -> list[Variant]:
    """Make every change, or none: returns the variants in the order of `changes`. Raises
    ValidationError (a SKU that is not the producer's, or named twice; nothing is read further),
    or, once every change has been tried, ConflictError (code `stock_changed` when a figure is no
    longer the one expected; else orders hold more) or ValidationError (out of bounds); their
    `details` name each refused item (`items.N.field`) with its SKU and figures now. The caller
    rolls back."""
    ids = _own_variant_ids(producer_id, changes)
    order = sorted(range(len(changes)), key=lambda n: ids[n])
    _lock([{"variant_id": ids[n]} for n in order])
    before = dict(db.session.execute(select(Variant.id, Variant.on_hand).where(Variant.id.in_(ids))).all())
    done: dict[int, Variant] = {}
    refused: list[tuple[int, ShopError]] = []
    for n in order:
        change, variant_id = changes[n], ids[n]
        try:
            if change.adjust is not None:
                done[n] = adjust_stock(
                    variant_id,
                    change.adjust,
                    reason=reason,
                    reasons=(reason,),
                    producer_id=producer_id,
                    actor=actor,
                    note=note,
                )
            else:
                seen = before[variant_id] if change.expected_on_hand is None else change.expected_on_hand
                done[n], _change = set_on_hand(
                    variant_id,
                    change.on_hand,
                    seen=seen,
                    producer_id=producer_id,
                    actor=actor,
                    note=note,
                    reason=reason,
                )
        except ShopError as exc:
            # The guarded UPDATE wrote nothing: go on, so that the refusal names every item.
            refused.append((n, exc))
    if refused:
        raise _sync_refused(changes, ids, refused)
    return [done[n] for n in range(len(changes))]


def _own_variant_ids(producer_id: int, changes: list[StockChange]) -> list[int]:
    skus = {c.sku for c in changes}
    known = dict(
        db.session.execute(
            select(Variant.sku, Variant.id)
            .join(Product, Product.id == Variant.product_id)
            .where(Product.producer_id == producer_id, Variant.sku.in_(skus))
        ).all()
    )
    details, seen_at = [], {}
    for n, change in enumerate(changes):
        field = f"items.{n}.sku"
        if change.sku not in known:
            # Another producer's SKU reads the same as one that does not exist.
            details.append({"field": field, "message": str(ROW_ERRORS["unknown_sku"] % {"sku": change.sku[:60]})})
        elif change.sku in seen_at:
            message = _l("The SKU %(sku)s is also item %(item)s.", sku=change.sku, item=seen_at[change.sku])
            details.append({"field": field, "message": str(message)})
        seen_at.setdefault(change.sku, n)
    if details:
        error = ValidationError(_l("Some SKUs are not yours, or named twice. Nothing was changed."))
        error.details = details
        raise error
    return [known[c.sku] for c in changes]


def _sync_refused(changes: list[StockChange], ids: list[int], refused: list[tuple[int, ShopError]]) -> ShopError:
    now = {
        r.id: r
        for r in db.session.execute(
            select(Variant.id, Variant.on_hand, Variant.reserved).where(Variant.id.in_([ids[n] for n, _ in refused]))
        )
    }
    details = []
    for n, exc in sorted(refused, key=lambda r: r[0]):
        change, figures = changes[n], now[ids[n]]
        if isinstance(exc, StockChanged):
            field = "expected_on_hand"
            message = _l(
                "%(sku)s has %(now)s on hand, not the %(expected)s you sent.",
                sku=change.sku,
                now=figures.on_hand,
                expected=change.expected_on_hand,
            )
        else:
            field, message = ("adjust" if change.adjust is not None else "on_hand"), exc.message
        details.append(
            {
                "field": f"items.{n}.{field}",
                "message": str(message),
                "sku": change.sku,
                "current": {
                    "on_hand": figures.on_hand,
                    "reserved": figures.reserved,
                    "available": figures.on_hand - figures.reserved,
                },
            }
        )
    skus = [changes[n].sku for n, _ in sorted(refused, key=lambda r: r[0])]
    shown = ", ".join(skus[:10]) + (" …" if len(skus) > 10 else "")
    if any(isinstance(exc, StockChanged) for _, exc in refused):
        error = ConflictError(
            _l(
                "The stock of %(skus)s is no longer what you expected. Nothing was changed: "
                "read the figures again and retry.",
                skus=shown,
            )
        )
        error.code = "stock_changed"
    elif any(isinstance(exc, ConflictError) for _, exc in refused):
        error = ConflictError(_l("Orders hold more of %(skus)s than that. Nothing was changed.", skus=shown))
        error.code = "stock_held"
    else:
        error = ValidationError(_l("%(skus)s cannot be changed that way. Nothing was changed.", skus=shown))
    error.details = details
    return error
