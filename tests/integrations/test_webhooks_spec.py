"""The API description documents the webhooks (`x-webhooks`, the payload schemas, the "Webhooks"
section with its verification snippet), and what is really sent matches what it says: each
event recorded by a real action validates against its documented schema."""

from __future__ import annotations

import json

import jsonschema_rs
import pytest

from shop.api.spec import VERIFY_SNIPPET
from shop.extensions import db
from shop.fulfilment import services as fulfilment
from shop.integrations.models import EVENT_TYPES
from shop.integrations.sending import body_of
from shop.inventory import services as inventory
from tests.integrations.conftest import endpoint_for, events_of, order_for


@pytest.fixture
def spec(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json


def openapi_to_json_schema(node):
    """OpenAPI 3.0's `nullable` as JSON Schema's null type (everything else is the same)."""
    if isinstance(node, list):
        return [openapi_to_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: openapi_to_json_schema(v) for k, v in node.items() if k != "example"}
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


def validator(spec: dict, schema_name: str):
    document = {
        "$ref": f"#/components/schemas/{schema_name}",
        "components": openapi_to_json_schema(spec["components"]),
    }
    return jsonschema_rs.Draft4Validator(document)


def test_every_event_type_is_described_with_its_headers_and_examples(spec):
    hooks = spec["x-webhooks"]
    assert set(hooks) == set(EVENT_TYPES)
    for event_type, item in hooks.items():
        operation = item["post"]
        headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
        assert {"Ocop-Event-Id", "Ocop-Event-Type", "Ocop-Timestamp", "Ocop-Signature", "User-Agent"} <= headers
        content = operation["requestBody"]["content"]["application/json"]
        refs = [content["schema"]] if "$ref" in content["schema"] else content["schema"]["oneOf"]
        names = [ref["$ref"].rsplit("/", 1)[1] for ref in refs]
        assert set(names) == set(content["examples"])
        for name in names:
            example = content["examples"][name]["value"]
            assert example["type"] == event_type
            errors = [e.message for e in validator(spec, name).iter_errors(example)]
            assert errors == [], (name, errors)
    [tag] = [t for t in spec["tags"] if t["name"] == "Webhooks"]
    assert VERIFY_SNIPPET in tag["description"]
    assert "Ocop-Signature" in tag["description"] and "De-duplicate by event id" in tag["description"]


def documented_schema(spec: dict, event_type: str, audience: str) -> str:
    content = spec["x-webhooks"][event_type]["post"]["requestBody"]["content"]["application/json"]
    if "$ref" in content["schema"]:
        return content["schema"]["$ref"].rsplit("/", 1)[1]
    names = [ref["$ref"].rsplit("/", 1)[1] for ref in content["schema"]["oneOf"]]
    [name] = [n for n in names if audience.capitalize() in n]
    return name


def test_what_is_sent_is_what_the_description_says(
    spec, partner, xoi, tea, xoi_maker, tea_maker, receiver, runner, clock
):
    from datetime import timedelta

    from shop.orders import services as orders

    endpoint_for(partner, receiver, path="/partner")
    endpoint_for(xoi_maker, receiver, path="/xoi")
    endpoint_for(tea_maker, receiver, path="/tea")
    inventory.set_low_stock_threshold(tea.id, 45, producer_id=tea_maker.id)
    db.session.commit()
    order = order_for(partner, (xoi, 20), (tea, 6))  # tea: 50 → 44, below 45
    shipment = next(s for s in fulfilment.shipments_of(order) if s.producer_id == xoi_maker.id)
    fulfilment.pack(shipment)
    fulfilment.ship(shipment, carrier="own", tracking_number=None)
    fulfilment.deliver(shipment)
    db.session.commit()
    other = order_for(partner, (tea, 1))
    orders.cancel(other, reason="staff")
    db.session.commit()
    clock.shift(timedelta(days=17))
    assert runner.invoke(args=["shop", "invoices-overdue"]).exit_code == 0

    seen = set()
    for event in events_of():
        audience = "partner" if event.partner_id else "producer"
        name = documented_schema(spec, event.type, audience)
        document = json.loads(body_of(event))
        errors = [e.message for e in validator(spec, name).iter_errors(document)]
        assert errors == [], (event.type, audience, errors)
        seen.add(event.type)
    assert seen == set(EVENT_TYPES)
