"""Hostile input never becomes a 5xx: every GET route and every form of the app is fed huge and
negative numbers, NUL bytes, 10 KB strings, wrong types and repeated parameters, anonymously and
as a logged-in shopper with a cart, on SQLite and PostgreSQL (which refuses NUL bytes and
out-of-range integers that SQLite would swallow)."""

from __future__ import annotations

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from werkzeug.routing.converters import NumberConverter
from wtforms.fields.core import UnboundField

from shop.extensions import db
from tests.checkout.conftest import BANK
from tests.checkout.test_views import add
from tests.conftest import csrf_token_from, submit
from tests.factories import PASSWORD, UserFactory
from tests.support.builders import stocked

HOSTILE = [
    "99999999999999999999999",
    "-1",
    "0",
    "2147483648",
    "-9223372036854775809",
    "\x00",
    "a\x00b",
    "x" * 10_240,
    "1e308",
    "NaN",
    "١٢٣",  # Arabic-Indic digits: str.isdigit() says yes, int() agrees, databases may not
    "１２",
    "[]",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%",
    "../../etc/passwd",
    "",
]
# Query parameters any page reads; forms' field names are read from the app's forms.
QUERY_NAMES = [
    "q", "stars", "group", "province", "producer", "min_price", "max_price", "in_stock", "sort", "page",
    "next", "key", "session_id", "chosen", "token", "number", "status",
]  # fmt: skip


def _all_forms(cls=FlaskForm):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_forms(sub)


def form_field_names() -> list[str]:
    names = set()
    for form in _all_forms():
        names.update(name for name in dir(form) if isinstance(getattr(form, name, None), UnboundField))
    # Buttons the views read from request.form directly.
    return sorted(names | {"refresh_wards", "use_address", "action"})


def _path_values(rule, value: str):
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, NumberConverter):
            values[name] = 2**31 - 1  # the largest a route accepts; larger ones are a plain 404
        elif type(converter).__name__ == "AnyConverter":
            values[name] = sorted(converter.items)[0]  # one of the words it takes (others are a 404)
        else:
            values[name] = value[:2000] if value else "x"
    return values


@pytest.fixture
def app_config(app_config):
    return {**app_config, **BANK, "RATELIMIT_ENABLED": True}


@pytest.fixture
def visitors(app):
    tea = stocked("Chè Sen Quảng An", price=450_000, on_hand=5, shelf_life_days=365)
    anonymous = app.test_client()
    shopper = app.test_client()
    UserFactory(email="lan@example.vn")
    submit(shopper, "/account/login", {"email": "lan@example.vn", "password": PASSWORD})
    add(shopper, tea, "1")
    return {"anonymous": anonymous, "shopper": shopper}


def _routes(app, method: str):
    skip = {"static", "accounts.logout"}
    return [r for r in app.url_map.iter_rules() if method in r.methods and r.endpoint not in skip]


@pytest.mark.both_databases
def test_no_get_route_answers_5xx_to_hostile_input(app, backend, visitors):
    failures = []
    for name, client in visitors.items():
        for rule in _routes(app, "GET"):
            for value in HOSTILE:
                with app.test_request_context():
                    try:
                        path = app.url_map.bind("shop.test").build(rule.endpoint, _path_values(rule, value))
                    except Exception:  # a value the route's converter cannot hold: nothing to send
                        continue
                query = MultiDict([(q, v) for q in QUERY_NAMES for v in (value, "2")])
                response = client.get(path, query_string=query)
                if response.status_code >= 500:
                    failures.append((name, rule.rule, repr(value[:20]), response.status_code))
        db.session.rollback()
    assert not failures, failures[:10]


@pytest.mark.both_databases
def test_no_form_answers_5xx_to_hostile_input(app, backend, visitors):
    fields = form_field_names()
    assert {"email", "quantity", "province_code", "checkout_token"} <= set(fields)
    failures = []
    for name, client in visitors.items():
        token = csrf_token_from(client.get("/account/login" if name == "anonymous" else "/cart").get_data(as_text=True))
        for rule in _routes(app, "POST"):
            for value in HOSTILE:
                with app.test_request_context():
                    path = app.url_map.bind("shop.test").build(rule.endpoint, _path_values(rule, value))
                data = MultiDict([(f, v) for f in fields for v in (value, "1")])
                for with_token in (True, False):
                    sent = MultiDict(data)
                    if with_token:
                        sent.setlist("csrf_token", [token])
                    response = client.post(path, data=sent)
                    if response.status_code >= 500:
                        failures.append((name, rule.rule, repr(value[:20]), with_token, response.status_code))
    assert not failures, failures[:10]


@pytest.mark.both_databases
def test_an_id_too_large_for_the_database_is_not_found_rather_than_an_error(client, backend):
    from tests.support.api import api_key, bearer
    from tests.support.partners import make_partner

    _, secret = api_key(partner=make_partner())
    huge = "83832248277470659990961858372471619584"
    assert client.get(f"/api/v1/orders/{huge}", headers=bearer(secret)).status_code == 404
    assert client.get(f"/api/v1/products/{2**31}").status_code == 404
    assert client.get(f"/products/{huge}").status_code == 404
