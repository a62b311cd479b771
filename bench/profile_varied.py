"""Profile the shop in-process on the varied mix of bench/run.py (or one path), without HTTP.

    .venv/bin/python bench/profile_varied.py --database-url sqlite:////tmp/x/shop.db \
        [--requests 2000] [--path /products/…] [--cprofile out.prof] [--cache-seconds 60]

The database must hold a seeded catalog (as bench/run.py builds it; `--keep` keeps one). Each
request is a WSGI call with an environ as gunicorn builds it, answered by the app as in
production (SHOP_ENV=production, rate limits on, the page cache on unless --cache-seconds 0).
Prints the CPU time per request by kind of page; with --cprofile, writes a cProfile dump of the
timed requests (read it with `python -m pstats`)."""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def environ_for(path: str) -> dict:
    from werkzeug.test import EnvironBuilder

    builder = EnvironBuilder(
        path=path.partition("?")[0], query_string=path.partition("?")[2], base_url="http://127.0.0.1:8000/"
    )
    environ = builder.get_environ()
    environ["REMOTE_ADDR"] = "127.0.0.1"
    environ["HTTP_USER_AGENT"] = "wrk"
    environ["HTTP_ACCEPT"] = "*/*"
    return environ


def call(app, path: str) -> tuple[int, int]:
    status = []

    def start_response(s, headers, exc_info=None):
        status.append(int(s[:3]))

    body = app(environ_for(path), start_response)
    size = sum(len(chunk) for chunk in body)
    if hasattr(body, "close"):
        body.close()
    return status[0], size


def _time_statements() -> dict:
    """{statement's start: [count, seconds]} of every statement the app runs from now on."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    spent: dict = defaultdict(lambda: [0, 0.0])

    @event.listens_for(Engine, "before_cursor_execute")
    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["started"] = time.perf_counter()

    @event.listens_for(Engine, "after_cursor_execute")
    def after(conn, cursor, statement, parameters, context, executemany):
        entry = spent[" ".join(statement.split())[:110]]
        entry[0] += 1
        entry[1] += time.perf_counter() - conn.info["started"]

    return spent


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--path", action="append", help="time these paths again and again instead of the mix")
    parser.add_argument("--cprofile")
    parser.add_argument("--cache-seconds", type=int, default=60)
    parser.add_argument("--kind", help="only the mix's paths of this kind (listing, filtered, search, product)")
    parser.add_argument("--sql", action="store_true", help="also print the time spent in each kind of statement")
    args = parser.parse_args()

    os.environ.update(
        {
            "DATABASE_URL": args.database_url,
            "SHOP_ENV": "production",
            "SECRET_KEY": "profile-" + os.urandom(8).hex(),
            "RATELIMIT_ENABLED": "true",
            "PAGE_CACHE_SECONDS": str(args.cache_seconds),
            "SHOP_INSTANCE_PATH": "/tmp/shop-profile-instance",
        }
    )
    from run import Database, varied_kind, varied_paths

    from shop import create_app

    app = create_app()
    statements = _time_statements() if args.sql else None
    if args.path:
        paths = (args.path * (args.requests // len(args.path) + 1))[: args.requests]
        warm = args.path * 20
    else:
        database = Database(url=args.database_url, path=Path("x") if args.database_url.startswith("sqlite") else None)
        every = varied_paths(database, (args.requests + args.warmup) * (4 if args.kind else 1))
        if args.kind:
            every = [path for path in every if varied_kind(path) == args.kind][: args.requests + args.warmup]
        warm, paths = every[: args.warmup], every[args.warmup :]
    for path in warm:
        call(app, path)
    if statements is not None:
        statements.clear()  # the timed requests' statements only

    per_kind: dict[str, list[float]] = defaultdict(list)
    wall_kind: dict[str, list[float]] = defaultdict(list)
    profiler = cProfile.Profile() if args.cprofile else None
    sizes = []
    for path in paths:
        if profiler:
            profiler.enable()
        start, wall = time.process_time(), time.perf_counter()
        status, size = call(app, path)
        spent, wall = time.process_time() - start, time.perf_counter() - wall
        if profiler:
            profiler.disable()
        if status != 200:
            print(f"{status} {path}", file=sys.stderr)
        per_kind[varied_kind(path)].append(spent * 1000)
        wall_kind[varied_kind(path)].append(wall * 1000)
        sizes.append(size)
    total = [t for times in per_kind.values() for t in times]
    for kind, times in sorted(per_kind.items()):
        walls = wall_kind[kind]
        print(
            f"{kind:10} n={len(times):5}  CPU mean {statistics.mean(times):.2f} ms, p50 {statistics.median(times):.2f}"
            f"  wall mean {statistics.mean(walls):.2f} ms"
        )
    walls = [t for times in wall_kind.values() for t in times]
    # Other work on the machine inflates some requests: the mean of each kind's faster half,
    # weighted by the kind's share, moves less from run to run.
    steady = sum(statistics.mean(sorted(t)[: max(1, len(t) // 2)]) * len(t) for t in per_kind.values()) / len(total)
    print(
        f"{'all':10} n={len(total):5}  CPU mean {statistics.mean(total):.2f} ms (faster halves {steady:.2f})"
        f"  wall mean {statistics.mean(walls):.2f} ms  (mean size {statistics.mean(sizes) / 1000:.1f} KB)"
    )
    if statements is not None:
        print(f"statements per request: {sum(n for n, _ in statements.values()) / len(paths):.2f}")
        for sql, (n, spent) in sorted(statements.items(), key=lambda item: -item[1][1])[:12]:
            print(f"{n:6} x {spent / n * 1000:6.2f} ms = {spent / len(paths) * 1000:5.2f} ms a request  {sql}")
    if profiler:
        profiler.dump_stats(args.cprofile)
        out = io.StringIO()
        import pstats

        pstats.Stats(args.cprofile, stream=out).sort_stats("cumulative").print_stats(70)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
