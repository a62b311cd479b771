"""Catalog benchmark: HTTP throughput of the catalog pages against a bare-Flask ceiling, and the
search service's latency over 100,000 products.

    .venv/bin/python bench/run.py [--products 10000] [--search-products 100000]
                                  [--duration 10] [--connections 16] [--skip-search]
                                  [--database-url postgresql+psycopg://… | --postgresql]

Everything runs on 127.0.0.1 in a temporary folder that is removed afterwards (unless --keep):

1. A fresh database is migrated and seeded (`flask shop seed-demo`, then
   `flask shop seed-demo --products N`): a SQLite file, or with --database-url a database the
   benchmark creates on that PostgreSQL server (and drops afterwards); --postgresql starts a
   throwaway PostgreSQL cluster for it, as the tests do.
2. The shop (wsgi:app) and the ceiling (bench/ceiling.py) are served by gunicorn, 2 sync workers
   each, and loaded with wrk after a short warm-up, one page at a time: each single page built
   on every request (PAGE_CACHE_SECONDS=0), then a mix of thousands of distinct listing,
   filter, search and product URLs served as in production (page cache on), which real
   visitors make and which the page cache rarely answers. The ceiling is measured first and
   last; the mean of both runs is the reference for the ratios.
3. Unless --skip-search, a second database holds --search-products synthetic products, and the
   catalog's list_products is timed in this process (no HTTP) for ~20 queries.

The table is printed and written as JSON to bench/results/latest.json. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import random
import re
import resource
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"

# The share of the ceiling's requests/s each page should reach (issue 11): a page built on every
# request should cost little more than its render. The home page has no target of its own.
TARGETS = {"listing": 0.35, "filtered": 0.35, "search": 0.4, "product": 0.35, "varied": 0.35}
TARGET_SEARCH_P95_MS = 30.0
WORKERS = 2

# Pages of the shop, by name. The product page's path is found at run time (the first product
# linked from /products), so it is added then.
SHOP_PAGES = [
    ("home", "/"),
    ("listing", "/products"),
    ("filtered", "/products?stars=4&province=01"),
    ("search", "/products?q=xoi+phu+thuong"),
]
CEILING_PATH = "/ceiling"

# Realistic shopper queries: with and without diacritics, one and two words, places and
# producers, a query nothing matches (which also runs the "did you mean" suggestions) and one
# that matches only in part.
SEARCH_QUERIES = [
    "xoi phu thuong",
    "xôi phú thượng",
    "chè sen",
    "che sen quang an",
    "dao nhat tan",
    "hoa đào",
    "mật ong",
    "mat ong",
    "gom bat trang",
    "gốm",
    "nước mắm",
    "ca phe",
    "trà xanh",
    "tra",
    "banh chung",
    "miến dong",
    "ha noi",
    "tây hồ",
    "hữu cơ",
    "zzkhongcoqux",
    "xôi zzkhongco",
]

# The varied mix: how often each kind of page comes up (of every 20 requests), as shoppers page,
# sort, filter, search and open products rather than ask for one URL again and again.
VARIED_MIX = {"listing": 5, "filtered": 4, "search": 4, "product": 7}
VARIED_WARMUP_URLS = 300  # distinct paths for the warm-up, never measured
SORTS = ("newest", "price_asc", "price_desc", "stars")  # besides the default, relevance

# Configuration the caller's shell may hold that must not leak into the benchmark's servers.
SCRUBBED_ENV = ("DATABASE_URL", "REDIS_URL", "SERVER_NAME", "TRUSTED_PROXIES", "RATELIMIT_ENABLED", "MAIL_SERVER")


# --- Small helpers ----------------------------------------------------------------------------


def log(message: str) -> None:
    print(message, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Loopback only: never through an HTTP proxy the caller's environment may name.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http_get(url: str, timeout: float = 30.0) -> tuple[int, bytes]:
    """(status, body) of a GET; error statuses are returned, not raised."""
    try:
        with _OPENER.open(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def base_env(instance: Path, database_url: str) -> dict[str, str]:
    """The environment for `flask` and gunicorn: the caller's, minus shop settings, plus ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOP_") and k not in SCRUBBED_ENV}
    env.update(
        {
            "FLASK_APP": "wsgi",
            "DATABASE_URL": database_url,
            "SHOP_INSTANCE_PATH": str(instance),
            "SECRET_KEY": "bench-" + os.urandom(16).hex(),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    return env


# --- Databases ---------------------------------------------------------------------------------


@dataclass
class Database:
    """Where a benchmark's catalog lives: a SQLite file in the temporary folder, or a database
    this script created on a PostgreSQL server (`server_url` names a database there to connect
    to while creating and dropping it)."""

    url: str
    path: Path | None = None
    server_url: str | None = None
    name: str | None = None

    @classmethod
    def sqlite(cls, path: Path) -> Database:
        return cls(url=f"sqlite:///{path}", path=path)

    @classmethod
    def postgresql(cls, server_url: str, name: str, *, template: Database | None = None) -> Database:
        """Create database `name` on the server (a copy of `template` if given)."""
        from sqlalchemy.engine import make_url

        with _server(server_url) as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template.name}"' if template else ""))
        url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
        return cls(url=url, server_url=server_url, name=name)

    @property
    def kind(self) -> str:
        return "sqlite" if self.path else "postgresql"

    def copy(self, name: str, tmp: Path) -> Database:
        """A new database holding what this one holds."""
        if self.path:
            copy = Database.sqlite(tmp / f"{name}.db")
            with (
                contextlib.closing(sqlite3.connect(self.path)) as src,
                contextlib.closing(sqlite3.connect(copy.path)) as dst,
            ):
                src.backup(dst)  # consistent whatever the journal mode
            return copy
        return Database.postgresql(self.server_url, f"{self.name}_{name}", template=self)

    def scalar(self, sql: str):
        from sqlalchemy import create_engine, text

        engine = create_engine(self.url)
        try:
            with engine.connect() as conn:
                return conn.execute(text(sql)).scalar()
        finally:
            engine.dispose()

    def rows(self, sql: str) -> list:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.url)
        try:
            with engine.connect() as conn:
                return conn.execute(text(sql)).all()
        finally:
            engine.dispose()

    def size_mb(self) -> float:
        if self.path:
            return self.path.stat().st_size / 1e6
        return self.scalar("SELECT pg_database_size(current_database())") / 1e6

    def drop(self) -> None:
        if self.path:
            return  # the temporary folder goes as a whole
        with _server(self.server_url) as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@contextlib.contextmanager
