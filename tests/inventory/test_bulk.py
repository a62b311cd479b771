"""Bulk stock and prices by CSV: download, edit, upload, preview every row, apply all or nothing."""

from __future__ import annotations

import csv
import io

import pytest
from flask_babel import force_locale
from sqlalchemy import func, insert, select

from shop.audit.models import AuditEvent
from shop.catalog.models import Product, Variant
from shop.errors import ConflictError, NotFound, ValidationError
from shop.extensions import cache, db
from shop.inventory import bulk
from shop.inventory import services as stock
from shop.inventory.models import StockMovement, StockUpload
from shop.mail.services import run_committed_work
from tests.support.builders import stocked


@pytest.fixture
def shelf(producer, variant):
    """Three variants of the producer: `variant` (10 on hand, 35.000 ₫) and a product with two
    packs (20 and 0 on hand)."""
    pair = stocked("Chè sen Quảng An", producer=producer, on_hand=20, price=120_000, extra_prices=(450_000,))
    return [variant, *pair.variants]


def english(messages) -> list[str]:
    with force_locale("en"):
        return [str(m) for m in messages]


def upload_text(producer, owner, text: str, *, encoding="utf-8", name="stock.csv"):
    return bulk.preview_upload(producer.id, io.BytesIO(text.encode(encoding)), name, actor=owner)


def csv_of(rows, *, header=bulk.HEADER, delimiter=",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def refused_message(producer, owner, text, **kwargs) -> str:
    with pytest.raises(bulk.FileRefused) as refused:
        upload_text(producer, owner, text, **kwargs)
    assert db.session.scalar(select(func.count()).select_from(StockUpload)) == 0
    return english([refused.value.message])[0]


def errors_by_line(upload) -> dict[int, list[str]]:
    with force_locale("en"):
        return {r["line"]: bulk.row_messages(r) for r in upload.rows if r["errors"]}


# --- The round trip ------------------------------------------------------------------------------


@pytest.mark.both_databases
def test_export_edit_upload_preview_apply(backend, producer, owner, shelf, other_variant):
    first, pack, big_pack = shelf
    exported = bulk.export_csv(producer.id)
    assert exported.startswith("\ufeff") and "\r\n" in exported
    rows = list(csv.reader(io.StringIO(exported.lstrip("\ufeff"))))
    assert rows[0] == list(bulk.HEADER)
    assert {r[0] for r in rows[1:]} == {v.sku for v in shelf}  # never another producer's
    by_sku = {r[0]: r for r in rows[1:]}
    assert by_sku[first.sku][1:] == ["Xôi xéo Phú Thượng", "Gói 1", "35000", "10", ""]

    by_sku[first.sku][4] = "14"  # received 4
    by_sku[first.sku][5] = "3"  # warn at 3
    by_sku[pack.sku][3] = "99000"  # cheaper: the product's lowest price follows
    edited = csv_of(by_sku.values())
    upload = upload_text(producer, owner, edited, encoding="utf-8-sig")
    db.session.commit()

    preview = {r["sku"]: r for r in upload.rows}
    assert preview[first.sku]["changes"] == ["on_hand", "low_stock_threshold"]
    assert preview[first.sku]["old"] == {"price_vnd": 35_000, "on_hand": 10, "low_stock_threshold": None}
    assert preview[first.sku]["new"] == {"price_vnd": 35_000, "on_hand": 14, "low_stock_threshold": 3}
    assert preview[pack.sku]["changes"] == ["price_vnd"]
    assert preview[big_pack.sku]["changes"] == []
    assert bulk.summary(upload) == bulk.Summary(rows=3, changed=2, unchanged=1, with_errors=0)

    assert bulk.apply_upload(upload.id, producer_id=producer.id, actor=owner) == 2
    db.session.commit()
    first, pack = db.session.get(Variant, first.id), db.session.get(Variant, pack.id)
    assert (first.on_hand, first.low_stock_threshold, pack.price_vnd) == (14, 3, 99_000)
    assert db.session.get(Product, pack.product_id).price_from_vnd == 99_000
    last = db.session.scalars(select(StockMovement).order_by(StockMovement.id.desc())).first()
    assert (last.variant_id, last.on_hand_delta, last.reason, last.actor_user_id) == (first.id, 4, "set", owner.id)
    assert last.note == "CSV stock.csv"
    assert stock.ledger_totals(first.id) == (14, 0)
    [entry] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "stock.upload"))
    assert (entry.entity, entry.entity_id, entry.producer_id, entry.actor_email) == (
        "stock",
        f"upload-{upload.id}",
        producer.id,
        owner.email,
    )
    assert entry.before == {first.sku: {"on_hand": 10, "low_stock_threshold": None}, pack.sku: {"price_vnd": 120_000}}
    assert entry.after == {first.sku: {"on_hand": 14, "low_stock_threshold": 3}, pack.sku: {"price_vnd": 99_000}}
    assert db.session.get(StockUpload, upload.id).applied_at is not None


