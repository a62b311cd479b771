"""A producer's own system reads its variants with their stock and sets or adjusts the stock of
many SKUs in one call: all or nothing, with the portal's compare-and-set and rules, written to
the ledger with the reason `api` and the key's name."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from shop.audit.models import AuditEvent
from shop.catalog.models import Variant
from shop.extensions import db
from shop.inventory.models import StockMovement
from shop.inventory.services import ledger_totals, reserve_stock
from tests.support.api import api_key, bearer
from tests.support.builders import a_producer, stocked
from tests.support.partners import make_partner


class Shelf:
    """HTX Xôi Phú Thượng with three packs and a key; HTX Chè Sen Quảng An with one pack."""

    def __init__(self):
        self.producer = a_producer(name="HTX Xôi Phú Thượng")
        self.xoi = stocked("Xôi Phú Thượng", producer=self.producer, on_hand=100).variants[0]
        self.com = stocked("Cốm làng Vòng", producer=self.producer, on_hand=20).variants[0]
        self.nep = stocked("Gạo nếp cái hoa vàng", producer=self.producer, on_hand=5).variants[0]
        self.other = stocked("Chè Sen Quảng An", producer=a_producer(name="HTX Chè Sen")).variants[0]
        self.key, self.secret = api_key(producer=self.producer, name="Kho ERP")

    @property
    def headers(self):
        return bearer(self.secret, **{"Accept-Language": "en"})

    def figures(self, variant) -> tuple[int, int]:
        db.session.expire_all()
        row = db.session.get(Variant, variant.id)
        return row.on_hand, row.reserved


@pytest.fixture
def shelf(app):
    return Shelf()


def counts() -> tuple[int, int]:
    """(ledger rows, audit entries): a refused call adds to neither."""
    db.session.expire_all()
    return (
        db.session.scalar(select(func.count()).select_from(StockMovement)),
        db.session.scalar(select(func.count()).select_from(AuditEvent)),
    )


def post_stock(client, shelf, items, **body):
    return client.post("/api/v1/stock", json={"items": items, **body}, headers=shelf.headers)


# --- Reading variants ---------------------------------------------------------------------------


def test_the_list_shows_the_producers_own_packs_with_their_stock(client, shelf):
    reserve_stock([(shelf.xoi.id, 4)], order_id=None)
    shelf.xoi.low_stock_threshold = 96
    db.session.commit()
    response = client.get("/api/v1/variants", headers=shelf.headers)
    assert response.status_code == 200
    body = response.json
    assert [v["sku"] for v in body["data"]] == [shelf.xoi.sku, shelf.com.sku, shelf.nep.sku]  # by id
    assert body["next_cursor"] is None
    xoi = body["data"][0]
    assert xoi["product"]["name"] == "Xôi Phú Thượng" and xoi["price_vnd"] == 100_000
    assert (xoi["on_hand"], xoi["reserved"], xoi["available"]) == (100, 4, 96)
    assert (xoi["low_stock_threshold"], xoi["low"], xoi["published"]) == (96, True, True)
    assert shelf.other.sku not in response.get_data(as_text=True)


def test_the_list_filters_by_words_sku_and_low_stock(client, shelf):
    shelf.nep.low_stock_threshold = 5
    shelf.com.low_stock_threshold = 19
    db.session.commit()

    def skus(query):
        return [v["sku"] for v in client.get(f"/api/v1/variants?{query}", headers=shelf.headers).json["data"]]

    assert skus("q=cốm") == [shelf.com.sku]
    assert skus(f"sku={shelf.nep.sku}") == [shelf.nep.sku]
    assert skus(f"sku={shelf.other.sku}") == []
    assert skus("low_stock=true") == [shelf.nep.sku]


def test_the_list_pages_with_a_cursor(client, shelf):
    first = client.get("/api/v1/variants?limit=2", headers=shelf.headers).json
    assert [v["sku"] for v in first["data"]] == [shelf.xoi.sku, shelf.com.sku]
    second = client.get(f"/api/v1/variants?limit=2&cursor={first['next_cursor']}", headers=shelf.headers).json
    assert [v["sku"] for v in second["data"]] == [shelf.nep.sku] and second["next_cursor"] is None
    for bad in ("cursor=nonsense", "cursor=eyJ4IjoxfQ", "limit=0", "limit=101", "low_stock=perhaps"):
        refused = client.get(f"/api/v1/variants?{bad}", headers=shelf.headers)
        assert refused.status_code == 422, bad
        assert refused.json["error"]["details"][0]["field"] in ("cursor", "limit", "low_stock")


def test_one_variant_by_sku_and_another_producers_is_not_found(client, shelf):
    response = client.get(f"/api/v1/variants/{shelf.com.sku}", headers=shelf.headers)
    assert response.status_code == 200 and response.json["on_hand"] == 20
    for sku in (shelf.other.sku, "NO-SUCH-SKU"):
        missing = client.get(f"/api/v1/variants/{sku}", headers=shelf.headers)
        assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"


def test_a_partner_key_cannot_read_or_change_stock_and_no_key_is_401(client, shelf):
    _, partner_secret = api_key(partner=make_partner())
    before = counts()
    for headers, status in ((bearer(partner_secret), 403), ({}, 401)):
        assert client.get("/api/v1/variants", headers=headers).status_code == status
        refused = client.post("/api/v1/stock", json={"items": [{"sku": shelf.xoi.sku, "adjust": 1}]}, headers=headers)
        assert refused.status_code == status
    assert shelf.figures(shelf.xoi) == (100, 0) and counts() == before


# --- Changing stock -----------------------------------------------------------------------------


def test_one_call_sets_and_adjusts_many_skus_into_the_ledger_with_the_keys_name(client, shelf):
    items = [
        {"sku": shelf.xoi.sku, "on_hand": 120, "expected_on_hand": 100},
        {"sku": shelf.com.sku, "adjust": -3},
        {"sku": shelf.nep.sku, "on_hand": 8},
    ]
    response = post_stock(client, shelf, items, note="  nightly   sync ")
    assert response.status_code == 200, response.json
    assert response.json["data"] == [
        {"sku": shelf.xoi.sku, "on_hand": 120, "reserved": 0, "available": 120},
        {"sku": shelf.com.sku, "on_hand": 17, "reserved": 0, "available": 17},
        {"sku": shelf.nep.sku, "on_hand": 8, "reserved": 0, "available": 8},
    ]
    moves = db.session.scalars(select(StockMovement).where(StockMovement.reason == "api")).all()
    assert sorted((m.variant_id, m.on_hand_delta) for m in moves) == sorted(
        [(shelf.xoi.id, 20), (shelf.com.id, -3), (shelf.nep.id, 3)]
    )
    assert {m.note for m in moves} == {f"API key #{shelf.key.id} “Kho ERP” — nightly sync"}
    assert {m.actor_user_id for m in moves} == {None}  # a program, not a person
    audits = db.session.scalars(select(AuditEvent).where(AuditEvent.entity == "stock")).all()
    assert sorted(a.entity_id for a in audits) == sorted([shelf.xoi.sku, shelf.com.sku, shelf.nep.sku])
    assert all("Kho ERP" in a.note and a.producer_id == shelf.producer.id for a in audits)
    for variant in (shelf.xoi, shelf.com, shelf.nep):
        assert ledger_totals(variant.id) == shelf.figures(variant)


def test_setting_the_figure_it_already_has_writes_nothing(client, shelf):
    before = counts()
    response = post_stock(client, shelf, [{"sku": shelf.com.sku, "on_hand": 20, "expected_on_hand": 20}])
    assert response.status_code == 200 and response.json["data"][0]["on_hand"] == 20
    assert counts() == before


@pytest.mark.both_databases
def test_a_figure_no_longer_expected_refuses_the_whole_call_naming_each_sku_with_its_figure(client, shelf, backend):
    reserve_stock([(shelf.com.id, 2)], order_id=None)
    db.session.commit()
    before = counts()
    items = [
        {"sku": shelf.xoi.sku, "on_hand": 90},
        {"sku": shelf.com.sku, "on_hand": 30, "expected_on_hand": 25},
        {"sku": shelf.nep.sku, "on_hand": 1, "expected_on_hand": 4},
    ]
    refused = post_stock(client, shelf, items)
    assert refused.status_code == 409
    error = refused.json["error"]
    assert error["code"] == "stock_changed"
    assert error["details"] == [
        {
            "field": "items.1.expected_on_hand",
            "message": f"{shelf.com.sku} has 20 on hand, not the 25 you sent.",
            "sku": shelf.com.sku,
            "current": {"on_hand": 20, "reserved": 2, "available": 18},
        },
        {
            "field": "items.2.expected_on_hand",
            "message": f"{shelf.nep.sku} has 5 on hand, not the 4 you sent.",
            "sku": shelf.nep.sku,
            "current": {"on_hand": 5, "reserved": 0, "available": 5},
        },
    ]
    assert [shelf.figures(v) for v in (shelf.xoi, shelf.com, shelf.nep)] == [(100, 0), (20, 2), (5, 0)]
    assert counts() == before


@pytest.mark.both_databases
def test_one_item_that_breaks_a_rule_leaves_every_item_unchanged(client, shelf, backend):
    reserve_stock([(shelf.nep.id, 4)], order_id=None)
    db.session.commit()
    before = counts()
    items = [
        {"sku": shelf.xoi.sku, "on_hand": 150, "expected_on_hand": 100},
        {"sku": shelf.com.sku, "adjust": 5},
        {"sku": shelf.nep.sku, "adjust": -2},  # orders hold 4 of the 5
    ]
    refused = post_stock(client, shelf, items, note="sync")
    assert refused.status_code == 409
    error = refused.json["error"]
    assert error["code"] == "stock_held" and "Nothing was changed" in error["message"]
    [detail] = error["details"]
    assert detail["field"] == "items.2.adjust" and detail["sku"] == shelf.nep.sku
    assert detail["current"] == {"on_hand": 5, "reserved": 4, "available": 1}
    assert [shelf.figures(v) for v in (shelf.xoi, shelf.com, shelf.nep)] == [(100, 0), (20, 0), (5, 4)]
    assert counts() == before


def test_stock_cannot_be_set_below_what_orders_hold(client, shelf):
    reserve_stock([(shelf.xoi.id, 10)], order_id=None)
    db.session.commit()
    refused = post_stock(client, shelf, [{"sku": shelf.xoi.sku, "on_hand": 9}])
    assert refused.status_code == 409
    assert refused.json["error"]["details"][0]["field"] == "items.0.on_hand"
    assert "Orders already hold 10" in refused.json["error"]["details"][0]["message"]
    assert post_stock(client, shelf, [{"sku": shelf.xoi.sku, "on_hand": 10}]).status_code == 200


def test_stock_stays_between_0_and_a_million(client, shelf):
    before = counts()
    for item, field, status in (
        ({"on_hand": -1}, "items.0.on_hand", 422),
        ({"on_hand": 1_000_001}, "items.0.on_hand", 422),
        ({"adjust": -6}, "items.0.adjust", 422),  # 5 on hand
        ({"adjust": 999_996}, "items.0.adjust", 422),
    ):
        refused = post_stock(client, shelf, [{"sku": shelf.nep.sku, **item}])
        assert refused.status_code == status, item
        assert refused.json["error"]["details"][0]["field"] == field, item
    assert shelf.figures(shelf.nep) == (5, 0) and counts() == before


def test_a_sku_not_the_producers_reads_as_unknown_and_a_sku_twice_is_refused(client, shelf):
    before = counts()
    refused = post_stock(
        client,
        shelf,
        [
            {"sku": shelf.xoi.sku, "adjust": 1},
            {"sku": shelf.other.sku, "adjust": 1},
            {"sku": "KHONG-CO", "adjust": 1},
            {"sku": shelf.xoi.sku, "on_hand": 3},
        ],
    )
    assert refused.status_code == 422
    details = refused.json["error"]["details"]
    assert [d["field"] for d in details] == ["items.1.sku", "items.2.sku", "items.3.sku"]
    # Another producer's SKU is refused in the same words as one that does not exist.
    assert details[0]["message"] == f"None of your variants has the SKU {shelf.other.sku}."
    assert details[1]["message"] == "None of your variants has the SKU KHONG-CO."
    assert details[2]["message"] == f"The SKU {shelf.xoi.sku} is also item 0."
    assert shelf.figures(shelf.other) == (10, 0) and counts() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"items": []}, "items"),
        ({"items": [{"sku": "X", "adjust": 1}] * 1001}, "items"),
        ({}, "items"),
        ({"items": [{"sku": "X"}]}, "items.0.on_hand"),
        ({"items": [{"sku": "X", "on_hand": 1, "adjust": 1}]}, "items.0.on_hand"),
        ({"items": [{"sku": "X", "adjust": 2, "expected_on_hand": 1}]}, "items.0.expected_on_hand"),
        ({"items": [{"sku": "X", "adjust": 0}]}, "items.0.adjust"),
        ({"items": [{"sku": "X", "on_hand": "12"}]}, "items.0.on_hand"),
        ({"items": [{"sku": "X", "on_hand": 1.5}]}, "items.0.on_hand"),
        ({"items": [{"sku": "", "on_hand": 1}]}, "items.0.sku"),
        ({"items": [{"sku": "X", "on_hand": 1, "price_vnd": 5}]}, "items.0.price_vnd"),
        ({"items": [{"sku": "X", "on_hand": 1}], "note": "x" * 101}, "note"),
    ],
)
def test_a_malformed_body_is_422_naming_the_field(client, shelf, body, field):
    refused = client.post("/api/v1/stock", json=body, headers=shelf.headers)
    assert refused.status_code == 422
    assert refused.json["error"]["code"] == "invalid"
    assert field in [d["field"] for d in refused.json["error"]["details"]]


@pytest.mark.both_databases
def test_hostile_values_are_refused_as_invalid_never_an_error(client, shelf, backend):
    before = counts()
    for body, field in (
        ({"items": [{"sku": "SKU\x00-1", "on_hand": 1}]}, "items.0.sku"),
        ({"items": [{"sku": shelf.xoi.sku, "on_hand": 1}], "note": "a\x00b"}, "note"),
        ({"items": [{"sku": shelf.xoi.sku, "on_hand": 2**63}]}, "items.0.on_hand"),
        ({"items": [{"sku": shelf.xoi.sku, "adjust": -(2**63)}]}, "items.0.adjust"),
        ({"items": [{"sku": shelf.xoi.sku, "on_hand": 5, "expected_on_hand": 2**40}]}, "items.0.expected_on_hand"),
        ({"items": {"sku": shelf.xoi.sku}}, "items"),
    ):
        refused = client.post("/api/v1/stock", json=body, headers=shelf.headers)
        assert refused.status_code == 422, body
        assert field in [d["field"] for d in refused.json["error"]["details"]], body
    assert client.get("/api/v1/variants?cursor=eyJpZCI6OTk5OTk5OTk5OTk5fQ", headers=shelf.headers).status_code == 422
    assert shelf.figures(shelf.xoi) == (100, 0) and counts() == before


def test_a_body_that_is_not_json_is_400(client, shelf):
    refused = client.post(
        "/api/v1/stock", data="{items:", headers={**shelf.headers, "Content-Type": "application/json"}
    )
    assert refused.status_code == 400 and refused.json["error"]["code"] == "malformed"


@pytest.mark.both_databases
def test_two_calls_at_once_expecting_the_same_figures_one_wins(app, backend, shelf):
    _, second_secret = api_key(producer=shelf.producer, name="Kho dự phòng")
    secrets = [shelf.secret, second_secret]
    ids, skus = [shelf.xoi.id, shelf.com.id], [shelf.xoi.sku, shelf.com.sku]
    db.session.remove()
    start = threading.Barrier(2)
    answers: list = [None, None]

    def call(n: int) -> None:
        items = [
            {"sku": skus[0], "on_hand": 200 + n, "expected_on_hand": 100},
            {"sku": skus[1], "on_hand": 40 + n, "expected_on_hand": 20},
        ]
        client = app.test_client()
        start.wait(timeout=30)
        response = client.post("/api/v1/stock", json={"items": items}, headers=bearer(secrets[n]))
        answers[n] = (response.status_code, response.json)

    threads = [threading.Thread(target=call, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert sorted(a[0] for a in answers) == [200, 409], answers
    winner = [n for n in range(2) if answers[n][0] == 200][0]
    loser = answers[1 - winner][1]["error"]
    assert loser["code"] == "stock_changed"
    assert [d["current"]["on_hand"] for d in loser["details"]] == [200 + winner, 40 + winner]
    db.session.expire_all()
    assert [db.session.get(Variant, i).on_hand for i in ids] == [200 + winner, 40 + winner]
    for variant_id in ids:
        assert ledger_totals(variant_id)[0] == db.session.get(Variant, variant_id).on_hand
    api_moves = select(func.count()).select_from(StockMovement).where(StockMovement.reason == "api")
    assert db.session.scalar(api_moves) == 2