def _server(server_url: str):
    """A connection to the PostgreSQL server outside any transaction (CREATE/DROP DATABASE)."""
    from sqlalchemy import create_engine

    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def count_published(database: Database) -> int:
    return database.scalar("SELECT count(*) FROM products WHERE status = 'published'")


def count_synthetic(database: Database) -> int:
    """Products made by `seed-demo --products` (their slugs are demo-synth-NNNNNN)."""
    return database.scalar("SELECT count(*) FROM products WHERE slug LIKE 'demo-synth-%'")


# --- Database set-up --------------------------------------------------------------------------


def flask(args: list[str], env: dict[str, str]) -> str:
    """Run `flask …` with the venv's Python in the project folder; return its output."""
    result = subprocess.run(
        [sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600
    )
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return (result.stdout + result.stderr).strip()


def check_seed_command(env: dict[str, str]) -> None:
    help_text = flask(["shop", "seed-demo", "--help"], env)
    if "--products" not in help_text:
        raise SystemExit("`flask shop seed-demo --products N` is not available in this checkout yet.")


def _seed(env: dict[str, str], args: list[str]) -> tuple[float, str]:
    """Run `flask shop seed-demo ARGS`; return (seconds, its last line of output)."""
    start = time.perf_counter()
    out = flask(["shop", "seed-demo", *args], env)
    return time.perf_counter() - start, out.splitlines()[-1] if out else ""


def build_database(instance: Path, database: Database, products: int, *, copied_from: Database | None = None) -> dict:
    """Seed `database` with the demo catalog plus `products` synthetic products.

    Fresh: migrate, `seed-demo`, then `seed-demo --products N`. When `database` is a copy of
    `copied_from` (built here with fewer synthetic products), add only the difference: every
    `seed-demo --products N` adds N more, numbered on from the last. Returns the seconds each
    step took and the published product count."""
    env = {**base_env(instance, database.url), "SHOP_ENV": "development"}
    timings: dict[str, float] = {}
    if copied_from is None:
        start = time.perf_counter()
        flask(["db", "upgrade"], env)
        timings["migrate_s"] = time.perf_counter() - start
        timings["seed_demo_s"], line = _seed(env, [])
        log(f"  {line}")
        extra = products
    else:
        extra = products - count_synthetic(copied_from)
        log(f"  copied the catalog database; adding {extra:,} products")
    timings["seed_products_s"], line = _seed(env, ["--products", str(extra)])
    log(f"  {line}")

    published = count_published(database)
    log(
        "  "
        + ", ".join(f"{k.removesuffix('_s').replace('_', ' ')} {v:.1f} s" for k, v in timings.items())
        + f" → {published:,} published products, {database.size_mb():.0f} MB ({database.kind})"
    )
    return {"published_products": published, "added_products": extra, **{k: round(v, 2) for k, v in timings.items()}}


# --- Servers ----------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    url: str
    proc: subprocess.Popen
    log_path: Path

    def stop(self) -> None:
        """SIGTERM the gunicorn master (it stops its workers); SIGKILL its group if it hangs."""
        if self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            # The master was started in its own session, so its group is exactly it and its workers.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)


def start_gunicorn(
    name: str, app: str, *, env: dict[str, str], chdir: Path, log_path: Path, ready_path: str, servers: list[Server]
) -> Server:
    """Serve `app` with gunicorn (WORKERS sync workers, no access log) on a free loopback port.
    The server is appended to `servers` as soon as it exists, so the caller's finally stops it."""
    port = free_port()
    with open(log_path, "wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn",
                "--bind", f"127.0.0.1:{port}",
                "--workers", str(WORKERS),
                "--worker-class", "sync",
                "--no-control-socket",  # gunicorn 27 otherwise shares ~/.gunicorn/gunicorn.ctl
                "--chdir", str(chdir),
                app,
            ],
            cwd=chdir, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    server = Server(name=name, url=f"http://127.0.0.1:{port}", proc=proc, log_path=log_path)
    servers.append(server)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited ({proc.returncode}) before serving:\n{log_path.read_text()[-3000:]}")
        with contextlib.suppress(OSError):
            status, _ = http_get(server.url + ready_path, timeout=5)
            if status == 200:
                return server
        time.sleep(0.2)
    raise RuntimeError(f"{name} did not answer {ready_path} within 60 s:\n{log_path.read_text()[-3000:]}")


# --- wrk --------------------------------------------------------------------------------------


def ensure_wrk() -> str:
    """The wrk executable; installed with apt-get when missing and running as root."""
    exe = shutil.which("wrk")
    if exe:
        return exe
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SystemExit("wrk is not installed: run `sudo apt-get install -y wrk` (Debian/Ubuntu) and try again.")
    log("Installing wrk with apt-get …")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", "wrk"]
    if subprocess.run(install, env=env, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, check=True)
        subprocess.run(install, env=env, capture_output=True, check=True)
    exe = shutil.which("wrk")
    if not exe:
        raise SystemExit("apt-get did not install wrk")
    return exe


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _to_ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", value)
    if not match:
        raise ValueError(f"unexpected wrk duration {value!r}")
    return float(match[1]) * _UNITS_MS[match[2]]


@dataclass
class WrkResult:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int = 0
    socket_errors: dict[str, int] = field(default_factory=dict)
    # CPU time per request during the measured run, in ms (see CpuProbe): the server's workers,
    # wrk, everything else the machine did (a database server, the kernel), and what the
    # machine's CPUs could give per request.
    cpu_ms_per_request: dict[str, float] = field(default_factory=dict)


def parse_wrk(output: str) -> WrkResult:
    """Read requests/s, the 50% and 99% latencies and any errors from `wrk --latency` output."""
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    total = re.search(r"^\s+(\d+) requests in", output, re.M)
    if not (rps and p50 and p99 and total):
        raise RuntimeError(f"could not read wrk's output:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return WrkResult(
        requests_per_s=float(rps[1]),
        p50_ms=_to_ms(p50[1]),
        p99_ms=_to_ms(p99[1]),
        requests=int(total[1]),
        non_2xx=int(non_2xx[1]) if non_2xx else 0,
        socket_errors=dict(zip(("connect", "read", "write", "timeout"), map(int, errors.groups()), strict=True))
        if errors
        else {},
    )


class CpuProbe:
    """Where the CPU time of a run went, from /proc (Linux): the server's workers (the gunicorn
    master's children), wrk (this script's children that have been waited for), and the whole
    machine's busy time, of which the rest is anything else (the database server, the kernel's
    network work, other programs). Tells whether a page is slow because the machine is
    saturated (then only costing less CPU helps) or because its workers wait."""

    def __init__(self, server_pid: int):
        self.server_pid = server_pid

    @staticmethod
    def _ticks(pid: int) -> int:
        with contextlib.suppress(OSError), open(f"/proc/{pid}/stat") as f:
            fields = f.read().rpartition(")")[2].split()
            return int(fields[11]) + int(fields[12])  # utime, stime
        return 0

    def _workers(self) -> list[int]:
        children = Path(f"/proc/{self.server_pid}/task/{self.server_pid}/children")
        with contextlib.suppress(OSError):
            return [int(pid) for pid in children.read_text().split()]
        return []

    def snapshot(self) -> dict[str, float]:
        tick = os.sysconf("SC_CLK_TCK")
        with open("/proc/stat") as f:
            cpu = [int(v) for v in f.readline().split()[1:]]
        busy = sum(cpu) - cpu[3] - (cpu[4] if len(cpu) > 4 else 0)  # all but idle and iowait
        return {
            "workers": sum(self._ticks(pid) for pid in self._workers()) / tick,
            "wrk": sum(resource.getrusage(resource.RUSAGE_CHILDREN)[:2]),
            "busy": busy / tick,
            "wall": time.monotonic(),
        }

    @staticmethod
    def per_request(before: dict, after: dict, requests: int) -> dict[str, float]:
        if requests <= 0:
            return {}
        spent = {name: (after[name] - before[name]) * 1000 / requests for name in before}
        return {
            "workers": round(spent["workers"], 3),
            "wrk": round(spent["wrk"], 3),
            "other": round(spent["busy"] - spent["workers"] - spent["wrk"], 3),
            "available": round(spent["wall"] * (os.cpu_count() or 1), 3),
        }


def run_wrk(
    wrk: str,
    url: str,
    *,
    duration: int,
    connections: int,
    warmup: int,
    timeout: int,
    paths: Path | None = None,
    warmup_paths: Path | None = None,
    probe: CpuProbe | None = None,
) -> WrkResult:
    """A warm-up run (discarded), then the measured `wrk --latency -t2 -c… -d…s` run.

    With `paths` (a file of paths, one a line) wrk asks for them in turn instead of `url`'s path
    (VARIED_LUA); the warm-up asks for `warmup_paths`, so the measured run meets no page the
    warm-up put in the page cache."""
    threads = min(2, connections)
    common = [wrk, "-t", str(threads), "-c", str(connections), "--timeout", f"{timeout}s"]

    def script(path_file: Path | None) -> list[str]:
        if path_file is None:
            return [url]
        lua = path_file.with_suffix(".lua")
        lua.write_text(VARIED_LUA)
        return ["-s", str(lua), url, "--", str(path_file), str(threads)]

    if warmup > 0:
        subprocess.run(
            [*common, "-d", f"{warmup}s", *script(warmup_paths if paths else None)],
            capture_output=True, timeout=warmup + 60, check=True,
        )  # fmt: skip
        # wrk leaves up to `connections` requests queued in gunicorn when it stops; one more GET
        # waits behind them, so the measured run starts with an empty queue.
        http_get(url if paths is None else url.rstrip("/") + "/healthz", timeout=timeout + 120)
    before = probe.snapshot() if probe else None
    result = subprocess.run(
        [*common, "--latency", "-d", f"{duration}s", *script(paths)],
        capture_output=True, text=True, timeout=duration + 60, check=True,
    )  # fmt: skip
    parsed = parse_wrk(result.stdout)
    if probe:
        parsed.cpu_ms_per_request = CpuProbe.per_request(before, probe.snapshot(), parsed.requests)
    return parsed


# Each wrk thread walks its own share of the paths (thread k: k, k + threads, …), so no path is
# asked for twice until the whole list has been (bench/run.py makes it longer than a run needs).
VARIED_LUA = """
local next_id = 1
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end
function init(args)
  paths = {}
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  stride = tonumber(args[2])
  position = id
end
function request()
  local path = paths[position]
  position = position + stride
  if position > #paths then position = id end
  return wrk.format("GET", path)
end
"""


# --- The HTTP benchmark -----------------------------------------------------------------------


def first_product_path(listing_html: str) -> str:
    match = re.search(r'href="(/products/[^"/?#]+)"', listing_html)
    if not match:
        raise RuntimeError("no product link on /products: is any product published?")
    return match[1]


def _unaccented(text: str) -> str:
    """What a shopper types without Vietnamese diacritics ("xôi phú thượng" → "xoi phu thuong")."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def varied_paths(database: Database, count: int, *, seed: int = 11) -> list[str]:
    """`count` distinct shop paths as shoppers make them, in a random order (VARIED_MIX):
    listing pages in every sort; filters by stars, group, province, producer, price and stock,
    alone and together, some sorted or paged; searches for one, two or more words of real
    product names, with or without diacritics, some paged or filtered; product pages. Each is
    written as the page cache's canonical form (the shop's parameter order, no defaults), so
    two paths are never one cache entry."""
    rng = random.Random(seed)
    products = database.rows(
        "SELECT p.slug, p.name_vi FROM products p JOIN producers r ON r.id = p.producer_id "
        "WHERE p.status = 'published' AND r.status = 'active' ORDER BY p.id"
    )
    producers = [
        row[0]
        for row in database.rows(
            "SELECT DISTINCT r.slug FROM producers r JOIN products p ON p.producer_id = r.id "
            "WHERE p.status = 'published' AND r.status = 'active' ORDER BY r.slug"
        )
    ]
    provinces = [row[0] for row in database.rows("SELECT DISTINCT province_code FROM products ORDER BY 1")]
    groups = [row[0] for row in database.rows("SELECT DISTINCT group_code FROM products ORDER BY 1")]
    pages = max(1, math.ceil(len(products) / 24))

    def path(**args) -> str:
        # The shop's canonical order (catalog Filters.to_args): q, stars, group, producer,
        # min_price, max_price, province, in_stock, sort, page.
        order = ("q", "stars", "group", "producer", "min_price", "max_price", "province", "in_stock", "sort", "page")
        query = [(k, args[k]) for k in order if args.get(k) not in (None, "") and (k, args[k]) != ("page", 1)]
        pairs = [(k, s) for k, v in query for s in (v if isinstance(v, list) else [v])]
        return "/products" + ("?" + urlencode(pairs) if pairs else "")

    def listing() -> str:
        return path(sort=rng.choice((None, *SORTS)), page=rng.randint(1, pages))

    def filtered() -> str:
        args: dict = {}
        for name, chance in (("stars", 0.5), ("group", 0.4), ("province", 0.5), ("producer", 0.15),
                             ("price", 0.2), ("in_stock", 0.2)):  # fmt: skip
            if rng.random() < chance:
                args[name] = True
        if not args:
            args["province"] = True
        if args.pop("stars", None):
            args["stars"] = sorted(rng.sample([3, 4, 5], rng.choice((1, 1, 2))))
        if args.pop("group", None):
            args["group"] = rng.choice(groups)
        if args.pop("province", None):
            args["province"] = f"{rng.choice(provinces):02d}"
        if args.pop("producer", None):
            args["producer"] = rng.choice(producers)
        if args.pop("price", None):
            low = rng.choice((None, 50_000, 100_000, 200_000))
            args["min_price"], args["max_price"] = low, (low or 0) + rng.choice((100_000, 300_000, 1_000_000))
        if args.pop("in_stock", None):
            args["in_stock"] = 1
        args["sort"] = rng.choice((None, None, *SORTS))
        args["page"] = rng.choice((1, 1, 1, 2, 3))
        return path(**args)

    def search() -> str:
        words = rng.choice(products)[1].lower().split()
        size = min(len(words), rng.choice((1, 2, 2, 3, 4)))
        start = rng.randint(0, len(words) - size)
        q = " ".join(words[start : start + size])
        if rng.random() < 0.4:
            q = _unaccented(q)
        args = {"q": q, "page": rng.choice((1, 1, 1, 2))}
        if rng.random() < 0.2:
            args["stars"] = [rng.choice((3, 4, 5))]
        if rng.random() < 0.15:
            args["sort"] = rng.choice(SORTS)
        return path(**args)

    def product() -> str:
        return "/products/" + rng.choice(products)[0]

    makers = {"listing": listing, "filtered": filtered, "search": search, "product": product}
    kinds = [kind for kind, weight in VARIED_MIX.items() for _ in range(weight)]
    found: dict[str, None] = {}
    attempts = 0
    while len(found) < count:
        attempts += 1
        if attempts > 50 * count:
            raise RuntimeError(f"only {len(found)} distinct paths in this catalog: ask for fewer (--varied-urls)")
        found.setdefault(makers[rng.choice(kinds)](), None)
    return list(found)


def varied_kind(path: str) -> str:
    """Which of VARIED_MIX's kinds a path of varied_paths is."""
    if path.startswith("/products/"):
        return "product"
    query = path.partition("?")[2]
    if query.startswith("q="):
        return "search"
    filters = [k for k in re.findall(r"(?:^|&)([a-z_]+)=", query) if k not in ("sort", "page")]
    return "filtered" if filters else "listing"


