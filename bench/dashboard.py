"""Producer dashboard benchmark: the sales dashboard and a monthly statement over 100,000 order
lines of one producer.

    .venv/bin/python bench/dashboard.py [--lines 100000] [--repeats 10]
                                        [--database-url postgresql+psycopg://… | --postgresql]

A fresh database (a SQLite file in a temporary folder, or a database created on a PostgreSQL
server, or on a throwaway cluster with --postgresql, as bench/run.py does) is migrated and
filled with bulk inserts: one producer's --lines order lines (1–4 per order, over the last 365
days; most orders delivered, some shipped, being prepared, confirmed, waiting for payment or
cancelled), each order's shipments as fulfilment keeps them (delivered ones with their time and
rate), and a second producer's lines in a quarter of the orders, which must never count.

Then, in this process, each is timed --repeats times after one warm-up run, each run in a fresh
database session:
- the services: `shop.portal.sales.dashboard` for 7, 30 and 90 days, the dashboard panel's
  7-day figures, `shop.settlements.services.statement` of last month, `months`, `statement_csv`
  and the admin's `statements_due`;
- the pages as a logged-in member (or admin) gets them through the Flask test client, with
  templates: /producer/sales?days=7|30|90, /producer/ (all panels), /producer/statements,
  /producer/statements/<last month> (+ .csv), /admin/payouts.

The table (p50, p95, the fastest run and the number of SQL statements per run) is printed and written as JSON to
bench/results/dashboard.json. See bench/README.md, "Producer dashboard".
"""

from __future__ import annotations

import argparse
import contextvars
import json
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

from harness import ROOT, log, report_header, shop_on_fresh_database  # bench/ is the script's folder

RESULTS = ROOT / "bench" / "results"
PASSWORD = "bench-password-1"
CHUNK = 5_000
# How orders end up, of every 100 (roughly how a shop's last year looks).
STATUS_MIX = (
    ("delivered", 70),
    ("shipped", 8),
    ("processing", 5),
    ("confirmed", 7),
    ("pending_payment", 5),
    ("cancelled", 5),
)
SHIPMENT_STATUS = {
    "delivered": "delivered",
    "shipped": "shipped",
    "processing": "packed",
    "confirmed": "open",
    "pending_payment": "open",
    "cancelled": "cancelled",
}


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * pct / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=100_000, help="order lines of the producer measured")
    parser.add_argument("--repeats", type=int, default=10, help="timed runs of each measure (after one warm-up)")
    parser.add_argument("--seed", type=int, default=12, help="random seed of the generated orders")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--database-url", help="a PostgreSQL server on which to create (and drop) the database")
    where.add_argument("--postgresql", action="store_true", help="start a throwaway PostgreSQL cluster and use it")
    parser.add_argument("--output", type=Path, default=RESULTS / "dashboard.json", help="where to write the JSON")
    args = parser.parse_args(argv)
    if args.lines < 1 or args.repeats < 1:
        parser.error("--lines and --repeats must be positive")
    if args.database_url and not args.database_url.startswith("postgresql"):
        parser.error("--database-url must be a postgresql+psycopg:// URL (SQLite is the default)")
    return args


# --- The data -----------------------------------------------------------------------------------


