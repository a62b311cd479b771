"""Bulk stock benchmark: the CSV preview and apply of 5,000 rows (issue 12, "Up to 5,000 rows in
a few seconds").

    .venv/bin/python bench/stock_csv.py [--rows 5000] [--repeats 5]
                                        [--database-url postgresql+psycopg://… | --postgresql]

A fresh database (a SQLite file in a temporary folder, or a database created on a PostgreSQL
server, or on a throwaway cluster with --postgresql, as bench/run.py does) is migrated and one
producer gets --rows variants (five packs per product) with their opening stock in the ledger,
plus another producer's 1,000 variants that must never be touched.

Each round, in this process, with a fresh database session per step:
- export: `shop.inventory.bulk.export_csv` of the producer's variants;
- the file is edited as a person would in Excel (every row's on hand changes, every other row's
  price, every fifth row's warning level) and saved as Excel does (UTF-8 with a BOM, semicolons);
- preview: `preview_upload` reads and checks every row and stores the preview, then commits;
- apply: `apply_upload` writes every row (guarded per row), the ledger, the lowest prices and the
  audit entry, then commits;
- the same two steps through the portal's pages (Flask test client, logged in): POST
  /producer/stock/upload (then the preview page) and POST /producer/stock/upload/<id>/apply.

The table (min, median and max seconds over --repeats rounds, after one warm-up round) is printed
and written as JSON to bench/results/stock_csv.json. See bench/README.md, "Bulk stock CSV".
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import statistics
import sys
import time

from harness import (  # bench/ is the script's folder
    log,
    parse_with_database,
    report_header,
    shop_on_fresh_database,
)

PASSWORD = "bench-password-1"
PACKS = 5


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5_000, help="variants of the producer, rows of the file")
    parser.add_argument("--repeats", type=int, default=5, help="timed rounds (after one warm-up round)")
    return parse_with_database(parser, argv, "stock_csv.json")


def build(rows: int) -> dict:
    """Migrate, then bulk-insert the producers, their products and variants, and the ledger."""
    from flask_migrate import upgrade
    from sqlalchemy import insert, select
    from werkzeug.security import generate_password_hash

    from shop import clock
    from shop.accounts.models import ProducerMember, User
    from shop.catalog.models import Product, Variant
    from shop.extensions import db
    from shop.inventory.services import record_opening_stock
    from shop.producers.models import Producer

    started = time.perf_counter()
    upgrade()
    migrated = time.perf_counter() - started
    started = time.perf_counter()
    owner = User(email="owner@bench.example", name="Chủ HTX", password_hash=generate_password_hash(PASSWORD))
    ours = Producer(
        name="HTX Xôi Phú Thượng (bench)", slug="bench-xoi", kind="cooperative", tax_code="0100109106",
        province_code=1, ward_code=91, status="active",
    )  # fmt: skip
    theirs = Producer(
        name="HTX Chè Sen (bench)", slug="bench-che", kind="cooperative", tax_code="0100686209",
        province_code=1, ward_code=103, status="active",
    )  # fmt: skip
    db.session.add_all([owner, ours, theirs])
    db.session.flush()
    db.session.add(ProducerMember(user_id=owner.id, producer_id=ours.id, role="owner"))

    def stock_of(producer, count: int, prefix: str) -> None:
        products = [
            {
                "producer_id": producer.id,
                "slug": f"{prefix}-{n}",
                "group_code": "thuc-pham",
                "name_vi": f"Sản phẩm {prefix} {n}",
                "province_code": 1,
                "ward_code": 91,
                "status": "published",
                "published_at": clock.now(),
                "price_from_vnd": 30_000,
                "created_at": clock.now(),
            }
            for n in range(-(-count // PACKS))
        ]
        db.session.execute(insert(Product), products)
        ids = db.session.scalars(select(Product.id).where(Product.producer_id == producer.id).order_by(Product.id))
        variants = [
            {
                "product_id": product_id,
                "sku": f"{prefix.upper()}-{n:05d}-{pack}",
                "name_vi": f"Gói {pack + 1}",
                "price_vnd": 30_000 + 5_000 * pack,
                "on_hand": 20 + pack,
                "weight_g": 500,
            }
            for n, product_id in enumerate(ids)
            for pack in range(PACKS)
        ][:count]
        db.session.execute(insert(Variant), variants)

    stock_of(ours, rows, "xoi")
    stock_of(theirs, 1_000, "che")
    record_opening_stock()
    db.session.commit()
    return {
        "migrate_s": round(migrated, 2),
        "insert_s": round(time.perf_counter() - started, 2),
        "producer_id": ours.id,
        "owner_id": owner.id,
    }


def edited(exported: str, round_no: int) -> bytes:
    """The exported file as a person edits it in Excel and saves it ("CSV UTF-8", semicolons)."""
    rows = list(csv.reader(io.StringIO(exported.lstrip("\ufeff"))))
    for n, row in enumerate(rows[1:]):
        row[4] = str(int(row[4]) + 1 + round_no % 3)  # on hand: every row
        if n % 2 == 0:
            row[3] = str(int(row[3]) + 1_000)  # price: every other row
        if n % 5 == 0:
            row[5] = str(3 + round_no % 4)  # warning level: every fifth row
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def one_round(app, data: dict, round_no: int) -> dict:
    """Export, edit, preview and apply through the services, then again through the pages."""
    from shop.accounts.models import User
    from shop.extensions import db
    from shop.inventory import bulk

    times = {}
    producer_id = data["producer_id"]

    def timed(name, work):
        started = time.perf_counter()
        result = work()
        times[name] = time.perf_counter() - started
        db.session.remove()
        return result

    exported = timed("export", lambda: bulk.export_csv(producer_id))
    body = edited(exported, round_no)

    def preview():
        owner = db.session.get(User, data["owner_id"])
        upload = bulk.preview_upload(producer_id, io.BytesIO(body), "kho.csv", actor=owner)
        db.session.commit()
        summary = bulk.summary(upload)
        assert summary.rows == data["rows"] and summary.with_errors == 0, summary
        return upload.id, summary.changed

    upload_id, changed = timed("preview", preview)

    def apply():
        owner = db.session.get(User, data["owner_id"])
        applied = bulk.apply_upload(upload_id, producer_id=producer_id, actor=owner)
        db.session.commit()
        return applied

    applied = timed("apply", apply)
    assert applied == changed == data["rows"], (applied, changed)

    # The same through the portal's pages, with the file edited once more.
    exported = bulk.export_csv(producer_id)
    db.session.remove()
    body = edited(exported, round_no + 1)
    client = data["client"]

    def page_upload():
        response = client.post(
            "/producer/stock/upload",
            data={"file": (io.BytesIO(body), "kho.csv")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 302, response.status_code
        location = response.headers["Location"]
        page = client.get(location)
        assert page.status_code == 200
        return int(location.rsplit("/", 1)[1])

    page_id = timed("page_upload_and_preview", page_upload)

    def page_apply():
        response = client.post(f"/producer/stock/upload/{page_id}/apply")
        assert response.status_code == 302 and response.headers["Location"].endswith("/producer/stock")

    timed("page_apply", page_apply)
    return times


def main(argv=None) -> int:
    args = parse_args(argv)
    report: dict = report_header(args)
    with shop_on_fresh_database(args, "stock") as (app, tmp):
        from shop.extensions import db

        with app.app_context():
            kind = db.engine.dialect.name
            log(f"Building {args.rows:,} variants of one producer ({kind}) …")
            data = build(args.rows)
            data["rows"] = args.rows
            log(f"  migrated in {data['migrate_s']} s, inserted in {data['insert_s']} s")
            db.session.remove()
            client = app.test_client()
            response = client.post("/account/login", data={"email": "owner@bench.example", "password": PASSWORD})
            assert response.status_code == 302, "login failed"
            data["client"] = client
            one_round(app, data, 0)  # warm-up
            rounds = [one_round(app, data, n) for n in range(1, args.repeats + 1)]
            db.session.remove()
            db.engine.dispose()
        report["database"] = kind
        report["data"] = {k: v for k, v in data.items() if k != "client"}
        report["steps"] = {
            name: {
                "min_s": round(min(r[name] for r in rounds), 3),
                "median_s": round(statistics.median(r[name] for r in rounds), 3),
                "max_s": round(max(r[name] for r in rounds), 3),
            }
            for name in rounds[0]
        }
    report["machine"]["load_average_at_end"] = os.getloadavg()[0]
    log("")
    log(f"{args.rows:,} rows on {report['database']}, {args.repeats} rounds (seconds)")
    log(f"{'step':<26}{'min':>8}{'median':>8}{'max':>8}")
    for name, figures in report["steps"].items():
        log(f"{name:<26}{figures['min_s']:>8.3f}{figures['median_s']:>8.3f}{figures['max_s']:>8.3f}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    log(f"Written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