def http_benchmark(args, wrk: str, tmp: Path, database: Database) -> dict:
    instance = tmp / "instance"
    env = {**base_env(instance, database.url), "SHOP_ENV": "production", "RATELIMIT_ENABLED": "true"}
    built_env = {**env, "PAGE_CACHE_SECONDS": str(args.page_cache_seconds)}
    varied_env = {**env, "PAGE_CACHE_SECONDS": str(args.varied_cache_seconds)}
    servers: list[Server] = []
    results: dict[str, WrkResult] = {}
    try:
        log(f"Starting the shop and the ceiling (gunicorn, {WORKERS} sync workers each) …")
        shop = start_gunicorn("shop", "wsgi:app", env=built_env, chdir=ROOT, log_path=tmp / "shop.log",
                              ready_path="/healthz", servers=servers)  # fmt: skip

        # Every page must answer 200 before it is measured; its size tells the ceiling how big to be.
        pages = list(SHOP_PAGES)
        status, listing_html = http_get(shop.url + "/products")
        if status != 200:
            raise RuntimeError(f"/products answered {status}")
        pages.append(("product", first_product_path(listing_html.decode())))
        sizes = {}
        for name, path in pages:
            status, body = http_get(shop.url + path)
            if status != 200:
                raise RuntimeError(f"{path} answered {status}, expected 200")
            sizes[name] = len(body)

        if args.varied_urls:
            # Distinct paths: a warm-up share, and the measured ones (more than a run can ask for).
            varied = varied_paths(database, args.varied_urls + VARIED_WARMUP_URLS)
            warmup_file, varied_file = tmp / "varied-warmup.txt", tmp / "varied.txt"
            warmup_file.write_text("\n".join(varied[:VARIED_WARMUP_URLS]) + "\n")
            varied_file.write_text("\n".join(varied[VARIED_WARMUP_URLS:]) + "\n")
            # A sample must answer 200 (asked of this shop, whose page cache is off: the measured
            # one starts with an empty cache); its mean size is the mix's.
            sample = random.Random(7).sample(varied[VARIED_WARMUP_URLS:], min(40, args.varied_urls))
            sample_sizes = []
            for path in sample:
                status, body = http_get(shop.url + path)
                if status != 200:
                    raise RuntimeError(f"{path} answered {status}, expected 200")
                sample_sizes.append(len(body))
            sizes["varied"] = round(statistics.mean(sample_sizes))
            kinds = Counter(varied_kind(p) for p in varied[VARIED_WARMUP_URLS:])

        ceiling_env = {**env, "CEILING_TARGET_BYTES": str(sizes["listing"])}
        ceiling = start_gunicorn("ceiling", "ceiling:app", env=ceiling_env, chdir=BENCH,
                                 log_path=tmp / "ceiling.log", ready_path=CEILING_PATH, servers=servers)  # fmt: skip
        sizes["ceiling"] = len(http_get(ceiling.url + CEILING_PATH)[1])

        def measure(server: Server, path: str, **varied) -> WrkResult:
            url = server.url + path
            log(f"  wrk {url.split('://', 1)[1]}{' (varied paths)' if varied else ''} …")
            return run_wrk(
                wrk, url, duration=args.duration, connections=args.connections, warmup=args.warmup,
                timeout=args.timeout, probe=CpuProbe(server.proc.pid), **varied,
            )  # fmt: skip

        log(
            f"Measuring {len(pages) + 1 + bool(args.varied_urls)} runs, {args.warmup} s warm-up + "
            f"{args.duration} s each, {args.connections} connections; single pages with "
            f"PAGE_CACHE_SECONDS={args.page_cache_seconds}:"
        )
        ceiling_runs = [measure(ceiling, CEILING_PATH)]
        # With --ceiling-between, the ceiling is measured again after each page, and each page
        # is compared with the two ceiling runs around it (other work on the machine comes and
        # goes within minutes; the ceiling's first and last runs alone then say little).
        around: dict[str, list[WrkResult]] = {}
        results = {}
        for name, path in pages:
            results[name] = measure(shop, path)
            if args.ceiling_between:
                ceiling_runs.append(measure(ceiling, CEILING_PATH))
                around[name] = ceiling_runs[-2:]
        shop.stop()
        if args.varied_urls:
            log(
                f"  the varied mix: {args.varied_urls:,} distinct paths ({dict(kinds)}), "
                f"PAGE_CACHE_SECONDS={args.varied_cache_seconds}, a fresh shop (empty page cache)"
            )
            varied_shop = start_gunicorn("varied", "wsgi:app", env=varied_env, chdir=ROOT,
                                         log_path=tmp / "shop-varied.log", ready_path="/healthz",
                                         servers=servers)  # fmt: skip
            results["varied"] = measure(varied_shop, "/", paths=varied_file, warmup_paths=warmup_file)
            varied_shop.stop()
            pages.append(("varied", f"{args.varied_urls:,} distinct paths"))
        ceiling_runs.append(measure(ceiling, CEILING_PATH))
        if args.ceiling_between and args.varied_urls:
            around["varied"] = ceiling_runs[-2:]
    finally:
        for server in servers:
            server.stop()

    ceiling_rps = statistics.mean(r.requests_per_s for r in ceiling_runs)
    rows = []
    for name, path in pages:
        r = results[name]
        reference = statistics.mean(c.requests_per_s for c in around[name]) if name in around else ceiling_rps
        rows.append({"name": name, "path": path, "bytes": sizes[name], **asdict(r),
                     "ceiling_requests_per_s": reference, "ratio": r.requests_per_s / reference})  # fmt: skip
    if args.varied_urls and results["varied"].requests > args.varied_urls:
        rows[-1]["repeated_requests"] = results["varied"].requests - args.varied_urls
    last_ceiling = ceiling_runs[-1]
    rows.append({"name": "ceiling", "path": CEILING_PATH + " (mean of its runs)", "bytes": sizes["ceiling"],
                 **asdict(last_ceiling), "requests_per_s": ceiling_rps,
                 "p50_ms": statistics.mean(r.p50_ms for r in ceiling_runs),
                 "p99_ms": statistics.mean(r.p99_ms for r in ceiling_runs), "ratio": 1.0})  # fmt: skip
    return {
        "database": database.kind,
        "ceiling_between": args.ceiling_between,
        "page_cache_seconds": args.page_cache_seconds,
        "varied_cache_seconds": args.varied_cache_seconds,
        "ceiling_runs_requests_per_s": [r.requests_per_s for r in ceiling_runs],
        "ceiling_requests_per_s": ceiling_rps,
        "pages": rows,
    }


