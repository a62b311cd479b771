"""How PostgreSQL finds a search's words, two ways, on a database bench/run.py kept.

    .venv/bin/python bench/search_plans.py --database-url postgresql+psycopg://…/ocop_bench_…_search

For each of bench/run.py's search queries (and a few short words), the database time of
`SELECT count(*)` over the products matching the query's words: by the word index the shop uses
(`shop_search_words(search_folded) @@ tsquery`, migration 0013) and by the trigram regexes it
used before (`search_folded ~ '\\mxoi\\M' AND …`). Both must find the same products; the median
of 5 runs after a warm-up is printed, in ms. Only the words: the exact-word ranking and the
listing's columns cost the same either way."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

SHORT_WORDS = ["la an", "la", "an", "xoi la c"]


def conditions(terms: list[str]) -> dict[str, tuple[str, list[str]]]:
    # The word index's tsquery is the shop's own (WordIndexSearch.match_values); the trigram
    # regexes are what that backend used before migration 0013.
    from shop.catalog.search import WordIndexSearch

    last = len(terms) - 1
    patterns = [rf"\m{t}" if n == last else rf"\m{t}\M" for n, t in enumerate(terms)]
    return {
        "word index": (
            "shop_search_words(search_folded) @@ CAST(%s AS tsquery)",
            [WordIndexSearch().match_values(terms)["search_words"]],
        ),
        "trigram": (" AND ".join(["search_folded ~ %s"] * len(patterns)), patterns),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True, help="postgresql+psycopg://… of a kept bench database")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    import psycopg
    from run import SEARCH_QUERIES
    from sqlalchemy.engine import make_url

    from shop.catalog.search import query_terms

    url = make_url(args.database_url)
    conninfo = f"host={url.host} port={url.port or 5432} user={url.username} dbname={url.database}"
    totals: dict[str, float] = {}
    with psycopg.connect(conninfo, autocommit=True) as conn:
        print(f"{'query':22} {'matches':>8} {'word index':>11} {'trigram':>9}")
        for q in [*SEARCH_QUERIES, *SHORT_WORDS]:
            terms = query_terms(q)
            found, row = set(), []
            for name, (condition, params) in conditions(terms).items():
                sql = f"SELECT count(*) FROM products WHERE {condition}"
                conn.execute(sql, params).fetchone()
                times = []
                for _ in range(args.runs):
                    start = time.perf_counter()
                    count = conn.execute(sql, params).fetchone()[0]
                    times.append((time.perf_counter() - start) * 1000)
                found.add(count)
                row.append(statistics.median(times))
                totals[name] = totals.get(name, 0.0) + row[-1]
            if len(found) != 1:
                raise SystemExit(f"{q!r}: the two ways found {sorted(found)} products")
            print(f"{q:22} {found.pop():8} {row[0]:11.1f} {row[1]:9.1f}")
    print("total ms: " + ", ".join(f"{name} {spent:.1f}" for name, spent in totals.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
