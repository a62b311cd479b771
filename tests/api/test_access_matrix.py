"""Every route of the API, tried by the callers who must not use it: without a key (401, except
the public catalog), with a key in a role the route does not allow (403), and — where the route
names an object by id — with a key of another producer or partner (404, never a hint that the
object exists). The routes are read from the app's URL map, so a new route whose blueprint or
URL argument this file does not know fails here until it is covered."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from shop.api import spec_of
from shop.integrations.models import PARTNER_ROLES, PRODUCER_ROLES
from tests.api.world import ROLES, build_world
from tests.support.api import bearer

# Who each blueprint of the API serves: the public catalog (no key), producers or partners.
FAMILIES = {
    "api_catalog": "public",
    "api_producer_stock": "producer",
    "api_producer_shipments": "producer",
    "api_partners": "partner",
    "api_partner_orders": "partner",
    "api_partner_accounts": "partner",
    "api_partner_standing": "partner",
}
ROLES_OF_FAMILY = {"producer": set(PRODUCER_ROLES), "partner": set(PARTNER_ROLES)}
# Routes that are not the API's endpoints: its description and the page that shows it.
NOT_ENDPOINTS = ("api-docs", "api_reference")

# URL arguments, the object of the world each one names, and — per family — whether it is an
# object of the key's own organisation (another organisation's key must get 404) or something any
# caller of that family may ask about (a month of statements, a SKU of the catalog a partner
# buys from, a province).
ARGUMENTS = {
    "product_id": "product",
    "producer_id": "producer",
    "province_code": "province_code",
    "ward_code": "ward_code",
    "variant_id": "variant",
    "sku": "sku",
    "shipment_id": "shipment",
    "order_id": "partner_order",
    "invoice_id": "invoice",
    "standing_order_id": "standing_order",
    "location_id": "location",
    "month": "month",
    "period": "month",
}
OWN = {
    "producer": {"product_id", "variant_id", "sku", "shipment_id"},
    "partner": {"order_id", "invoice_id", "standing_order_id", "location_id"},
}
SHARED = {
    "producer": {"month", "period"},
    "partner": {"sku", "month", "period", "product_id", "variant_id"},
    "public": {"product_id", "producer_id", "province_code", "ward_code"},
}
# What a public route's argument is when it names nothing.
NOTHING = {"product_id": 999_999, "producer_id": 999_999, "province_code": 99, "ward_code": 99_999}
# Body fields that name the world's objects, put in the documented example bodies (so that a
# write's body is valid and the route's own checks are what answers).
BODY_VALUES = {"sku": "sku", "location_id": "location"}


@pytest.fixture
def app_config(app_config):
    return {**app_config, "RATELIMIT_ENABLED": False}


@pytest.fixture
def world(app):
    return build_world()


class Route:
    def __init__(self, rule, method: str, operation: dict | None):
        self.rule = rule
        self.method = method
        self.operation = operation or {}
        self.blueprint = rule.endpoint.split(".", 1)[0]
        self.name = f"{method} {rule.rule} ({rule.endpoint})"

    @property
    def family(self) -> str:
        if self.blueprint not in FAMILIES:
            pytest.fail(f"{self.name}: the API's access matrix does not know the blueprint {self.blueprint!r}")
        return FAMILIES[self.blueprint]

    @property
    def roles(self) -> set[str]:
        """The roles the description says may call the route (none: public)."""
        return set(self.operation.get("x-key-roles") or ())

    @property
    def own_arguments(self) -> set[str]:
        return set(self.rule.arguments) & OWN.get(self.family, set())

    def url(self, objects: dict, *, nothing: bool = False) -> str:
        path = self.rule.rule
        for name in self.rule.arguments:
            known = name in OWN.get(self.family, set()) | SHARED.get(self.family, set())
            if not known or name not in ARGUMENTS:
                pytest.fail(
                    f"{self.name}: the API's access matrix does not know the argument <{name}>; say what it names "
                    "(ARGUMENTS) and whether it is the caller's own object (OWN) or shared (SHARED)"
                )
            value = NOTHING[name] if nothing else objects[ARGUMENTS[name]]
            path = re.sub(rf"<(?:[^<>:]+:)?{name}>", quote(str(value), safe=""), path)
        return path


def _spec_path(rule) -> str:
    return re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", rule.rule)


def _routes(app) -> list[Route]:
    spec = spec_of(app)
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint.split(".", 1)[0] in NOT_ENDPOINTS:
            continue
        item = spec["paths"].get(_spec_path(rule), {})
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append(Route(rule, method, item.get(method.lower())))
    return routes


def _body(route: Route, app, objects: dict):
    """The route's documented example body (or one built from its fields' examples), naming the
    world's objects; None for a route without a body."""
    from shop.api.docs_reader import MISSING, Reader

    body = route.operation.get("requestBody")
    if not body:
        return None
    reader = Reader(spec_of(app))
    media = reader.deref(body).get("content", {}).get("application/json", {})
    example = media.get("example", MISSING)
    if example is MISSING:
        example = reader.example(media.get("schema") or {})
    return {} if example is MISSING else _named(example, objects)