def print_http_table(http: dict) -> dict:
    """Print the table and the verdict; return the verdict."""
    log("")
    log(f"{'page':<10} {'path':<34} {'KB':>5} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>6}")
    for row in http["pages"]:
        path = row["path"] if len(row["path"]) <= 34 else row["path"][:33] + "…"
        target = TARGETS.get(row["name"])
        flag = f"  < {target}" if target is not None and row["ratio"] < target else ""
        errors = row["non_2xx"] + sum(row["socket_errors"].values())
        note = f"  ({errors} errors)" if errors else ""
        if row.get("repeated_requests"):
            note += f"  ({row['repeated_requests']} requests repeated a path: raise --varied-urls)"
        if row["requests"] == 0:  # every request outlived the run: wrk has no latency to report
            p50 = p99 = "—"
            note += "  (no response finished during the run)"
        else:
            p50, p99 = f"{row['p50_ms']:.1f}", f"{row['p99_ms']:.1f}"
        log(
            f"{row['name']:<10} {path:<34} {row['bytes'] / 1024:>5.0f} {row['requests_per_s']:>8.1f} "
            f"{p50:>8} {p99:>8} {row['ratio']:>6.2f}{flag}{note}"
        )
    cpu_rows = [row for row in http["pages"] if row.get("cpu_ms_per_request")]
    if cpu_rows:
        log("CPU per request, ms: the server's workers, wrk, everything else (database, kernel), the CPUs' capacity")
        for row in cpu_rows:
            cpu = row["cpu_ms_per_request"]
            log(
                f"  {row['name']:<10} workers {cpu['workers']:5.2f}  wrk {cpu['wrk']:4.2f}  other {cpu['other']:4.2f}"
                f"  of {cpu['available']:5.2f}"
            )
    runs = http["ceiling_runs_requests_per_s"]
    drift = (max(runs) - min(runs)) / max(runs)
    if http.get("ceiling_between"):
        log(
            f"Each page against the mean of the ceiling runs just before and after it ({len(runs)} runs, "
            f"{min(runs):.0f}–{max(runs):.0f} req/s)."
        )
    if drift > 0.15:
        log(
            f"Note: the ceiling moved {drift:.0%} between its runs ({' → '.join(f'{r:.0f}' for r in runs)} req/s): "
            "the machine is noisy, read the ratios with care."
        )
    by_name = {row["name"]: row for row in http["pages"]}
    verdict = {name: by_name[name]["ratio"] >= target for name, target in TARGETS.items() if name in by_name}
    reached = [name for name, ok in verdict.items() if ok]
    missed = [f"{name} {by_name[name]['ratio']:.2f} < {TARGETS[name]}" for name, ok in verdict.items() if not ok]
    log(
        f"Targets ({http['database']}): reached by {', '.join(reached) or 'none'}; "
        f"missed: {', '.join(missed) or 'none'}."
    )
    return verdict