def build(app, lines_wanted: int, seed: int) -> dict:
    """Migrate, then bulk-insert the producers, products, orders, lines and shipments."""
    from flask_migrate import upgrade
    from sqlalchemy import insert, select
    from werkzeug.security import generate_password_hash

    from shop import clock
    from shop.accounts.models import ProducerMember, User
    from shop.catalog.models import Product, Variant
    from shop.extensions import db
    from shop.fulfilment.models import Shipment
    from shop.orders.models import Order, OrderLine
    from shop.producers.models import Producer

    started = time.perf_counter()
    upgrade()
    migrated = time.perf_counter() - started
    rng = random.Random(seed)

    password_hash = generate_password_hash(PASSWORD)
    member = User(email="owner@bench.example", name="Chủ HTX", password_hash=password_hash)
    admin = User(email="admin@bench.example", name="Quản trị", password_hash=password_hash, is_admin=True)
    measured = Producer(
        name="HTX Xôi Phú Thượng (bench)", slug="bench-xoi", kind="cooperative", tax_code="0100109106",
        province_code=1, ward_code=91, status="active", commission_bp=1000,
    )  # fmt: skip
    other = Producer(
        name="HTX Chè Sen (bench)", slug="bench-che", kind="cooperative", tax_code="0100686209",
        province_code=1, ward_code=103, status="active",
    )  # fmt: skip
    db.session.add_all([member, admin, measured, other])
    db.session.flush()
    db.session.add(ProducerMember(user_id=member.id, producer_id=measured.id, role="owner"))

    def products(producer, count, prefix):
        made = []
        for n in range(count):
            product = Product(
                producer_id=producer.id, slug=f"{prefix}-{n}", group_code="thuc-pham",
                name_vi=f"Sản phẩm {prefix} {n}", name_en=f"Product {prefix} {n}",
                province_code=1, ward_code=91, status="published",
            )  # fmt: skip
            product.variants.append(
                Variant(
                    sku=f"{prefix.upper()}-{n:03d}", name_vi="Gói", price_vnd=rng.choice((35, 50, 120, 450)) * 1000,
                    on_hand=rng.randint(0, 200), weight_g=500, low_stock_threshold=rng.choice((None, 10, 20)),
                )
            )  # fmt: skip
            db.session.add(product)
            made.append(product)
        db.session.flush()
        return [
            (p.id, p.variants[0].id, p.variants[0].sku, p.name_vi, p.name_en, p.variants[0].price_vnd) for p in made
        ]

    mine = products(measured, 30, "xoi")
    theirs = products(other, 5, "che")
    db.session.commit()

    now = clock.now()
    statuses = [s for s, weight in STATUS_MIX for _ in range(weight)]
    orders, lines, shipments = [], [], []
    order_id = db.session.scalar(select(Order.id).order_by(Order.id.desc()).limit(1)) or 0
    line_count = 0

    def flush():
        for model, rows in ((Order, orders), (OrderLine, lines), (Shipment, shipments)):
            if rows:
                db.session.execute(insert(model), rows)
                rows.clear()

    # How many of the producer's lines each order has, then when each was placed: orders are
    # numbered in the order they were placed, as in the shop.
    sizes = []
    while sum(sizes) < lines_wanted:
        sizes.append(min(rng.randint(1, 4), lines_wanted - sum(sizes)))
    moments = sorted(now - timedelta(seconds=rng.randint(60, 365 * 86400)) for _ in sizes)
    for size, placed in zip(sizes, moments, strict=True):
        order_id += 1
        status = rng.choice(statuses)
        subtotal = 0
        parts = {measured.id: [rng.choice(mine) for _ in range(size)]}
        line_count += size
        if rng.random() < 0.25:
            parts[other.id] = [rng.choice(theirs)]
        for producer_id, picked in parts.items():
            value = 0
            for product_id, variant_id, sku, name_vi, name_en, price in picked:
                quantity = rng.randint(1, 5)
                lines.append(
                    {
                        "order_id": order_id, "producer_id": producer_id, "product_id": product_id,
                        "variant_id": variant_id, "sku": sku, "product_name_vi": name_vi, "product_name_en": name_en,
                        "variant_name_vi": "Gói", "unit_price_vnd": price, "quantity": quantity,
                        "line_total_vnd": price * quantity, "weight_g": 500 * quantity,
                    }
                )  # fmt: skip
                value += price * quantity
            subtotal += value
            delivered_at = min(placed + timedelta(hours=rng.randint(4, 72)), now) if status == "delivered" else None
            shipments.append(
                {
                    "order_id": order_id, "producer_id": producer_id, "status": SHIPMENT_STATUS[status],
                    "subtotal_vnd": value, "delivered_at": delivered_at,
                    "commission_bp": 1000 if delivered_at else None, "refund_vnd": 0, "created_at": placed,
                }
            )  # fmt: skip
        orders.append(
            {
                "id": order_id, "number": f"OCOP-B-{order_id:07d}", "checkout_token": f"bench-{order_id}",
                "status": status, "payment_method": "cod", "delivery_method": "standard", "locale": "vi",
                "contact_name": "Nguyễn Thị Lan", "phone": "0912345678", "email": "lan@example.vn",
                "province_code": 1, "ward_code": 103, "street": "12 Đặng Thai Mai",
                "subtotal_vnd": subtotal, "shipping_vnd": 30_000, "total_vnd": subtotal + 30_000,
                "weight_g": 0, "payment_attempts": 0, "created_at": placed,
            }
        )  # fmt: skip
        if len(lines) >= CHUNK:
            flush()
    flush()
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # What autovacuum does on a live server: the planner gets the tables' statistics.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
    return {
        "producer_id": measured.id,
        "orders": order_id,
        "lines_measured_producer": line_count,
        "lines_all": db.session.scalar(select(db.func.count()).select_from(OrderLine)),
        "shipments": db.session.scalar(select(db.func.count()).select_from(Shipment)),
        "migrate_s": round(migrated, 2),
        "insert_s": round(time.perf_counter() - started - migrated, 2),
    }


