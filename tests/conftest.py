"""Fixtures: the shop's clock set for every test, an app on a fresh database for each test (SQLite;
PostgreSQL too for tests marked both_databases), a client that posts forms with real CSRF tokens,
and a real SMTP sink."""

from __future__ import annotations

import contextvars
import itertools
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from flask import has_app_context
from flask.testing import FlaskClient

from shop import create_app
from shop.extensions import db
from tests.support import servers

_counter = itertools.count()

# Every test starts at this instant, whatever the machine's date: Monday 30 November 2026, 09:00
# in Hà Nội (before the same-day cut-off, inside the 8% VAT period, weeks before Tết). Tests that
# are about time move it with the `clock` fixture (clock.move_to(...), clock.shift(...)).
NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    """The test's clock: starts at NOW and runs on (servers and timeouts need time to pass).
    Servers started in another process get it through SHOP_TEST_CLOCK (see shop/clock.py)."""
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames and metafunc.definition.get_closest_marker("both_databases"):
        metafunc.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


def _migrate(url: str, instance: Path) -> None:
    from flask_migrate import upgrade

    app = create_app({"SHOP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def session_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("shop")


@pytest.fixture(scope="session")
def sqlite_template(session_dir) -> Path:
    """A SQLite file migrated once; each test gets a copy."""
    path = session_dir / "template.db"
    _migrate(f"sqlite:///{path}", session_dir)
    return path


@pytest.fixture(scope="session")
def postgres():
    pg = servers.start_postgres()
    try:
        pg.psql("CREATE DATABASE shop_template")
        _migrate(pg.url("shop_template"), Path(pg.root))
        yield pg
    finally:
        pg.stop()


@pytest.fixture
def backend(request) -> str:
    return getattr(request, "param", "sqlite")


@pytest.fixture
def database_url(request, backend, tmp_path, sqlite_template) -> str:
    if backend == "sqlite":
        path = tmp_path / "shop.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    pg = request.getfixturevalue("postgres")
    name = f"shop_test_{next(_counter)}"
    pg.psql(f"CREATE DATABASE {name} TEMPLATE shop_template")
    request.addfinalizer(lambda: pg.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    return pg.url(name)


@pytest.fixture
def app_config(database_url, tmp_path) -> dict:
    """Override in a test module to change the configuration."""
    return {
        "SHOP_ENV": "testing",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MAIL_SERVER": "",
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
        "RATELIMIT_STORAGE_URI": "daemon-memory://",
        "PAGE_CACHE_SECONDS": 0,  # tests/test_page_cache.py turns it on
        "SERVER_NAME": "shop.test",
        "SHOP_BASE_URL": "http://shop.test",
    }


class IsolatedClient(FlaskClient):
    """Runs each request in its own app context, as a real server does, so that nothing in `g`
    (e.g. the logged-in user) leaks from the test's context or from one request to the next.
    Afterwards the test's own session is expired so that it reads what the request wrote."""

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            db.session.expire_all()
        return response


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        db.session.remove()
    # Closing the test's context runs what waits for it (mail committed in the test is sent
    # then), which may take a connection: the pool is closed only afterwards, so none is left
    # open behind it.
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def smtp_sink_server():
    sink = servers.SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def smtp_sink(smtp_sink_server, app):
    """Route the app's mail through a real SMTP server and return it (messages cleared)."""
    smtp_sink_server.messages.clear()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_sink_server.port)
    return smtp_sink_server


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def submit(client, url: str, data: dict, *, page: str | None = None, **kwargs):
    """Open `page` (default: `url`) as a browser would, then post `data` with its CSRF token."""
    html = client.get(page or url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_token_from(html), **data}, **kwargs)


@pytest.fixture
def login(client):
    def do(email: str, password: str, remember: bool = False):
        data = {"email": email, "password": password}
        if remember:
            data["remember"] = "y"
        return submit(client, "/account/login", data)

    return do