# --- The search benchmark ---------------------------------------------------------------------


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0–100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def search_benchmark(args, tmp: Path, database: Database) -> dict:
    """Time the catalog's list_products in this process over the search database."""
    # create_app reads the environment too: no shop settings from the caller's shell, and its
    # instance folder (which it creates) in the temporary folder.
    for name in [k for k in os.environ if k.startswith("SHOP_") or k in SCRUBBED_ENV]:
        del os.environ[name]
    os.environ["SHOP_INSTANCE_PATH"] = str(tmp / "instance")
    sys.path.insert(0, str(ROOT))
    from shop import clock, create_app
    from shop.extensions import db

    try:
        from shop.catalog.listing import Filters, list_products
    except ImportError:  # a checkout from before the catalog's services were split (for "before" figures)
        from shop.catalog.services import Filters, list_products

    app = create_app(
        {
            "SHOP_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": database.url,
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": False,
        }
    )
    timings: dict[str, list[float]] = {q: [] for q in SEARCH_QUERIES}
    hits: dict[str, int] = {}
    with app.app_context():
        today = clock.today()

        def run(q: str) -> float:
            # A search's answer is kept for the next page or visitor of the same query
            # (selection.select_products): time the search itself, as the first visitor waits.
            held = app.extensions.get("catalog_columns")
            if held is not None and hasattr(held, "selections"):
                held.selections.clear()
            start = time.perf_counter()
            listing = list_products(Filters(q=q), today=today)
            elapsed = (time.perf_counter() - start) * 1000
            hits[q] = listing.total
            db.session.remove()  # as at the end of a request: no identity map carried over
            return elapsed

        for q in SEARCH_QUERIES:  # warm-up: SQLite's page cache, SQLAlchemy's statement cache
            run(q)
        # Interleaved rounds, so that no query profits from running right after itself; at most
        # --search-repeats rounds, fewer (but at least 3) when --search-budget seconds are spent.
        deadline = time.monotonic() + args.search_budget
        rounds = 0
        while rounds < args.search_repeats and (rounds < 3 or time.monotonic() < deadline):
            for q in SEARCH_QUERIES:
                timings[q].append(run(q))
            rounds += 1
        # A search reads facet values from a copy of the catalog in memory, read again after any
        # catalog change (shop/catalog/columns.py): time the first search after one.
        after_change = []
        for _ in range(5):
            app.extensions.pop("catalog_columns", None)
            after_change.append(run(SEARCH_QUERIES[0]))
        db.engine.dispose()
    if rounds < args.search_repeats:
        log(f"  (stopped after {rounds} rounds: --search-budget of {args.search_budget} s spent)")

    every = [t for ts in timings.values() for t in ts]
    queries = [
        {"q": q, "hits": hits[q], "p50_ms": statistics.median(ts), "p95_ms": percentile(ts, 95), "max_ms": max(ts)}
        for q, ts in timings.items()
    ]
    return {
        "rounds": rounds,
        "runs": len(every),
        "p50_ms": statistics.median(every),
        "p95_ms": percentile(every, 95),
        "max_ms": max(every),
        "target_p95_ms": TARGET_SEARCH_P95_MS,
        "ok": percentile(every, 95) < TARGET_SEARCH_P95_MS,
        "queries": queries,
        "after_change_ms": statistics.median(after_change),
    }