def test_excels_utf8_with_bom_semicolons_and_grouped_thousands(producer, owner, shelf):
    first, pack, _ = shelf
    text = (
        "sep=;\r\n"
        "SKU;Product;Variant;Price_VND;On hand;Low stock threshold\r\n"
        f"{first.sku};Xôi xéo;Gói 1;35.000 ₫;12;2\r\n"
        f"{pack.sku};“Chè sen”;Hộp;120.000;20;\r\n"
        ";;;;;\r\n"
    )
    upload = upload_text(producer, owner, text, encoding="utf-8-sig")
    assert errors_by_line(upload) == {}
    assert [(r["sku"], r["changes"]) for r in upload.rows] == [
        (first.sku, ["on_hand", "low_stock_threshold"]),
        (pack.sku, []),
    ]
    assert upload.rows[0]["new"] == {"price_vnd": 35_000, "on_hand": 12, "low_stock_threshold": 2}


def test_a_semicolon_file_without_the_sep_line(producer, owner, shelf):
    first = shelf[0]
    text = csv_of([(first.sku, "x; y", "z", "36000", "10", "")], delimiter=";")
    upload = upload_text(producer, owner, text, encoding="utf-8-sig")
    assert upload.rows[0]["changes"] == ["price_vnd"]


# --- Bad files -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [("ma", "ten", "gia", "ton", "nguong"), ("sku", "product", "variant", "price_vnd", "on_hand")],
)
def test_wrong_or_missing_headers_refuse_the_file_in_one_message(producer, owner, shelf, header):
    message = refused_message(producer, owner, csv_of([["x"] * len(header)], header=header))
    assert "low_stock_threshold" in message.split("missing:")[1]
    assert "sku, product, variant, price_vnd, on_hand, low_stock_threshold" in message


def test_a_file_that_is_not_utf8_is_refused(producer, owner, shelf):
    text = csv_of([(shelf[0].sku, "Xôi xéo", "Gói", "35000", "9", "")])
    assert "not UTF-8" in refused_message(producer, owner, text, encoding="cp1252")  # Excel's "CSV"
    assert "not UTF-8" in refused_message(producer, owner, text, encoding="utf-16")


def test_an_empty_file_is_refused(producer, owner):
    assert "empty" in refused_message(producer, owner, "")
    assert "empty" in refused_message(producer, owner, "\r\n\r\n")


