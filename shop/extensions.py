"""Flask extensions, created unbound and initialised by create_app()."""

from __future__ import annotations

import contextlib
import re
import sqlite3
import threading
import time

from flask import has_request_context, request
from flask_babel import Babel
from flask_caching import Cache
from flask_caching.backends.simplecache import SimpleCache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from limits.storage import MemoryStorage
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import Pool

# Named constraints so that Alembic can alter and drop them on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class PageCache(SimpleCache):
    """Flask-Caching's in-process cache, made room in by dropping its oldest entries.

    Once full (CACHE_THRESHOLD), cachelib's SimpleCache scanned every entry for expired ones
    and then sorted them all by expiry to drop one, on every set: about a millisecond a page
    with 2,000 pages kept, for a shop whose visitors rarely ask for the same page twice. All
    pages are kept for the same PAGE_CACHE_SECONDS, so the entries inserted first expire
    first: dropping from the front of the dict (kept in insertion order) drops the oldest."""

    def _prune(self) -> None:
        while len(self._cache) > self._threshold:
            self._cache.pop(next(iter(self._cache)), None)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
cache = Cache()


def _client_ip() -> str:
    return get_remote_address() or request.remote_addr or "unknown"


class DaemonMemoryStorage(MemoryStorage):
    """limits' in-process storage, with its clean-up timers as daemon threads.

    MemoryStorage starts a 10 ms threading.Timer after writes, and not as a daemon: a process
    cannot exit while one waits, and on a machine whose clock was moved (libfaketime, used to
    check that the suite passes on any date) such a timed wait never ends, so commands and the
    test run would hang at exit. Expired entries are dropped when read anyway; the clean-up may
    die with the process."""

    STORAGE_SCHEME = ["daemon-memory"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        # MemoryStorage started a non-daemon timer itself. Cancelled, its thread may still be
        # alive for a moment, and a write then would keep it: replace it with one never started.
        self.timer.cancel()
        self.timer = self._daemon_timer()

    def _daemon_timer(self) -> threading.Timer:
        timer = threading.Timer(0.01, self._MemoryStorage__expire_events)
        timer.daemon = True
        return timer

    def _MemoryStorage__schedule_expiry(self) -> None:  # MemoryStorage's (name-mangled) hook
        if not self.timer.is_alive():
            self.timer = self._daemon_timer()
            self.timer.start()


# Storage comes from RATELIMIT_STORAGE_URI: daemon-memory:// alone, Redis when REDIS_URL is set so
# that every worker and machine counts against the same limit.
limiter = Limiter(key_func=_client_ip, default_limits=[])


# Database objects made by migrations for search (an FTS5 table and its shadow tables on SQLite,
# a trigram and a word index on PostgreSQL) that no model declares; autogenerate must leave them alone.
SEARCH_OBJECTS_PREFIXES = ("product_search", "ix_products_search_folded_trgm", "ix_products_search_words")


def include_name(name, type_, parent_names) -> bool:
    return not (name and name.startswith(SEARCH_OBJECTS_PREFIXES))


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection, connection_record) -> None:
    """SQLite settings for a web server: WAL so readers never wait for a writer (several gunicorn
    workers share the file), a wait instead of an error while another process writes, enforced
    foreign keys, and a page cache and memory map large enough that listings scan from memory."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "synchronous=NORMAL",
        "busy_timeout=5000",
        "foreign_keys=ON",
        "cache_size=-65536",  # KiB: 64 MiB
        "mmap_size=268435456",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


@event.listens_for(Engine, "before_cursor_execute")
def _savepoint_inside_a_transaction(conn, cursor, statement, parameters, context, executemany) -> None:
    """SQLite's driver opens a transaction only before a write, so a savepoint made before any
    write (`session.begin_nested()` after reads) would open the transaction itself, and
    releasing it would commit everything: the caller could no longer roll back. Open the
    transaction first, as on PostgreSQL, so that a savepoint is always nested."""
    if statement.startswith("SAVEPOINT"):
        dbapi_connection = conn.connection.dbapi_connection
        if isinstance(dbapi_connection, sqlite3.Connection) and not dbapi_connection.in_transaction:
            cursor.execute("BEGIN")


# --- Round trips to a database server (PostgreSQL) --------------------------------------------
#
# A catalog page runs two to four statements; before these hooks every request also paid three
# round trips of its own: the pool's pre-ping (SELECT 1, with the BEGIN psycopg sends before
# it) and the ROLLBACK that hands the connection back clean.
#
# - Ping only a connection that has sat unused in the pool for IDLE_PING_SECONDS: a busy
#   worker's connections were just used, and a server that went away shows on the first idle
#   checkout afterwards (the pool then drops every older connection). The engine also recycles
#   connections after an hour (config.py), before any firewall forgets an idle one.
# - A GET or HEAD request never writes (a rule the tests enforce on every route), so its
#   statements run in autocommit: no BEGIN before the first one, and nothing to roll back when
#   the connection goes back (psycopg skips the ROLLBACK when no transaction is open). Under
#   PostgreSQL's READ COMMITTED each statement sees its own snapshot inside a transaction too,
#   so the reads see exactly what they saw before. Correctness first: a statement that is not
#   a read raises on such a connection, so a GET that wrote by mistake fails loudly instead of
#   committing; every other request (POST, commands, tests) keeps its transaction, committed
#   or rolled back as before.

IDLE_PING_SECONDS = 30
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_READ = re.compile(r"\s*(SELECT|WITH|SHOW|EXPLAIN|VALUES)\b", re.IGNORECASE)


class WriteInReadRequest(RuntimeError):
    """A GET or HEAD request tried to change the database."""


def _served(dbapi_connection) -> bool:
    """A connection to a database server (SQLite runs in the process: no round trips)."""
    return not isinstance(dbapi_connection, sqlite3.Connection) and hasattr(dbapi_connection, "autocommit")


@event.listens_for(Pool, "connect")
def _connected(dbapi_connection, connection_record) -> None:
    connection_record.info["last_used"] = time.monotonic()


@event.listens_for(Pool, "checkout")
def _checkout(dbapi_connection, connection_record, connection_proxy) -> None:
    if not _served(dbapi_connection):
        return
    if time.monotonic() - connection_record.info.get("last_used", 0) > IDLE_PING_SECONDS:
        _ping(dbapi_connection)
    if has_request_context() and request.method in READ_METHODS:
        dbapi_connection.autocommit = True
        connection_record.info["read_only"] = True


@event.listens_for(Pool, "checkin")
def _checkin(dbapi_connection, connection_record) -> None:
    connection_record.info["last_used"] = time.monotonic()
    if dbapi_connection is not None and connection_record.info.pop("read_only", False):
        try:
            dbapi_connection.autocommit = False  # the next request may write
        except Exception as exc:  # a broken connection: never hand it out again
            connection_record.invalidate(exc)


def _ping(dbapi_connection) -> None:
    """Raise DisconnectionError if the server does not answer (the pool then connects anew)."""
    autocommit = dbapi_connection.autocommit
    try:
        dbapi_connection.autocommit = True  # a bare SELECT 1, with no BEGIN or ROLLBACK around it
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
    except Exception as exc:
        raise DisconnectionError(str(exc)) from exc
    finally:
        with contextlib.suppress(Exception):
            dbapi_connection.autocommit = autocommit


@event.listens_for(Engine, "before_cursor_execute")
def _refuse_writes_in_reads(conn, cursor, statement, parameters, context, executemany) -> None:
    if conn.info.get("read_only") and not _READ.match(statement):
        raise WriteInReadRequest(f"a GET or HEAD request tried to write: {statement[:80]}")