def print_search_table(search: dict, products: int) -> None:
    log("")
    log(f"Search over {products:,} published products (list_products with facets, in-process):")
    log(f"  {'query':<20} {'hits':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for row in search["queries"]:
        log(f"  {row['q']:<20} {row['hits']:>7} {row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} {row['max_ms']:>8.1f}")
    log(
        f"  all {search['runs']} runs: p50 {search['p50_ms']:.1f} ms, p95 {search['p95_ms']:.1f} ms "
        f"(target p95 < {TARGET_SEARCH_P95_MS:.0f} ms: {'met' if search['ok'] else 'NOT met'})"
    )
    log(
        f"  the first search after a catalog change (reads the catalog's columns again): "
        f"{search['after_change_ms']:.0f} ms (median of 5, {SEARCH_QUERIES[0]!r})"
    )


# --- Main -------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=10_000, help="synthetic products for the HTTP benchmark")
    parser.add_argument("--search-products", type=int, default=100_000, help="synthetic products for search")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of discarded load before each page")
    parser.add_argument("--timeout", type=int, default=10, help="seconds before wrk counts a request as timed out")
    parser.add_argument(
        "--page-cache-seconds", type=int, default=0, help="the shop's PAGE_CACHE_SECONDS for the single pages"
    )
    parser.add_argument(
        "--varied-urls", type=int, default=8000, help="distinct paths in the varied mix (0 leaves it out)"
    )
    parser.add_argument(
        "--varied-cache-seconds", type=int, default=60, help="the shop's PAGE_CACHE_SECONDS for the varied mix"
    )
    parser.add_argument("--search-repeats", type=int, default=20, help="timed runs of each search query")
    parser.add_argument(
        "--search-budget", type=int, default=120, help="seconds after which search stops adding rounds (min. 3)"
    )
    parser.add_argument(
        "--ceiling-between",
        action="store_true",
        help="measure the ceiling after each page too, and compare each page with the runs around it",
    )
    parser.add_argument("--skip-search", action="store_true", help="leave out the search benchmark")
    parser.add_argument("--skip-http", action="store_true", help="leave out the HTTP benchmark")
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--database-url",
        help="a PostgreSQL server (postgresql+psycopg://user@host:port/db) on which the benchmark creates, "
        "and afterwards drops, its own databases; SQLite in the temporary folder if not given",
    )
    where.add_argument(
        "--postgresql", action="store_true", help="start a throwaway PostgreSQL cluster on 127.0.0.1 and use it"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (databases, server logs)")
    parser.add_argument("--output", type=Path, default=RESULTS / "latest.json", help="where to write the JSON")
    args = parser.parse_args(argv)
    if args.products < 1 or args.search_products < 1 or args.duration < 1 or args.connections < 1:
        parser.error("--products, --search-products, --duration and --connections must be positive")
    if args.varied_urls < 0:
        parser.error("--varied-urls must not be negative")
    if args.database_url and not args.database_url.startswith("postgresql"):
        parser.error("--database-url must be a postgresql+psycopg:// URL (SQLite is the default)")
    return args


def check_load() -> float:
    """The 1-minute load average, with a warning when other work competes for the CPUs."""
    load, cpus = os.getloadavg()[0], os.cpu_count() or 1
    if load > 0.5 * cpus:
        log(
            f"Warning: load average {load:.1f} on {cpus} CPUs before starting: other processes are busy, "
            "so every figure below will be low and noisy. Rerun on a quiet machine for numbers to keep."
        )
    return load


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # A SIGTERM (e.g. from a CI timeout) unwinds through the finally blocks that stop the servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    wrk = None if args.skip_http else ensure_wrk()
    tmp = Path(tempfile.mkdtemp(prefix="ocop-bench-"))
    report: dict = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_at_start": check_load(),
        },
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
    }
    cluster = None
    databases: list[Database] = []
    prefix = f"ocop_bench_{os.urandom(4).hex()}"
    try:
        (tmp / "instance").mkdir()
        probe = Database.sqlite(tmp / "probe.db")
        check_seed_command(base_env(tmp / "instance", probe.url) | {"SHOP_ENV": "development"})
        server_url = args.database_url
        if args.postgresql:
            sys.path.insert(0, str(ROOT))
            from tests.support.servers import start_postgres

            log("Starting a throwaway PostgreSQL cluster on 127.0.0.1 …")
            cluster = start_postgres()
            server_url = cluster.url("postgres")

        def new_database(name: str) -> Database:
            database = (
                Database.postgresql(server_url, f"{prefix}_{name}")
                if server_url
                else Database.sqlite(tmp / f"{name}.db")
            )
            databases.append(database)
            return database

        catalog = None
        if not args.skip_http:
            catalog = new_database("catalog")
            log(f"Seeding the catalog database ({args.products:,} synthetic products, {catalog.kind}) …")
            report["seeding"] = build_database(tmp / "instance", catalog, args.products)
            report["http"] = http_benchmark(args, wrk, tmp, catalog)
            report["http"]["verdict"] = print_http_table(report["http"])
        if not args.skip_search:
            log("")
            log(f"Seeding the search database ({args.search_products:,} synthetic products) …")
            # Reuse the HTTP benchmark's database when it is smaller: copy it and add the difference.
            if catalog is not None and args.products <= args.search_products:
                search = catalog.copy("search", tmp)
                databases.append(search)
                report["search_seeding"] = build_database(tmp / "instance", search, args.search_products,
                                                          copied_from=catalog)  # fmt: skip
            else:
                search = new_database("search")
                report["search_seeding"] = build_database(tmp / "instance", search, args.search_products)
            report["search"] = search_benchmark(args, tmp, search)
            print_search_table(report["search"], report["search_seeding"]["published_products"])
    finally:
        if not (args.keep and cluster is None):
            for database in databases:
                with contextlib.suppress(Exception):
                    database.drop()
        if cluster is not None:
            cluster.stop()
        if args.keep:
            log(f"Kept {tmp}" + (f" and the databases {prefix}_* on {args.database_url}" if args.database_url else ""))
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    report["elapsed_s"] = round(time.monotonic() - started, 1)
    report["machine"]["load_average_at_end"] = os.getloadavg()[0]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    log("")
    shown = args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output
    log(f"Done in {report['elapsed_s']:.0f} s; results in {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
