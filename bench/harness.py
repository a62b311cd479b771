"""What the in-process benches share (bench/stock_csv.py, bench/dashboard.py): a report's header
about the machine, and the shop on a fresh database — SQLite in a temporary folder, or a new
database on a PostgreSQL server (a throwaway cluster with --postgresql) — removed afterwards."""

from __future__ import annotations

import contextlib
import os
import platform
import shutil
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def log(message: str) -> None:
    print(message, flush=True)


def report_header(args) -> dict:
    return {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_at_start": os.getloadavg()[0],
        },
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
    }


@contextlib.contextmanager
def shop_on_fresh_database(args, name: str) -> Iterator[tuple[object, Path]]:
    """(app, temporary folder) for a shop on a new, empty database named after `name`; the
    database, the cluster and the folder go when the block ends. The caller migrates it."""
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    tmp = Path(tempfile.mkdtemp(prefix=f"ocop-{name}-"))
    cluster = None
    server_url = args.database_url
    database_name = f"ocop_{name}_{os.urandom(4).hex()}"
    try:
        if args.postgresql:
            from tests.support.servers import start_postgres

            log("Starting a throwaway PostgreSQL cluster on 127.0.0.1 …")
            cluster = start_postgres()
            server_url = cluster.url("postgres")
        if server_url:
            from sqlalchemy.engine import make_url

            _on_server(server_url, f'CREATE DATABASE "{database_name}"')
            url = make_url(server_url).set(database=database_name).render_as_string(hide_password=False)
        else:
            url = f"sqlite:///{tmp / (name + '.db')}"
        from shop import create_app

        app = create_app(
            {
                "SHOP_ENV": "testing",
                "SQLALCHEMY_DATABASE_URI": url,
                "SHOP_BASE_URL": "http://127.0.0.1:5000",
                "MAIL_SERVER": "",
                "MAIL_OUTBOX_DIR": str(tmp / "outbox"),
                "RATELIMIT_ENABLED": False,
                "WTF_CSRF_ENABLED": False,
                "PAGE_CACHE_SECONDS": 0,
            }
        )
        yield app, tmp
    finally:
        if server_url:
            with contextlib.suppress(Exception):
                _on_server(server_url, f'DROP DATABASE IF EXISTS "{database_name}" WITH (FORCE)')
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def _on_server(server_url: str, statement: str) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(statement)
    engine.dispose()


def parse_with_database(parser, argv, results_name: str):
    """The benches' shared options (--database-url, --postgresql, --output under bench/results/)
    added to `parser`, then parsed and checked."""
    parser.add_argument("--database-url", help="a PostgreSQL server on which a database is created and dropped")
    parser.add_argument("--postgresql", action="store_true", help="start a throwaway PostgreSQL cluster and use it")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / results_name)
    args = parser.parse_args(argv)
    if args.database_url and not args.database_url.startswith("postgresql"):
        parser.error("--database-url must be a postgresql+psycopg:// URL (SQLite is the default)")
    return args
