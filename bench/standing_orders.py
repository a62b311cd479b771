"""The standing-order run for 1,000 restaurant partners (issue 13, "the standing-order run for
1,000 partners"): `run_standing_orders` for one day ahead, then again with nothing left to do.

    .venv/bin/python bench/standing_orders.py [--partners 1000]
                                              [--database-url postgresql+psycopg://… | --postgresql]

A fresh database (as bench/stock_csv.py makes it) is migrated and gets, by bulk inserts, 30 packs
of three producers in Hà Nội (every third with a volume price, every fifth with a pack step of
5; stock for every order), and --partners approved partners on net-15 terms, each with one
location in Hà Nội that receives every day 06:00–11:00 and one standing order for every day of 2
or 3 of those packs.

Then, in this process, at 01:00 in Hà Nội (before the producers' cut-off):
- first run: `shop.wholesale.standing.run_standing_orders(now, days_ahead=1)` — for each partner
  it claims the (standing order, tomorrow) row, plans the lines against the stock, checks credit,
  and places the order through `place_partner_order` (partner prices, shipments, stock reserved,
  confirmed on account, invoice, order mail queued), one commit per partner: --partners orders;
- second run: the same call, which finds every date done and orders nothing.

The figures are printed and written as JSON to bench/results/standing_orders.json. The order mail
is written to the outbox after each commit but delivered at the end of the app context, outside
the timings. See bench/README.md, "Standing orders".
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import datetime, timedelta

from harness import (  # bench/ is the script's folder
    log,
    parse_with_database,
    report_header,
    shop_on_fresh_database,
)

PRODUCERS = 3
PACKS = 30


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--partners", type=int, default=1_000, help="partners, each with one standing order")
    return parse_with_database(parser, argv, "standing_orders.json")


def build(partners: int, today) -> dict:
    """Migrate, then bulk-insert the catalog, the partners, their locations and standing orders."""
    from flask_migrate import upgrade
    from sqlalchemy import insert, select

    from shop import clock
    from shop.catalog.models import Product, Variant
    from shop.extensions import db
    from shop.inventory.services import record_opening_stock
    from shop.partners.models import Partner, PartnerLocation, ReceivingHours
    from shop.pricing.models import PriceBreak
    from shop.producers.models import Producer
    from shop.wholesale.models import StandingOrder, StandingOrderLine

    started = time.perf_counter()
    upgrade()
    migrated = time.perf_counter() - started
    started = time.perf_counter()
    producers = [
        Producer(name=f"HTX {n} (bench)", slug=f"bench-{n}", kind="cooperative", tax_code=code, province_code=1,
                 ward_code=91, status="active")
        for n, code in enumerate(["0100109106", "0100686209", "0101245486"])
    ]  # fmt: skip
    db.session.add_all(producers)
    db.session.flush()
    db.session.execute(
        insert(Product),
        [
            {
                "producer_id": producers[n % PRODUCERS].id,
                "slug": f"bench-product-{n}",
                "group_code": "thuc-pham" if n % 2 else "do-uong",
                "name_vi": f"Sản phẩm {n}",
                "province_code": 1,
                "ward_code": 91,
                "status": "published",
                "published_at": clock.now(),
                "price_from_vnd": 40_000,
                "shelf_life_days": 1 if n % 4 == 0 else 30,
                "created_at": clock.now(),
            }
            for n in range(PACKS)
        ],
    )
    product_ids = list(db.session.scalars(select(Product.id).order_by(Product.id)))
    db.session.execute(
        insert(Variant),
        [
            {
                "product_id": product_id,
                "sku": f"BENCH-{n:03d}",
                "name_vi": "Hộp",
                "price_vnd": 40_000 + 1_000 * n,
                "on_hand": 1_000_000,
                "weight_g": 500,
                "partner_step": 5 if n % 5 == 0 else 1,
            }
            for n, product_id in enumerate(product_ids)
        ],
    )
    variants = list(
        db.session.execute(select(Variant.id, Variant.price_vnd, Variant.partner_step).order_by(Variant.id))
    )
    db.session.execute(
        insert(PriceBreak),
        [{"variant_id": vid, "min_qty": 10, "unit_price_vnd": price - 5_000}
         for n, (vid, price, _step) in enumerate(variants) if n % 3 == 0],
    )  # fmt: skip
    db.session.execute(
        insert(Partner),
        [
            {"name": f"Nhà hàng {n} (bench)", "tax_code": f"{9_000_000_000 + n}", "province_code": 1,
             "ward_code": 70, "street": f"{n} Hàng Bông", "status": "active", "payment_terms": "net15",
             "credit_limit_vnd": 1_000_000_000, "einvoice_email": f"hd{n}@bench.example"}
            for n in range(partners)
        ],
    )  # fmt: skip
    partner_ids = list(db.session.scalars(select(Partner.id).order_by(Partner.id)))
    db.session.execute(
        insert(PartnerLocation),
        [
            {"partner_id": pid, "name": f"Chi nhánh {n}", "province_code": 1, "ward_code": 70,
             "street": f"{n} Hàng Bông", "contact_name": "Bếp", "contact_phone": "0912345678", "active": True}
            for n, pid in enumerate(partner_ids)
        ],
    )  # fmt: skip
    locations = list(
        db.session.execute(select(PartnerLocation.id, PartnerLocation.partner_id).order_by(PartnerLocation.id))
    )
    db.session.execute(
        insert(ReceivingHours),
        [{"location_id": lid, "weekday": d, "opens_minute": 360, "closes_minute": 660}
         for lid, _pid in locations for d in range(7)],
    )  # fmt: skip
    start = today + timedelta(days=1)
    db.session.execute(
        insert(StandingOrder),
        [
            {"partner_id": pid, "location_id": lid, "name": "Giao sáng hằng ngày", "weekdays_mask": 127,
             "start_date": start, "window_start_minute": 360, "window_end_minute": 480, "status": "active",
             "po_number": f"PO-{n}"}
            for n, (lid, pid) in enumerate(locations)
        ],
    )  # fmt: skip
    standing_ids = list(db.session.scalars(select(StandingOrder.id).order_by(StandingOrder.id)))
    lines = []
    for n, standing_id in enumerate(standing_ids):
        for k in range(2 + n % 2):
            vid, _price, step = variants[(n + 7 * k) % PACKS]
            quantity = (10 + 5 * (n % 3)) * step
            lines.append(
                {"standing_order_id": standing_id, "variant_id": vid, "quantity": quantity, "valid_from": start}
            )
    db.session.execute(insert(StandingOrderLine), lines)
    record_opening_stock()
    db.session.commit()
    return {
        "migrate_s": round(migrated, 2),
        "insert_s": round(time.perf_counter() - started, 2),
        "standing_orders": len(standing_ids),
        "lines": len(lines),
    }


def timed_run(now) -> tuple[float, dict]:
    from sqlalchemy import event

    from shop.extensions import db
    from shop.wholesale.standing import run_standing_orders

    statements = 0

    def count(*_args) -> None:
        nonlocal statements
        statements += 1

    db.session.remove()
    event.listen(db.engine, "before_cursor_execute", count)
    started = time.perf_counter()
    try:
        summary = run_standing_orders(now=now, days_ahead=1)
    finally:
        elapsed = time.perf_counter() - started
        event.remove(db.engine, "before_cursor_execute", count)
    db.session.remove()
    return elapsed, {"outcomes": dict(summary.outcomes), "done_elsewhere": summary.done_elsewhere, "sql": statements}


def main(argv=None) -> int:
    args = parse_args(argv)
    report = report_header(args)
    with shop_on_fresh_database(args, "standing_orders") as (app, _tmp), app.app_context():
        from sqlalchemy import func, select

        from shop import clock
        from shop.extensions import db
        from shop.orders.models import Order

        today = clock.today()
        now = datetime(today.year, today.month, today.day, 1, 0, tzinfo=clock.VN)
        log(f"Building {args.partners} partners with a standing order each …")
        data = build(args.partners, today)
        log(f"  migrated in {data['migrate_s']} s, inserted in {data['insert_s']} s ({data['lines']} lines)")
        first_s, first = timed_run(now)
        orders = db.session.scalar(select(func.count()).select_from(Order))
        second_s, second = timed_run(now)
        orders_after = db.session.scalar(select(func.count()).select_from(Order))
        db.session.remove()
    placed = first["outcomes"].get("placed", 0)
    assert orders == orders_after == placed == args.partners, (orders, orders_after, first, second)
    report["database"] = "postgresql" if (args.postgresql or args.database_url) else "sqlite"
    report["load_average_at_end"] = os.getloadavg()[0]
    report["build"] = data
    report["results"] = {
        "first_run_s": round(first_s, 2),
        "per_order_ms": round(1000 * first_s / max(placed, 1), 1),
        "orders_created": orders,
        "first_run": first,
        "second_run_s": round(second_s, 3),
        "second_run": second,
    }
    log(f"\nStanding-order run for {args.partners} partners on {report['database']}:")
    log(f"  first run (1 day ahead): {first_s:.2f} s, {orders} orders ({1000 * first_s / max(placed, 1):.1f} ms each)")
    per_order = first["sql"] / max(placed, 1)
    log(f"  statements: {first['sql']} in the first run ({per_order:.0f} an order), {second['sql']} in the second")
    log(f"  second run (nothing to do): {second_s * 1000:.0f} ms, {sum(second['outcomes'].values())} orders")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
