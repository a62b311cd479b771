"""Flask extensions, created unbound and initialised by create_app()."""

from __future__ import annotations

import sqlite3
import threading

from flask import request
from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from limits.storage import MemoryStorage
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

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
        self.timer.cancel()  # the first one, started by MemoryStorage itself

    def _MemoryStorage__schedule_expiry(self) -> None:  # MemoryStorage's (name-mangled) hook
        if not self.timer.is_alive():
            self.timer = threading.Timer(0.01, self._MemoryStorage__expire_events)
            self.timer.daemon = True
            self.timer.start()


# Storage comes from RATELIMIT_STORAGE_URI: daemon-memory:// alone, Redis when REDIS_URL is set so
# that every worker and machine counts against the same limit.
limiter = Limiter(key_func=_client_ip, default_limits=[])


# Database objects made by migrations for search (an FTS5 table and its shadow tables on SQLite,
# a trigram index on PostgreSQL) that no model declares; autogenerate must leave them alone.
SEARCH_OBJECTS_PREFIXES = ("product_search", "ix_products_search_folded_trgm")


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
