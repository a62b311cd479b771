"""A restaurant partner's 500-row CSV order (issue 13, "a 500-row CSV order"): the preview of the
upload and the placing of the order with every row as a line.

    .venv/bin/python bench/csv_order.py [--rows 500] [--repeats 5]
                                        [--database-url postgresql+psycopg://… | --postgresql]

A fresh database (as bench/stock_csv.py makes it) is migrated and gets --rows variants of five
producers in Hà Nội (every tenth with a volume price, every seventh with a pack step of 5), and
an approved partner on net-30 terms with a location that receives every day.

Each round, in this process, with a fresh database session per step:
- preview: `shop.wholesale.csv_orders.preview_order_file` reads the file (UTF-8 with a BOM,
  semicolons, as Excel saves it), matches every SKU, checks every quantity against the rules
  and the stock, and prices every row at the partner's prices;
- place: `shop.wholesale.ordering.place_partner_order` with every row as a line: reprices,
  checks the delivery date and window and the credit limit, creates the order with five
  shipments, reserves the stock, confirms it on account, issues the invoice and queues the
  mail; then the transaction is rolled back, so every round places the same order.

The table (min, median and max seconds over --repeats rounds, after one warm-up round) is printed
and written as JSON to bench/results/csv_order.json. See bench/README.md, "A partner's CSV order".
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import time
from datetime import date, timedelta

from harness import (  # bench/ is the script's folder
    log,
    parse_with_database,
    report_header,
    shop_on_fresh_database,
)

PRODUCERS = 5


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=500, help="rows of the file, lines of the order")
    parser.add_argument("--repeats", type=int, default=5, help="timed rounds (after one warm-up round)")
    return parse_with_database(parser, argv, "csv_order.json")


def build(rows: int) -> dict:
    """Migrate, then bulk-insert the producers, products, variants, breaks and the partner."""
    from flask_migrate import upgrade
    from sqlalchemy import insert, select

    from shop import clock
    from shop.catalog.models import Product, Variant
    from shop.extensions import db
    from shop.inventory.services import record_opening_stock
    from shop.partners.models import Partner, PartnerLocation, ReceivingHours
    from shop.pricing.models import PriceBreak
    from shop.producers.models import Producer

    started = time.perf_counter()
    upgrade()
    migrated = time.perf_counter() - started
    started = time.perf_counter()
    tax_codes = ["0100109106", "0100686209", "0101245486", "0100112437", "0100233488"]
    producers = [
        Producer(
            name=f"HTX {n} (bench)",
            slug=f"bench-{n}",
            kind="cooperative",
            tax_code=tax_codes[n],
            province_code=1,
            ward_code=91,
            status="active",
        )  # fmt: skip
        for n in range(PRODUCERS)
    ]
    db.session.add_all(producers)
    db.session.flush()
    db.session.execute(
        insert(Product),
        [
            {
                "producer_id": producers[n % PRODUCERS].id,
                "slug": f"bench-product-{n}",
                "group_code": "thuc-pham" if n % 3 else "do-uong",
                "subgroup_code": "nong-san-tuoi" if n % 3 == 1 else None,
                "name_vi": f"Sản phẩm {n}",
                "province_code": 1,
                "ward_code": 91,
                "status": "published",
                "published_at": clock.now(),
                "price_from_vnd": 50_000,
                "shelf_life_days": 30,
                "created_at": clock.now(),
            }
            for n in range(rows)
        ],
    )
    product_ids = list(db.session.scalars(select(Product.id).order_by(Product.id)))
    db.session.execute(
        insert(Variant),
        [
            {
                "product_id": product_id,
                "sku": f"BENCH-{n:05d}",
                "name_vi": "Thùng",
                "price_vnd": 50_000 + 1_000 * (n % 20),
                "on_hand": 1_000,
                "weight_g": 1_000,
                "partner_step": 5 if n % 7 == 0 else 1,
            }
            for n, product_id in enumerate(product_ids)
        ],
    )
    variants = list(db.session.execute(select(Variant.id, Variant.price_vnd).order_by(Variant.id)))
    db.session.execute(
        insert(PriceBreak),
        [{"variant_id": vid, "min_qty": 10, "unit_price_vnd": price - 5_000} for n, (vid, price) in enumerate(variants)
         if n % 10 == 0],
    )  # fmt: skip
    partner = Partner(
        name="Chuỗi nhà hàng (bench)", tax_code="0109001019", province_code=1, ward_code=70, street="Hàng Bông",
        status="active", payment_terms="net30", credit_limit_vnd=10_000_000_000, einvoice_email="hd@bench.example",
    )  # fmt: skip
    location = PartnerLocation(
        name="Chi nhánh (bench)", province_code=1, ward_code=70, street="52 Hàng Bông", contact_name="Bếp",
        contact_phone="0912345678",
    )  # fmt: skip
    location.hours = [ReceivingHours(weekday=d, opens_minute=360, closes_minute=660) for d in range(7)]
    partner.locations.append(location)
    db.session.add(partner)
    record_opening_stock()
    db.session.commit()
    return {
        "migrate_s": round(migrated, 2),
        "insert_s": round(time.perf_counter() - started, 2),
        "partner_id": partner.id,
        "location_id": location.id,
    }


def order_file(rows: int) -> bytes:
    """`sku;quantity` as Excel saves it: a header, UTF-8 with a BOM, CRLF."""
    lines = ["sku;quantity"] + [f"BENCH-{n:05d};{10 if n % 7 == 0 else 3 + n % 9}" for n in range(rows)]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def one_round(data: dict, content: bytes) -> dict:
    from shop import clock
    from shop.extensions import db
    from shop.partners.models import Partner, PartnerLocation
    from shop.wholesale.csv_orders import preview_order_file
    from shop.wholesale.delivery import Window
    from shop.wholesale.ordering import PartnerOrderRequest, place_partner_order

    timings = {}
    db.session.remove()
    partner = db.session.get(Partner, data["partner_id"])
    started = time.perf_counter()
    preview = preview_order_file(partner, io.BytesIO(content), day=clock.today())
    timings["preview"] = time.perf_counter() - started
    assert not preview.failing, [(row.line, [str(p) for p in row.problems]) for row in preview.failing[:3]]
    items = preview.items()
    db.session.remove()
    partner = db.session.get(Partner, data["partner_id"])
    location = db.session.get(PartnerLocation, data["location_id"])
    tomorrow: date = clock.today() + timedelta(days=1)
    started = time.perf_counter()
    order = place_partner_order(
        partner,
        PartnerOrderRequest(location, items, tomorrow, Window(360, 480)),
        actor_user_id=None,
        email="bep@bench.example",
        locale="vi",
    )
    db.session.flush()
    timings["place"] = time.perf_counter() - started
    assert len(order.lines) == len(items)
    db.session.rollback()
    db.session.remove()
    return timings


def main(argv=None) -> int:
    args = parse_args(argv)
    report = report_header(args)
    with shop_on_fresh_database(args, "csv_order") as (app, _tmp), app.app_context():
        log(f"Building a catalog of {args.rows} variants and a partner …")
        data = build(args.rows)
        log(f"  migrated in {data['migrate_s']} s, inserted in {data['insert_s']} s")
        content = order_file(args.rows)
        one_round(data, content)  # warm-up
        rounds = [one_round(data, content) for _ in range(args.repeats)]
    table = {}
    for step in ("preview", "place"):
        values = [r[step] for r in rounds]
        table[step] = {
            "min_s": round(min(values), 3),
            "median_s": round(statistics.median(values), 3),
            "max_s": round(max(values), 3),
        }
    report["database"] = "postgresql" if (args.postgresql or args.database_url) else "sqlite"
    report["results"] = table
    log(f"\n{args.rows}-row CSV order on {report['database']} (seconds over {args.repeats} rounds):")
    log(f"{'step':<10}{'min':>8}{'median':>8}{'max':>8}")
    for step, row in table.items():
        log(f"{step:<10}{row['min_s']:>8}{row['median_s']:>8}{row['max_s']:>8}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
