"""The API's reference for people (/api/v1/docs): it shows what /api/v1/openapi.json describes —
every operation, its parameters, bodies, responses, errors and webhooks, with examples — escaped,
without scripts, in English and Vietnamese; and the description itself is valid OpenAPI 3."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
import schemathesis
from flask_babel import force_locale
from schemathesis.specs.openapi.definitions import OPENAPI_30_VALIDATOR

from shop.api import docs, spec_of
from shop.api.docs_text import inline, render_text
from shop.integrations.keys import role_label

METHODS = ("get", "put", "post", "patch", "delete")
OPERATION_TITLE = re.compile(
    r'<h3 id="(?P<anchor>[^"]+)-title" class="api-op-title">\s*<span class="api-method[^"]*">(?P<method>\w+)</span>\s*'
    r'<code class="api-path">(?P<path>[^<]+)</code>'
)


class Links(HTMLParser):
    """The ids, in-page links and outside resources of a page."""

    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.anchors: list[str] = []
        self.resources: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        href = attrs.get("href") or ""
        if tag == "a" and href.startswith("#"):
            self.anchors.append(href[1:])
        if tag == "script":
            self.scripts += 1
        if tag == "link" and attrs.get("rel") == "canonical":
            return  # an address, not something the page loads
        for name in ("src", "href"):
            if attrs.get(name) and tag in ("script", "link", "img", "iframe"):
                self.resources.append(attrs[name])


def links_of(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


def operations_of(spec: dict) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in spec["paths"].items() for method in METHODS if method in item}


def webhooks_of(spec: dict) -> set[tuple[str, str]]:
    """The webhooks of the description (OpenAPI 3.1's `webhooks`, or `x-webhooks` in 3.0)."""
    events = spec.get("webhooks") or spec.get("x-webhooks") or {}
    return {(method.upper(), name) for name, item in events.items() for method in METHODS if method in item}


def shown_operations(html: str) -> set[tuple[str, str]]:
    return {(match["method"], match["path"]) for match in OPERATION_TITLE.finditer(html)}


def test_the_page_shows_every_path_and_method_of_the_description(app, client):
    spec = spec_of(app)
    response = client.get("/api/v1/docs", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert operations_of(spec) and shown_operations(html) == operations_of(spec) | webhooks_of(spec)
    links = links_of(html)
    for match in OPERATION_TITLE.finditer(html):
        assert match["anchor"] in links.anchors, f"{match['path']} is missing from the contents"
    assert len(links.ids) == len(set(links.ids)), "an anchor is used twice"
    assert set(links.anchors) <= set(links.ids), "a link in the page leads nowhere"
    assert '<a href="/api/v1/openapi.json">' in html


def test_every_parameter_and_documented_example_of_the_description_is_shown(app, client):
    spec = spec_of(app)
    html = client.get("/api/v1/docs", headers={"Accept-Language": "en"}).get_data(as_text=True)
    for item in spec["paths"].values():
        for method in METHODS:
            for parameter in [*item.get("parameters", []), *item.get(method, {}).get("parameters", [])]:
                if method in item:
                    assert f"<code>{parameter['name']}</code>" in html, parameter["name"]
    for schema in spec["components"]["schemas"].values():
        for name, field in schema.get("properties", {}).items():
            if "example" in field:
                assert json.dumps(field["example"], ensure_ascii=False).replace('"', "&#34;") in html, name


def test_the_page_has_no_script_and_loads_nothing_from_elsewhere(client):
    response = client.get("/api/v1/docs")
    links = links_of(response.get_data(as_text=True))
    assert links.scripts == 0
    assert links.resources and all(url.startswith("/") and not url.startswith("//") for url in links.resources)
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "private, no-cache"


def test_the_page_speaks_english_and_vietnamese(client):
    english = client.get("/api/v1/docs", headers={"Accept-Language": "en"}).get_data(as_text=True)
    vietnamese = client.get("/api/v1/docs", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    assert '<html lang="en">' in english and ">Overview</h2>" in english and ">Example</figcaption>" in english
    assert '<html lang="vi">' in vietnamese and ">Tổng quan</h2>" in vietnamese and ">Ví dụ</figcaption>" in vietnamese
    assert shown_operations(english) == shown_operations(vietnamese)


def test_the_description_is_valid_openapi_3(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.get_json()
    assert document["openapi"].startswith("3.0")
    errors = [f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in OPENAPI_30_VALIDATOR.iter_errors(document)]
    assert errors == []
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    schema.validate()
    assert len(list(schema.get_all_operations())) == len(operations_of(document))


# A description written to try the page: references, nested objects, examples given and built,
# parameters in every place, roles, webhooks, and text that must be escaped.
HOSTILE = "<script>alert('x')</script>"
CRAFTED = {
    "openapi": "3.0.3",
    "info": {
        "title": "Test API",
        "version": "v9",
        "description": (
            "Intro with `Authorization: Bearer <key>`, **bold** and a [guide](https://example.com/guide).\n\n"
            f"{HOSTILE} and [a trap](javascript:alert(1)).\n\n"
            "```python\nimport hmac\nprint('<b>signed</b>')\n```\n\n"
            "- first point\n- second point"
        ),
    },
    "tags": [
        {"name": "api_partners", "description": "For <em>partners</em> only."},
        {"name": "Webhooks", "description": "Each delivery is signed with **HMAC-SHA256**."},
    ],
    "paths": {
        "/api/v1/orders/{order_id}": {
            "parameters": [
                {"in": "path", "name": "order_id", "required": True, "schema": {"type": "integer", "minimum": 1}}
            ],
            "get": {
                "tags": ["api_partners"],
                "summary": f"One order {HOSTILE}",
                "description": "The order with its lines.",
                "security": [{"apiKey": []}],
                "x-key-roles": ["ordering", "accounting"],
                "parameters": [
                    {
                        "in": "query",
                        "name": "expand",
                        "description": "What to include.",
                        "schema": {"type": "string", "enum": ["lines", "<x>"]},
                        "example": "lines",
                    }
                ],
                "responses": {
                    "200": {
                        "description": "The order",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Order"}}},
                    },
                    "404": {"$ref": "#/components/responses/NOT_FOUND"},
                },
            },
        },
        "/api/v1/orders": {
            "post": {
                "tags": ["api_partners"],
                "summary": "Place an order",
                "security": [{"apiKey": []}],
                "x-key-roles": ["ordering"],
                "parameters": [
                    {
                        "in": "header",
                        "name": "Idempotency-Key",
                        "required": True,
                        "schema": {"type": "string", "maxLength": 255},
                        "example": "po-2026-11-30-001",
                    }
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/NewOrder"},
                            "example": {"location_id": 7, "lines": [{"sku": "XOI-500", "quantity": 3}]},
                        }
                    },
                },
                "responses": {
                    "201": {
                        "description": "Placed",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Order"}}},
                    },
                    "422": {"$ref": "#/components/responses/UNPROCESSABLE"},
                },
            }
        },
        "/api/v1/groups": {"get": {"summary": "Groups", "responses": {"200": {"description": "OK"}}}},
    },
    "x-webhooks": {
        "order.created": {
            "post": {
                "summary": "A partner placed an order.",
                "requestBody": {
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OrderCreatedEvent"}}}
                },
                "responses": {"200": {"description": "Any 2xx answer means received."}},
            }
        }
    },
    "components": {
        "schemas": {
            "Line": {
                "type": "object",
                "properties": {
                    "sku": {"type": "string", "example": "XOI-500", "description": "The variant's SKU."},
                    "quantity": {"type": "integer", "minimum": 1, "maximum": 999, "example": 3},
                    "unit_price_vnd": {"type": "integer", "example": 45000, "readOnly": True},
                },
                "required": ["sku", "quantity"],
            },
            "Order": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer", "example": 1201},
                    "status": {"type": "string", "enum": ["confirmed", "cancelled"]},
                    "placed_at": {"type": "string", "format": "date-time", "example": "2026-11-30T02:00:00Z"},
                    "note": {"type": "string", "nullable": True, "description": f"Free text {HOSTILE}"},
                    "lines": {"type": "array", "items": {"$ref": "#/components/schemas/Line"}},
                },
                "required": ["id", "status", "lines"],
            },
            "NewOrder": {
                "type": "object",
                "properties": {
                    "location_id": {"type": "integer"},
                    "lines": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/Line"}},
                },
                "required": ["location_id", "lines"],
            },
            "OrderCreatedEvent": {
                "type": "object",
                "properties": {
                    "id": {"type": "string", "example": "evt_01"},
                    "type": {"type": "string", "example": "order.created"},
                    "data": {"allOf": [{"$ref": "#/components/schemas/Order"}], "description": "The order."},
                },
            },
            "Error": {
                "type": "object",
                "properties": {"error": {"type": "object", "properties": {"code": {"type": "string"}}}},
            },
        },
        "responses": {
            "NOT_FOUND": {
                "description": "Not Found",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            },
            "UNPROCESSABLE": {
                "description": "Unprocessable Entity",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            },
        },
        "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer"}},
    },
}