def test_every_bad_row_is_named_and_nothing_can_be_applied(producer, owner, shelf, other_variant):
    first, pack, big_pack = shelf
    stock.reserve_stock([(pack.id, 5)], order_id=None)
    db.session.commit()
    rows = [
        (first.sku, "", "", "35000", "-1", ""),  # line 2
        ("NO-SUCH-SKU", "", "", "35000", "1", ""),  # 3
        (other_variant.sku, "", "", "35000", "1", ""),  # 4: another producer's reads as unknown
        (pack.sku, "", "", "0", "4", "abc"),  # 5: price 0, below what orders hold, threshold not a number
        (big_pack.sku, "", "", "mười", "1.5", "2000000"),  # 6
        (big_pack.sku, "", "", "450000", "", "1"),  # 7: duplicated, on hand empty
        ("", "", "", "1", "1", "1"),  # 8
        (first.sku + "-X", "", "", "1", "99999999", "1"),  # 9
    ]
    upload = upload_text(producer, owner, csv_of(rows))
    db.session.commit()
    errors = errors_by_line(upload)
    assert errors[2] == ["On hand cannot be negative."]
    assert errors[3] == ["None of your variants has the SKU NO-SUCH-SKU."]
    assert errors[4] == [f"None of your variants has the SKU {other_variant.sku}."]
    assert errors[5] == [
        "Low-stock threshold: “abc” is not a whole number.",
        "The price must be more than 0 ₫.",
        "Orders hold 5 of this variant: on hand cannot be less.",
    ]
    assert errors[6] == [
        "Price (₫): “mười” is not a whole number.",
        "On hand: “1.5” is not a whole number.",
        "Low-stock threshold can be at most 1,000,000.",
        f"The SKU {big_pack.sku} is also on line 7.",
    ]
    assert errors[7] == ["On hand is empty.", f"The SKU {big_pack.sku} is also on line 6."]
    assert errors[8] == ["The SKU is empty."]
    assert errors[9][1] == "On hand can be at most 1,000,000."
    assert bulk.summary(upload).with_errors == 8 and not bulk.summary(upload).can_apply

    with pytest.raises(ValidationError):
        bulk.apply_upload(upload.id, producer_id=producer.id, actor=owner)
    db.session.rollback()
    assert db.session.get(Variant, first.id).on_hand == 10
    assert db.session.get(StockUpload, upload.id).applied_at is None


def test_one_bad_row_among_good_ones_stops_them_all(producer, owner, shelf):
    first, pack, _ = shelf
    upload = upload_text(
        producer, owner, csv_of([(first.sku, "", "", "35000", "30", ""), (pack.sku, "", "", "0", "1", "")])
    )
    with pytest.raises(ValidationError):
        bulk.apply_upload(upload.id, producer_id=producer.id, actor=owner)
    db.session.rollback()
    assert db.session.get(Variant, first.id).on_hand == 10


@pytest.mark.both_databases
def test_a_change_since_the_preview_refuses_the_whole_file(backend, producer, owner, shelf):
    first, pack, _ = shelf
    text = csv_of([(first.sku, "", "", "35000", "30", ""), (pack.sku, "", "", "100000", "25", "")])
    upload = upload_text(producer, owner, text)
    db.session.commit()
    stock.adjust_stock(pack.id, -1, reason="spoilage", producer_id=producer.id, actor=owner)  # meanwhile
    db.session.commit()
    with pytest.raises(ConflictError) as refused:
        bulk.apply_upload(upload.id, producer_id=producer.id, actor=owner)
    db.session.rollback()
    assert pack.sku in english([refused.value.message])[0]
    assert db.session.get(Variant, first.id).on_hand == 10  # the unchanged row was not applied either
    assert db.session.get(Variant, pack.id).price_vnd == 120_000
    assert db.session.get(StockUpload, upload.id).applied_at is None


def test_an_upload_is_applied_once_and_only_by_its_producer(producer, owner, shelf, other_variant):
    upload = upload_text(producer, owner, csv_of([(shelf[0].sku, "", "", "35000", "11", "")]))
    with pytest.raises(NotFound):
        bulk.apply_upload(upload.id, producer_id=other_variant.product.producer_id, actor=owner)
    bulk.apply_upload(upload.id, producer_id=producer.id, actor=owner)
    db.session.commit()
    with pytest.raises(ConflictError):
        bulk.apply_upload(upload.id, producer_id=producer.id, actor=owner)
    assert stock.ledger_totals(shelf[0].id) == (11, 0)


def test_a_new_upload_replaces_the_users_preview_not_yet_applied(producer, owner, shelf):
    text = csv_of([(shelf[0].sku, "", "", "35000", "11", "")])
    upload_text(producer, owner, text)
    applied = upload_text(producer, owner, text)
    bulk.apply_upload(applied.id, producer_id=producer.id, actor=owner)
    upload_text(producer, owner, text)
    upload_text(producer, owner, text)
    kept = db.session.scalars(select(StockUpload.applied_at.is_not(None)).order_by(StockUpload.id)).all()
    assert kept == [True, False]  # the applied one stays; of the others only the newest


