"""Schemathesis against the API's own description (/api/v1/openapi.json), inside the normal test
run: for every operation, the requests of the description's examples and requests generated from
its schemas — without a key and with a key of each role, on a world with real objects — must never
get a 5xx, and every answer must keep to what the description says (a documented status, its
content type, its schema). A failure names the operation and the request, ready to replay.

Bounded and reproducible: the examples once each, then a few generated requests per operation,
derandomized (Hypothesis' seed comes from the test), without a deadline (the machine is shared),
without shrinking (a failure stops that operation at its first failing request).

Schemathesis' own pytest integration for a schema made in a fixture
(`schemathesis.pytest.from_fixture`) reads `node._nodeid`, which pytest 9 no longer has, so the
operations are run here through its documented strategies (`APIOperation.as_strategy`)."""

from __future__ import annotations

import itertools

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import checks
from schemathesis.core.failures import FailureGroup

from tests.api.world import build_world

CALLERS = ("anonymous", "producer", "ordering", "accounting")
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
# Generated requests per operation: more where the caller may use it; a few where the answer is
# 401 or 403 whatever the request (those answers must keep to the description too).
GENERATED_PER_OPERATION = 25
GENERATED_WHEN_REFUSED = 3
BOUNDED = settings(
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
# Path arguments that name one of the world's objects: half the generated requests use the real
# one, so they reach real objects as well as made-up ids. Likewise the description's examples, and
# every other generated request, have the fields of their body and query that name objects
# (BODY_VALUES) set to the world's ones, so that writes can succeed.
REAL_PATH_VALUES = {
    "product_id": "product",
    "producer_id": "producer",
    "variant_id": "variant",
    "sku": "sku",
    "shipment_id": "shipment",
    "order_id": "partner_order",
    "invoice_id": "invoice",
    "standing_order_id": "standing_order",
    "location_id": "location",
    "province_code": "province_code",
    "ward_code": "ward_code",
    "month": "month",
    "period": "month",
}
BODY_VALUES = {"sku": "skus", "skus": "skus", "location_id": "location"}


@pytest.fixture
def app_config(app_config):
    return {**app_config, "RATELIMIT_ENABLED": False}


class Namer:
    """Puts the world's objects in the fields of bodies and queries that name them (BODY_VALUES):
    each SKU sent becomes one of the world's (the same one each time it comes back, different
    SKUs staying different while there are enough), a location the world's location."""

    def __init__(self, objects: dict):
        self.objects = objects
        self.skus: dict = {}

    def sku(self, value):
        if value not in self.skus:
            ours = self.objects["skus"]
            self.skus[value] = ours[len(self.skus) % len(ours)]
        return self.skus[value]

    def __call__(self, value, field: str | None = None):
        if isinstance(value, dict):
            return {k: self(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self(v, field) for v in value]
        if field in ("sku", "skus") and isinstance(value, str):
            return ",".join(self.sku(part) for part in value.split(","))
        if field in BODY_VALUES and field not in ("sku", "skus"):
            return self.objects[BODY_VALUES[field]]
        return value


def _run(strategy, send, max_examples: int) -> None:
    @settings(BOUNDED, max_examples=max_examples)
    @given(case=strategy)
    def property_(case):
        send(case)

    property_()


@pytest.mark.parametrize("caller", CALLERS)
def test_the_api_answers_as_its_description_says(app, caller):
    world = build_world()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {} if caller == "anonymous" else {"Authorization": f"Bearer {world.key(caller)}"}

    sent = itertools.count()
    named = Namer(world.objects)

    def send(case, *, always_named: bool = False):
        if case.headers:
            case.headers.pop("Authorization", None)  # the caller's key, never a generated one
        if always_named or next(sent) % 2 == 0:
            if isinstance(case.body, dict | list):
                case.body = named(case.body)
            if case.query:
                case.query = named(case.query)
        case.call_and_validate(headers=headers, checks=CHECKS)

    def send_example(case):
        send(case, always_named=True)

    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations
    for operation in operations:
        real = {
            parameter.name: world.objects[REAL_PATH_VALUES[parameter.name]]
            for parameter in operation.path_parameters
            if parameter.name in REAL_PATH_VALUES
        }
        generated = operation.as_strategy()
        if real:
            generated = st.one_of(operation.as_strategy(path_parameters=real), generated)
        named = Namer(world.objects)  # each operation's examples start from the first SKU
        roles = operation.definition.raw.get("x-key-roles") or []
        refused = bool(roles) and caller not in roles
        try:
            for example in operation.get_strategies_from_examples():
                _run(example, send_example, max_examples=1)
            _run(generated, send, max_examples=GENERATED_WHEN_REFUSED if refused else GENERATED_PER_OPERATION)
        except (Exception, FailureGroup) as failure:  # every operation is tried; all are reported together
            failures.append(f"{caller}: {operation.label}\n{failure}")
    assert not failures, "\n\n".join(failures)
