"""Round trips to PostgreSQL (shop/extensions.py): a GET reads in autocommit (no BEGIN, no
ROLLBACK) and may not write; every other request keeps its transaction; only a connection that
sat idle is pinged, and one the server dropped is replaced."""

from __future__ import annotations

import pytest
from flask import request
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.pool import NullPool

from shop import extensions
from shop.catalog.models import CatalogState
from shop.extensions import db

postgresql_only = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


@pytest.fixture
def app_config(app_config):
    return {**app_config, "WTF_CSRF_ENABLED": False}


@pytest.fixture
def routes(app):
    """A GET that reads, a GET that writes by mistake, a POST that writes (and may then fail)."""

    def read():
        return str(db.session.scalar(select(CatalogState.version)))

    def write_in_a_get():
        db.session.execute(text("UPDATE catalog_state SET version = 42"))
        db.session.commit()
        return "wrote"

    def write():
        db.session.execute(text("UPDATE catalog_state SET version = :v"), {"v": int(request.form["v"])})
        if request.form.get("fail"):
            raise RuntimeError("the request fails after its write")
        db.session.commit()
        return "ok"

    app.add_url_rule("/_test/read", "test_read", read)
    app.add_url_rule("/_test/write-in-get", "test_write_in_get", write_in_a_get)
    app.add_url_rule("/_test/write", "test_write", write, methods=["POST"])
    return app


@pytest.fixture
def autocommit_seen(app):
    """For each statement the app runs: whether its connection was in autocommit (None: SQLite)."""
    seen = []

    def record(conn, cursor, statement, *args):
        seen.append(getattr(conn.connection.dbapi_connection, "autocommit", None))

    event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine, "before_cursor_execute", record)


def version() -> int:
    db.session.rollback()
    return db.session.scalar(select(CatalogState.version))


@pytest.mark.both_databases
def test_a_get_reads_in_autocommit_and_a_post_in_a_transaction(client, routes, autocommit_seen, backend):
    assert client.get("/_test/read").status_code == 200
    reads = list(autocommit_seen)
    autocommit_seen.clear()
    assert client.post("/_test/write", data={"v": "7"}).status_code == 200
    writes = list(autocommit_seen)
    if backend == "postgresql":
        assert reads == [True]
        assert writes == [False]  # the same pooled connection, transactional again
    else:  # SQLite runs in the process: no round trips to save, nothing changes
        assert reads == writes and True not in reads
    assert version() == 7


@pytest.mark.both_databases
def test_a_post_that_fails_after_writing_is_rolled_back(client, routes):
    client.get("/_test/read")  # the pooled connection served a GET just before
    before = version()
    assert client.post("/_test/write", data={"v": "8", "fail": "1"}).status_code == 500
    assert version() == before


@postgresql_only
def test_a_get_that_writes_fails_instead_of_committing(client, routes):
    before = version()
    assert client.get("/_test/write-in-get").status_code == 500
    assert version() == before


@postgresql_only
def test_only_an_idle_connection_is_pinged(client, routes, monkeypatch):
    pings = []
    ping = extensions._ping
    monkeypatch.setattr(extensions, "_ping", lambda connection: pings.append(1) or ping(connection))
    for _ in range(3):
        assert client.get("/_test/read").status_code == 200
    assert pings == []  # just made, or just used: no SELECT 1 before the page's statements
    monkeypatch.setattr(extensions, "IDLE_PING_SECONDS", -1)  # as if each had sat idle
    assert client.get("/_test/read").status_code == 200
    assert pings == [1]


@postgresql_only
def test_a_connection_the_server_dropped_while_idle_is_replaced(client, routes, app, monkeypatch):
    assert client.get("/_test/read").status_code == 200  # leaves its connection in the pool
    db.session.remove()
    outside = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=NullPool)
    with outside.connect() as conn:  # the server drops every other connection to the database
        dropped = conn.scalar(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    outside.dispose()
    assert dropped >= 1
    monkeypatch.setattr(extensions, "IDLE_PING_SECONDS", -1)  # as if it had sat idle
    assert client.get("/_test/read").status_code == 200