def _named(value, objects):
    if isinstance(value, dict):
        return {k: objects[BODY_VALUES[k]] if k in BODY_VALUES else _named(v, objects) for k, v in value.items()}
    if isinstance(value, list):
        return [_named(v, objects) for v in value]
    return value


def _headers(route: Route, secret: str | None) -> dict:
    headers = bearer(secret) if secret else {}
    for parameter in route.operation.get("parameters", []):
        if parameter.get("in") == "header" and parameter.get("required"):
            headers[parameter["name"]] = str(parameter.get("example", "access-matrix-1"))
    return headers


def _ask(client, app, route: Route, url: str, secret: str | None, objects: dict):
    return client.open(url, method=route.method, headers=_headers(route, secret), json=_body(route, app, objects))


def test_every_route_is_known_and_says_who_may_call_it(app, world):
    routes = _routes(app)
    assert len(routes) >= 30
    for route in routes:
        route.url(world.objects)  # every argument known
        if route.family == "public":
            assert not route.roles and not route.operation.get("security"), f"{route.name}: the catalog is public"
        else:
            assert route.operation, f"{route.name} is missing from the description"
            assert route.roles, f"{route.name} needs a key: use requires_key(bp, roles…)"
            allowed = ROLES_OF_FAMILY[route.family]
            assert route.roles <= allowed, f"{route.name}: a {route.family} route open to {route.roles}"


def test_without_a_key_only_the_public_catalog_answers(app, client, world):
    for route in _routes(app):
        response = _ask(client, app, route, route.url(world.objects), None, world.objects)
        if route.family == "public":
            assert response.status_code == 200, route.name
            if route.rule.arguments:
                missing = _ask(client, app, route, route.url(world.objects, nothing=True), None, world.objects)
                assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found", route.name
        else:
            assert response.status_code == 401, route.name
            assert response.json["error"]["code"] == "unauthenticated", route.name
            assert response.headers["WWW-Authenticate"].startswith("Bearer"), route.name


def test_a_key_in_a_role_the_route_does_not_allow_is_refused(app, client, world):
    for route in _routes(app):
        if route.family == "public":
            continue
        for role in sorted(set(ROLES) - route.roles):
            response = _ask(client, app, route, route.url(world.objects), world.key(role), world.objects)
            assert response.status_code == 403, f"{route.name} with a {role} key: {response.status_code}"
            assert response.json["error"]["code"] == "forbidden", route.name


def test_another_organisations_key_finds_none_of_our_objects(app, client, world):
    checked = 0
    for route in _routes(app):
        if route.family == "public" or not route.own_arguments:
            continue
        for role in sorted(route.roles):
            url = route.url(world.objects)
            response = _ask(client, app, route, url, world.key(role, whose="theirs"), world.objects)
            answer = f"{route.name} with another organisation's {role} key: {response.status_code}"
            assert response.status_code == 404, answer
            assert response.json["error"]["code"] == "not_found", route.name
            checked += 1
    assert checked >= 12


def test_the_allowed_roles_of_our_organisation_get_past_the_door(app, client, world):
    """The other side of the matrix: the route's own roles are let in (what they then get depends
    on the route: 200, 201, 409 or 422, never 401, 403 or 404 for our own objects)."""
    for route in _routes(app):
        if route.family == "public":
            continue
        for role in sorted(route.roles):
            response = _ask(client, app, route, route.url(world.objects), world.key(role), world.objects)
            assert response.status_code not in (401, 403), f"{route.name} with our {role} key: {response.status_code}"
            assert response.status_code < 500, f"{route.name} with our {role} key: {response.status_code}"
            if route.own_arguments:
                assert response.status_code != 404, f"{route.name}: our own object not found with our {role} key"