@pytest.fixture
def crafted(client, monkeypatch):
    monkeypatch.setattr(docs, "spec_of", lambda app: CRAFTED)
    return client.get("/api/v1/docs", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_operations_and_webhooks_are_shown_with_who_may_call_them(crafted):
    assert shown_operations(crafted) == {
        ("GET", "/api/v1/orders/{order_id}"),
        ("POST", "/api/v1/orders"),
        ("GET", "/api/v1/groups"),
        ("POST", "order.created"),
    }
    one_order = crafted[crafted.index('id="get-api-v1-orders-order_id"') : crafted.index('id="post-api-v1-orders"')]
    assert "Needs a key" in one_order
    with force_locale("en"):  # the page was asked for in English
        assert role_label("ordering") in one_order and role_label("accounting") in one_order
    groups = crafted[crafted.index('id="get-api-v1-groups"') :]
    assert "No key needed" in groups[: groups.index("</article>")]
    webhooks = crafted[crafted.index('<h2 id="webhooks">') : crafted.index('<h2 id="schemas">')]
    assert "Each delivery is signed with <strong>HMAC-SHA256</strong>." in webhooks
    assert "<code>data.lines[].sku</code>" in webhooks  # the payload's nested order, spelled out
    links = links_of(crafted)
    assert len(links.ids) == len(set(links.ids)) and set(links.anchors) <= set(links.ids)


def test_parameters_bodies_and_responses_show_types_rules_and_examples(crafted):
    one_order = crafted[crafted.index('id="get-api-v1-orders-order_id"') : crafted.index('id="post-api-v1-orders"')]
    # Parameters from the path item and the operation, with where they go, rules and examples.
    assert re.search(r"<code>order_id</code> <span class=\"api-required\">required</span>", one_order)
    assert '<td data-label="In">path</td>' in one_order and '<td data-label="In">query</td>' in one_order
    assert "at least 1" in one_order
    assert "one of: <code>&#34;lines&#34;</code>, <code>&#34;&lt;x&gt;&#34;</code>" in one_order
    assert '<code class="api-value">&#34;lines&#34;</code>' in one_order
    # The response's schema, followed through its reference, nested lines included.
    assert '<a href="#schema-Order">Order</a>' in one_order
    assert "<code>lines[].quantity</code>" in one_order and "from 1 to 999" in one_order
    assert "string (date-time)" in one_order and "string or null" in one_order
    # No example given: one built from the fields' examples.
    assert "&#34;placed_at&#34;: &#34;2026-11-30T02:00:00Z&#34;" in one_order
    assert "Not Found — No such object, or it is not your organisation&#39;s." in one_order

    placing = crafted[crafted.index('id="post-api-v1-orders"') : crafted.index('id="get-api-v1-groups"')]
    assert "<code>Idempotency-Key</code>" in placing and '<td data-label="In">header</td>' in placing
    assert "at most 255 characters" in placing and "&#34;po-2026-11-30-001&#34;" in placing
    assert 'Request body <span class="api-required">required</span>' in placing
    body = CRAFTED["paths"]["/api/v1/orders"]["post"]["requestBody"]
    given = json.dumps(body["content"]["application/json"]["example"], indent=2)
    assert given.replace('"', "&#34;") in placing
    assert "Unprocessable Entity — Well formed, but it breaks a rule" in placing


def test_the_description_text_is_escaped_and_only_a_little_markdown_becomes_html(crafted):
    assert HOSTILE not in crafted and "<script" not in crafted
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in crafted
    assert "For &lt;em&gt;partners&lt;/em&gt; only." in crafted
    assert '<a href="https://example.com/guide">guide</a>' in crafted
    assert "javascript:" not in crafted.replace("[a trap](javascript:alert(1))", "")
    assert "<code>Authorization: Bearer &lt;key&gt;</code>" in crafted and "<strong>bold</strong>" in crafted
    code = "import hmac\nprint(&#39;&lt;b&gt;signed&lt;/b&gt;&#39;)"
    assert f'<pre tabindex="0"><code class="language-python">{code}</code></pre>' in crafted
    assert "<ul><li>first point</li><li>second point</li></ul>" in crafted


def test_the_markdownish_renderer_keeps_links_to_safe_places_only():
    assert inline("[x](javascript:alert(1))") == "[x](javascript:alert(1))"
    assert inline("[x](data:text/html,hi)") == "[x](data:text/html,hi)"
    assert inline('[x](/api/v1/docs"onmouseover="y)') == '<a href="/api/v1/docs&#34;onmouseover=&#34;y">x</a>'
    assert inline("[x](#errors) and *so* `a<b`") == '<a href="#errors">x</a> and <em>so</em> <code>a&lt;b</code>'
    assert render_text("# Title\ntext", heading_level=3) == "<h3>Title</h3>\n<p>text</p>"
    # The text's top headings go where the page needs them, whatever their number of #.
    assert render_text("### Headers\n#### Signature", heading_level=3) == "<h3>Headers</h3>\n<h4>Signature</h4>"