# --- The measures -------------------------------------------------------------------------------


def measure(app, name: str, work, repeats: int) -> dict:
    from sqlalchemy import event

    from shop.extensions import db

    statements = []

    def count(*_):
        statements.append(1)

    db.session.remove()
    work()  # warm-up
    timings = []
    for _ in range(repeats):
        db.session.remove()
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        started = time.perf_counter()
        try:
            work()
        finally:
            elapsed = time.perf_counter() - started
            event.remove(db.engine, "before_cursor_execute", count)
        timings.append(elapsed * 1000)
    row = {
        "name": name,
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(percentile(timings, 95), 1),
        "min_ms": round(min(timings), 1),
        "statements": len(statements),
    }
    log(f"{name:<44} {row['p50_ms']:>9.1f} {row['p95_ms']:>9.1f} {row['min_ms']:>9.1f} {row['statements']:>6}")
    return row


def run_measures(app, producer_id: int, repeats: int) -> list[dict]:
    from shop.portal import sales
    from shop.settlements import services as settlements
    from shop.settlements.periods import Period

    month = Period.current().previous()
    rows = []
    log("")
    log(f"{'measure':<44} {'p50 ms':>9} {'p95 ms':>9} {'min ms':>9} {'SQL':>6}")
    services = [
        (f"sales.dashboard({days} days)", lambda d=days: sales.dashboard(producer_id, d)) for days in sales.PERIODS
    ]
    services += [
        ("dashboard panel (7-day figures)", lambda: sales.summary(producer_id, (7,))),
        (f"settlements.statement({month.key})", lambda: settlements.statement(producer_id, month)),
        ("settlements.months()", lambda: settlements.months(producer_id)),
        (f"settlements.statement_csv({month.key})", lambda: settlements.statement_csv(producer_id, month)),
        (f"settlements.statements_due({month.key})", lambda: settlements.statements_due(month)),
    ]
    with app.test_request_context():
        for name, work in services:
            rows.append(measure(app, name, work, repeats))

    def page(client, url):
        def get():
            # Each request in its own app context, as a server runs it (tests/conftest.py's
            # IsolatedClient): nothing in `g` carries over from one request to the next.
            response = contextvars.Context().run(client.get, url)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
            return response.get_data()

        return get

    member, admin = app.test_client(), app.test_client()
    for client, email in ((member, "owner@bench.example"), (admin, "admin@bench.example")):
        response = contextvars.Context().run(client.post, "/account/login", data={"email": email, "password": PASSWORD})
        if response.status_code != 302:
            raise RuntimeError(f"logging in {email} failed ({response.status_code})")
    for url in (
        "/producer/sales?days=7",
        "/producer/sales?days=30",
        "/producer/sales?days=90",
        "/producer/",
        "/producer/statements",
        f"/producer/statements/{month.key}",
        f"/producer/statements/{month.key}.csv",
    ):
        rows.append(measure(app, f"GET {url}", page(member, url), repeats))
    url = f"/admin/payouts?period={month.key}"
    rows.append(measure(app, f"GET {url}", page(admin, url), repeats))
    return rows


def main(argv=None) -> int:
    args = parse_args(argv)
    report: dict = report_header(args)
    with shop_on_fresh_database(args, "dash") as (app, tmp):
        from shop.extensions import db

        with app.app_context():
            kind = db.engine.dialect.name
            log(f"Building {args.lines:,} order lines of one producer ({kind}) …")
            report["data"] = build(app, args.lines, args.seed)
            data = report["data"]
            log(
                f"  {data['orders']:,} orders, {data['lines_all']:,} lines in all, {data['shipments']:,} shipments; "
                f"migrated in {data['migrate_s']} s, inserted in {data['insert_s']} s"
            )
            report["database"] = kind
            report["measures"] = run_measures(app, data["producer_id"], args.repeats)
            db.session.remove()
            db.engine.dispose()
    report["machine"]["load_average_at_end"] = os.getloadavg()[0]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    log("")
    log(f"Written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
