"""API benchmark (issue 14): requests per second for the catalog listing and for a 100-SKU stock
update, in this process through the Flask test client.

    .venv/bin/python bench/api.py [--products 10000] [--skus 100] [--seconds 8]
                                  [--database-url postgresql+psycopg://… | --postgresql]

A fresh database (a SQLite file in a temporary folder, or a database created on a PostgreSQL
server, or on a throwaway cluster with --postgresql, as the other benches do) is migrated and
seeded with the demo catalog plus --products synthetic products (`shop.demo`), then one more
producer with --skus packs and their opening stock, and a producer key for it
(`shop.integrations.keys.create_key`).

Each measure runs for --seconds after a warm-up of a second, one request after another, each in
its own app context and database session as a served request is (no page cache, no rate limit):
- `listing`: GET /api/v1/products, the first page in the default order (limit 50);
- `varied`: GET /api/v1/products over a few hundred distinct queries in a shuffled order: every
  sort, filters alone and together (stars, group, subgroup, province, producer, price, stock),
  searches of one to three words of product names with and without diacritics, and later pages
  of them by their cursors (collected before the timing);
- `stock`: POST /api/v1/stock with the producer's key, --skus items in one call (all or
  nothing): half set on hand with the expected value (compare-and-set, as a nightly sync does),
  half adjusted by one unit up or down, so the stock stays where it was.

The table (requests/s, p50 and p95 ms, requests made) is printed and written as JSON to
bench/results/api.json. See bench/README.md, "API".
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
import unicodedata

from harness import log, parse_with_database, report_header, shop_on_fresh_database  # bench/ is the script's folder

LIMIT = 50


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=10_000, help="synthetic products besides the demo catalog")
    parser.add_argument("--skus", type=int, default=100, help="packs of the producer, items of each stock update")
    parser.add_argument("--seconds", type=float, default=8.0, help="seconds each measure runs (after a warm-up)")
    parser.add_argument("--varied", type=int, default=400, help="distinct queries in the varied mix")
    parser.add_argument("--seed", type=int, default=14, help="random seed of the varied mix")
    return parse_with_database(parser, argv, "api.json")


def build(products: int, skus: int) -> dict:
    """Migrate, seed the demo and the synthetic products, then the producer whose stock is
    updated (its packs by bulk insert, with their opening stock) and its key."""
    from flask_migrate import upgrade
    from sqlalchemy import func, insert, select, text

    from shop import clock
    from shop.catalog.models import Product, Variant
    from shop.demo import add_synthetic_products, seed
    from shop.extensions import db
    from shop.integrations.keys import create_key
    from shop.inventory.services import record_opening_stock
    from shop.producers.models import Producer

    timings = {}
    started = time.perf_counter()
    upgrade()
    timings["migrate_s"] = time.perf_counter() - started
    started = time.perf_counter()
    seed()
    db.session.commit()
    add_synthetic_products(products)
    db.session.commit()
    timings["seed_s"] = time.perf_counter() - started
    started = time.perf_counter()
    producer = Producer(
        name="HTX Kho Đồng Bộ (bench)", slug="bench-api-stock", kind="cooperative", tax_code="0100109106",
        province_code=1, ward_code=91, status="active",
    )  # fmt: skip
    db.session.add(producer)
    db.session.flush()
    packs = 5
    db.session.execute(
        insert(Product),
        [
            {
                "producer_id": producer.id,
                "slug": f"bench-api-{n}",
                "group_code": "thuc-pham",
                "name_vi": f"Sản phẩm đồng bộ {n}",
                "province_code": 1,
                "ward_code": 91,
                "status": "published",
                "published_at": clock.now(),
                "price_from_vnd": 30_000,
                "created_at": clock.now(),
            }
            for n in range(-(-skus // packs))
        ],
    )
    ids = db.session.scalars(select(Product.id).where(Product.producer_id == producer.id).order_by(Product.id)).all()
    rows = [
        {
            "product_id": product_id,
            "sku": f"API-{n:04d}-{pack}",
            "name_vi": f"Gói {pack + 1}",
            "price_vnd": 30_000 + 5_000 * pack,
            "on_hand": 50,
            "weight_g": 500,
        }
        for n, product_id in enumerate(ids)
        for pack in range(packs)
    ][:skus]
    db.session.execute(insert(Variant), rows)
    record_opening_stock()
    _, secret = create_key(name="Kho (bench)", role="producer", by=None, producer_id=producer.id)
    db.session.commit()
    db.session.execute(text("ANALYZE"))  # fresh statistics after the bulk load, as seed-demo does
    db.session.commit()
    timings["producer_s"] = time.perf_counter() - started
    listed = db.session.scalar(select(func.count()).select_from(Product).where(Product.status == "published"))
    names = db.session.scalars(select(Product.name_vi).where(Product.status == "published").limit(2_000)).all()
    producer_ids = db.session.scalars(select(Producer.id).where(Producer.status == "active")).all()
    return {
        "timings": {k: round(v, 2) for k, v in timings.items()},
        "published_products": listed,
        "secret": secret,
        "skus": [row["sku"] for row in rows],
        "names": names,
        "producer_ids": producer_ids,
    }


def _unaccented(text: str) -> str:
    folded = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in folded if not unicodedata.combining(c))


def varied_queries(data: dict, count: int, seed: int) -> list[dict]:
    """First pages of `count` distinct queries: sorts, filters, searches (see the module's doc)."""
    rng = random.Random(seed)
    sorts = ["relevance", "newest", "price_asc", "price_desc", "stars"]
    groups = {
        "thuc-pham": ["nong-san-tuoi", "che-bien-tu-gao", "che-bien-khac", "gia-vi"],
        "do-uong": ["tra", "ruou", "do-uong-khac"],
        "duoc-lieu": ["duoc-lieu-tho", "san-pham-tu-duoc-lieu"],
        "thu-cong-my-nghe": ["det-may", "may-tre-dan-go", "gom-su", "thu-cong-khac"],
    }
    provinces = [1, 4, 8, 12, 14, 19, 22, 24, 31, 46, 48, 79]

    def filtered() -> dict:
        query: dict = {}
        for name in rng.sample(["stars", "group", "province", "producer", "price", "in_stock"], rng.randint(1, 3)):
            if name == "stars":
                query["stars"] = sorted(rng.sample([3, 4, 5], rng.randint(1, 2)))
            elif name == "group":
                query["group"] = rng.choice(list(groups))
                if rng.random() < 0.4:
                    query["subgroup"] = rng.choice(groups[query["group"]])
            elif name == "province":
                query["province"] = rng.choice(provinces)
            elif name == "producer":
                query["producer"] = rng.choice(data["producer_ids"])
            elif name == "price":
                low = rng.choice([0, 20_000, 50_000, 100_000])
                query["min_price_vnd"], query["max_price_vnd"] = low, low + rng.choice([50_000, 200_000, 1_000_000])
            else:
                query["in_stock"] = "true"
        if rng.random() < 0.5:
            query["sort"] = rng.choice(sorts)
        return query

    def searched() -> dict:
        words = rng.choice(data["names"]).split()
        start = rng.randrange(len(words))
        q = " ".join(words[start : start + rng.randint(1, 3)])
        query = {"q": q if rng.random() < 0.5 else _unaccented(q).lower()}
        if rng.random() < 0.3:
            query["sort"] = rng.choice(sorts)
        return query

    makers = [lambda: {"sort": rng.choice(sorts)}, filtered, filtered, searched, searched]
    seen, queries = set(), []
    for _ in range(count * 20):
        query = rng.choice(makers)()
        key = json.dumps(query, sort_keys=True)
        if key not in seen:
            seen.add(key)
            queries.append(query)
        if len(queries) == count:
            break
    return queries


def with_later_pages(client, queries: list[dict], seed: int) -> list[dict]:
    """The queries and, for a third of them, their second to fourth pages (by their cursors)."""
    rng = random.Random(seed)
    paged = list(queries)
    for query in queries[: len(queries) // 3]:
        cursor = None
        for _ in range(rng.randint(1, 3)):
            response = client.get("/api/v1/products", query_string={**query, "limit": LIMIT, **_cursor(cursor)})
            assert response.status_code == 200, (query, response.json)
            cursor = response.json["next_cursor"]
            if cursor is None:
                break
            paged.append({**query, "cursor": cursor})
    rng.shuffle(paged)
    return paged


def _cursor(cursor: str | None) -> dict:
    return {"cursor": cursor} if cursor else {}


def measure(request, seconds: float) -> dict:
    """Call `request(n)` (n = 0, 1, …) for a second to warm up, then for `seconds`."""
    warm_until = time.perf_counter() + 1.0
    n = 0
    while time.perf_counter() < warm_until:
        request(n)
        n += 1
    times = []
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        t0 = time.perf_counter()
        request(n)
        times.append(time.perf_counter() - t0)
        n += 1
    elapsed = time.perf_counter() - started
    times.sort()
    return {
        "requests": len(times),
        "req_per_s": round(len(times) / elapsed, 1),
        "p50_ms": round(statistics.median(times) * 1000, 1),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))] * 1000, 1),
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    report: dict = report_header(args)
    with shop_on_fresh_database(args, "api") as (app, tmp):
        from shop.extensions import db

        with app.app_context():
            kind = db.engine.dialect.name
            log(f"Building the demo catalog, {args.products:,} synthetic products and {args.skus} packs ({kind}) …")
            data = build(args.products, args.skus)
            db.session.remove()
        log(f"  {data['published_products']:,} published products; {data['timings']}")
        # Requests run outside any app context: each gets its own, and its own session, as served.
        client = app.test_client()
        first = client.get("/api/v1/products", query_string={"limit": LIMIT})
        assert first.status_code == 200 and len(first.json["data"]) == LIMIT, first.json
        queries = with_later_pages(client, varied_queries(data, args.varied, args.seed), args.seed)
        results = {}

        def listing(n):
            response = client.get("/api/v1/products", query_string={"limit": LIMIT})
            assert response.status_code == 200

        def varied(n):
            response = client.get("/api/v1/products", query_string={**queries[n % len(queries)], "limit": LIMIT})
            assert response.status_code == 200, response.json

        log("Measuring the first page …")
        results["listing"] = measure(listing, args.seconds)
        log(f"Measuring the varied mix ({len(queries)} distinct requests) …")
        results["varied"] = measure(varied, args.seconds)

        headers = {"Authorization": f"Bearer {data['secret']}"}
        on_hand = dict.fromkeys(data["skus"], 50)

        def stock(n):
            items = []
            for k, sku in enumerate(data["skus"]):
                if k % 2 == 0:
                    items.append({"sku": sku, "on_hand": 50 + n % 2, "expected_on_hand": on_hand[sku]})
                else:
                    items.append({"sku": sku, "adjust": 1 if n % 2 == 0 else -1})
            response = client.post("/api/v1/stock", json={"items": items, "note": "bench sync"}, headers=headers)
            assert response.status_code == 200, response.json
            on_hand.update((row["sku"], row["on_hand"]) for row in response.json["data"])

        probe = client.post("/api/v1/stock", json={"items": []}, headers=headers)
        if probe.status_code in (404, 405):
            log("POST /api/v1/stock is not in this checkout yet: the stock measure is left out.")
        else:
            log(f"Measuring POST /api/v1/stock with {args.skus} items …")
            results["stock"] = measure(stock, args.seconds)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    report["database"] = kind
    report["data"] = {
        "published_products": data["published_products"],
        "skus": args.skus,
        "varied_requests": len(queries),
        **data["timings"],
    }
    report["results"] = results
    report["machine"]["load_average_at_end"] = os.getloadavg()[0]
    labels = {
        "listing": "GET /api/v1/products (first page, default order)",
        "varied": f"GET /api/v1/products (varied mix of {len(queries)})",
        "stock": f"POST /api/v1/stock ({args.skus} SKUs in one call)",
    }
    log("")
    log(f"{data['published_products']:,} published products on {kind}, {args.seconds:g} s each, limit {LIMIT}")
    log(f"{'measure':<12}{'what':<52}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'requests':>10}")
    for name, figures in results.items():
        log(
            f"api {name:<8}{labels[name]:<52}{figures['req_per_s']:>8.1f}{figures['p50_ms']:>9.1f}"
            f"{figures['p95_ms']:>9.1f}{figures['requests']:>10}"
        )
    log(f"load average {report['machine']['load_average_at_start']:.1f} at the start, "
        f"{report['machine']['load_average_at_end']:.1f} at the end (2 cores shared)")  # fmt: skip
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    log(f"Written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