# --- Size ----------------------------------------------------------------------------------------


def _many_variants(producer, count: int) -> list[str]:
    """`count` variants of one product of the producer, inserted in one statement."""
    product = stocked("Gạo nếp cái hoa vàng", producer=producer, on_hand=1)
    skus = [f"NEP-{n:05d}" for n in range(count)]
    db.session.execute(
        insert(Variant),
        [{"product_id": product.id, "sku": s, "name_vi": s, "price_vnd": 50_000, "on_hand": 5} for s in skus],
    )
    stock.record_opening_stock()
    db.session.commit()
    return skus


@pytest.mark.both_databases
def test_five_thousand_rows_are_previewed_and_applied(backend, producer, owner):
    skus = _many_variants(producer, bulk.MAX_ROWS)
    text = csv_of([(s, "", "", str(51_000 + n % 7), "8", "2") for n, s in enumerate(skus)])
    upload = upload_text(producer, owner, text)
    assert bulk.summary(upload) == bulk.Summary(rows=5_000, changed=5_000, unchanged=0, with_errors=0)
    db.session.commit()
    assert bulk.apply_upload(upload.id, producer_id=producer.id, actor=owner) == 5_000
    db.session.commit()
    on_hand = db.session.scalar(select(func.sum(Variant.on_hand)).where(Variant.sku.in_(skus[:100])))
    assert on_hand == 800
    ledger = db.session.scalar(
        select(func.sum(StockMovement.on_hand_delta)).join(Variant).where(Variant.sku.like("NEP-%"))
    )
    assert ledger == 8 * 5_000
    product = db.session.scalar(select(Product).join(Variant).where(Variant.sku == skus[0]))
    assert product.price_from_vnd == 51_000  # was 100.000 ₫, its first pack's


def test_five_thousand_and_one_rows_are_refused(producer, owner):
    text = csv_of([(f"NEP-{n:05d}", "", "", "1", "1", "") for n in range(bulk.MAX_ROWS + 1)])
    assert "more than 5.000 rows" in refused_message(producer, owner, text)


def test_fifty_thousand_rows_are_refused_without_reading_the_rest(producer, owner):
    data = csv_of([(f"NEP-{n:05d}", "Gạo", "Bao 5 kg", "1", "1", "") for n in range(50_000)]).encode()
    stream = io.BytesIO(data)
    with pytest.raises(bulk.FileRefused) as refused:
        bulk.preview_upload(producer.id, stream, "big.csv", actor=owner)
    assert "more than 5.000 rows" in english([refused.value.message])[0]
    assert stream.tell() < len(data) / 5  # it stopped near row 5,001


def test_a_file_larger_than_any_honest_one_is_refused_unread(producer, owner):
    stream = io.BytesIO(b"sku,price_vnd,on_hand,low_stock_threshold\r\n" + b"x" * (bulk.MAX_BYTES + 1))
    with pytest.raises(bulk.FileRefused):
        bulk.preview_upload(producer.id, stream, "huge.csv", actor=owner)
    assert stream.tell() == 0


def test_new_prices_drop_the_cached_catalog_pages_once_committed(producer, owner, shelf):
    first, pack, _ = shelf
    cache.set("page", "with the old price")
    stock_only = upload_text(producer, owner, csv_of([(first.sku, "", "", "35000", "11", "")]))
    bulk.apply_upload(stock_only.id, producer_id=producer.id, actor=owner)
    db.session.commit()
    run_committed_work()
    assert cache.get("page") == "with the old price"  # stock alone: the pages stay
    priced = upload_text(producer, owner, csv_of([(pack.sku, "", "", "99000", "20", "")]))
    bulk.apply_upload(priced.id, producer_id=producer.id, actor=owner)
    assert cache.get("page") == "with the old price"  # not before the commit
    db.session.commit()
    run_committed_work()  # as the end of the request does
    assert cache.get("page") is None
