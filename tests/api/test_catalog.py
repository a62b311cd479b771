"""The public catalog API: products listed and searched as the /products page lists them, paged
by cursor; one product with its packs and certificate; producers; origins."""

from __future__ import annotations

import base64
import contextlib
import json
from datetime import timedelta

import pytest
from sqlalchemy import event
from werkzeug.datastructures import MultiDict

from shop.catalog.listing import SORTS, Filters, list_products
from shop.extensions import db
from tests.catalog.conftest import TODAY, build_catalog
from tests.support.api import api_key, bearer
from tests.support.builders import a_producer, make_product

PRODUCTS = "/api/v1/products"


@pytest.fixture
def catalog(app):
    return build_catalog()


def all_pages(client, limit: int = 3, **params) -> list[int]:
    """The ids of every product the API lists for `params`, following next_cursor page by page."""
    ids, cursor = [], None
    for _ in range(200):
        query = {**params, "limit": limit, **({"cursor": cursor} if cursor else {})}
        response = client.get(PRODUCTS, query_string=query)
        assert response.status_code == 200, response.json
        page = response.json["data"]
        assert len(page) <= limit
        ids += [item["id"] for item in page]
        cursor = response.json["next_cursor"]
        if cursor is None:
            return ids
        assert len(page) == limit  # only a full page says there is more
    raise AssertionError("the cursor never ran out")


def page_ids(args: dict) -> list[int]:
    """Every product the /products page shows for its query string `args`, in its order."""
    listing = list_products(Filters.from_args(MultiDict(args)), today=TODAY, page_size=1_000)
    return [p.id for p in listing.products]


def more_products(n: int = 12) -> None:
    """Enough products for several pages, with ties on price and stars, one without a price and
    one featured."""
    for k in range(n):
        make_product(
            f"Xôi thêm {k}",
            stars=(3, 4, 5, None)[k % 4],
            price=30_000 + k % 3 * 5_000,
            group="thuc-pham",
            subgroup_code="che-bien-tu-gao" if k % 2 else None,
            published_days_ago=k % 5,
        )
    make_product("Xôi chưa có giá", stars=None).price_from_vnd = None  # where does a missing price sort?
    make_product("Trà xanh nổi bật", stars=4, group="do-uong", featured=True)
    db.session.commit()


# --- The list: the page's filters and order -----------------------------------------------------


@pytest.mark.parametrize(
    ("page_args", "api_args"),
    [
        ({}, {}),
        ({"stars": ["4", "5"]}, {"stars": [5, 4]}),
        ({"group": "do-uong", "sort": "price_desc"}, {"group": "do-uong", "sort": "price_desc"}),
        ({"province": "14"}, {"province": 14}),
        ({"producer": "htx-xoi-phu-thuong", "sort": "newest"}, {"producer": "htx-xoi-phu-thuong", "sort": "newest"}),
        ({"min_price": "35000", "max_price": "200000"}, {"min_price_vnd": 35_000, "max_price_vnd": 200_000}),
        ({"in_stock": "1", "sort": "stars"}, {"in_stock": "true", "sort": "stars"}),
        ({"group": "thuc-pham", "subgroup": "che-bien-tu-gao"}, {"group": "thuc-pham", "subgroup": "che-bien-tu-gao"}),
        ({"q": "xoi"}, {"q": "xoi"}),
        ({"q": "chè", "stars": ["4", "5"], "sort": "price_asc"}, {"q": "chè", "stars": [4, 5], "sort": "price_asc"}),
    ],
)
def test_filters_give_the_products_the_page_shows_in_its_order(client, catalog, page_args, api_args):
    more_products()
    if "producer" in api_args:  # the page names a producer by its slug, the API by its id
        api_args["producer"] = catalog["xoi"].producer_id
    expected = page_ids(page_args)
    assert expected  # every case keeps something
    assert all_pages(client, **api_args) == expected


def test_a_ward_keeps_the_products_from_there(client, catalog):
    ids = all_pages(client, province=1, ward=103)
    assert set(ids) == {catalog["che_sen"].id, catalog["dao"].id, catalog["pending"].id}
    # As the origin page of the ward lists them, and in its order.
    listing = list_products(Filters(province=1, ward=103), today=TODAY, with_facets=False, page_size=100)
    assert ids == [p.id for p in listing.products] == all_pages(client, ward=103)


@pytest.mark.parametrize("sort", SORTS)
def test_paging_with_the_cursor_gives_each_product_once_in_the_page_order(client, catalog, sort):
    more_products(15)
    ids = all_pages(client, limit=4, sort=sort)
    assert ids == page_ids({"sort": sort})
    assert len(ids) == len(set(ids)) > 20


def test_a_product_published_while_paging_is_not_given_twice_and_the_rest_follow_on(client, catalog):
    more_products()
    first = client.get(PRODUCTS, query_string={"sort": "price_asc", "limit": 5}).json
    make_product("Rẻ nhất mới đăng", price=1_000)  # sorts before the page already read
    rest = all_pages(client, limit=5, sort="price_asc", cursor=first["next_cursor"])
    seen = [item["id"] for item in first["data"]]
    assert not set(seen) & set(rest)
    assert seen + rest == [i for i in page_ids({"sort": "price_asc"}) if i in seen + rest]


@pytest.mark.both_databases
def test_search_finds_with_or_without_diacritics_as_the_page_does(client, backend, catalog):
    more_products(5)
    for q in ("xoi phu thuong", "Xôi", "xoi phu th", "chè sen", "mộc châu", "htx"):
        found = all_pages(client, limit=2, q=q)
        assert found == page_ids({"q": q}), q
    assert all_pages(client, q="xoi phu th")[0] == catalog["xoi"].id
    assert all_pages(client, q="không có gì như thế") == []
    assert all_pages(client, q="!!!") == []  # punctuation alone matches nothing, not everything


def test_an_item_says_what_a_card_shows_with_absolute_links(client, catalog):
    xoi = catalog["xoi"]
    response = client.get(PRODUCTS, query_string={"q": "xôi phú thượng"})
    item = next(i for i in response.json["data"] if i["id"] == xoi.id)
    assert item == {
        "id": xoi.id,
        "slug": xoi.slug,
        "name": "Xôi Phú Thượng",
        "name_vi": "Xôi Phú Thượng",
        "name_en": "Phu Thuong sticky rice",
        "group": "thuc-pham",
        "subgroup": None,
        "star_level": 4,
        "price_min_vnd": 35_000,
        "price_max_vnd": 35_000,
        "in_stock": True,
        "producer": {"id": xoi.producer_id, "name": "HTX Xôi Phú Thượng"},
        "origin": {
            "province_code": 1,
            "province_name": "Thành phố Hà Nội",
            "ward_code": 91,
            "ward_name": "Phường Phú Thượng",
            "former_name": None,
            "craft_village": "Làng nghề Xôi Phú Thượng",
        },
        "image_url": "http://shop.test/static/img/hero.svg",
        "url": f"http://shop.test/products/{xoi.slug}",
    }
    english = client.get(PRODUCTS, query_string={"q": "xoi phu thuong"}, headers={"Accept-Language": "en"})
    assert english.json["data"][0]["name"] == "Phu Thuong sticky rice"


def test_stars_show_only_with_a_verified_certificate_valid_today(client, catalog):
    by_id = {i["id"]: i for i in client.get(PRODUCTS, query_string={"limit": 100}).json["data"]}
    assert by_id[catalog["che_sen"].id]["star_level"] == 5
    assert by_id[catalog["expired"].id]["star_level"] is None
    assert by_id[catalog["pending"].id]["star_level"] is None
    four = all_pages(client, stars=4)
    assert catalog["xoi"].id in four and catalog["expired"].id not in four and catalog["pending"].id not in four
    assert by_id[catalog["dao"].id]["in_stock"] is False  # its only pack is sold out


def test_drafts_and_products_of_inactive_producers_are_not_listed(client, catalog):
    gone = make_product("Chè của HTX tạm ngừng", producer=a_producer(status="suspended"))
    ids = all_pages(client, limit=100)
    assert catalog["draft"].id not in ids and gone.id not in ids
    assert catalog["xoi"].id in ids


# --- The list: bad input -------------------------------------------------------------------------


def _cursor(position) -> str:
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"sort": "cheapest"}, "sort"),
        ({"stars": 6}, "stars.0"),
        ({"stars": 2}, "stars.0"),
        ({"stars": "many"}, "stars.0"),
        ({"limit": 101}, "limit"),
        ({"limit": 0}, "limit"),
        ({"group": "banh-keo"}, "group"),
        ({"subgroup": "hoa", "group": "thuc-pham"}, "subgroup"),
        ({"province": 99}, "province"),
        ({"province": "ha-noi"}, "province"),
        ({"ward": 3980, "province": 1}, "ward"),
        ({"ward": 999999}, "ward"),
        ({"min_price_vnd": -1}, "min_price_vnd"),
        ({"min_price_vnd": 50_000, "max_price_vnd": 10_000}, "max_price_vnd"),
        ({"in_stock": "perhaps"}, "in_stock"),
        ({"q": "x" * 201}, "q"),
        ({"producer": 2**40}, "producer"),
        ({"max_price_vnd": 10**20}, "max_price_vnd"),
        ({"cursor": "not a cursor"}, "cursor"),
        ({"cursor": _cursor([1, 2])}, "cursor"),
        ({"cursor": _cursor({"query": "x", "after": [1]})}, "cursor"),
    ],
)
def test_bad_query_values_are_422_naming_the_field(client, catalog, query, field):
    response = client.get(PRODUCTS, query_string=query)
    assert response.status_code == 422, response.json
    assert response.json["error"]["code"] == "invalid"
    assert field in [d["field"] for d in response.json["error"]["details"]]


def test_a_cursor_is_for_its_own_query_and_a_forged_one_is_422(client, catalog):
    more_products()
    cursor = client.get(PRODUCTS, query_string={"sort": "price_asc", "limit": 2}).json["next_cursor"]
    other = client.get(PRODUCTS, query_string={"sort": "newest", "limit": 2, "cursor": cursor})
    assert other.status_code == 422 and other.json["error"]["details"][0]["field"] == "cursor"
    position = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    for forged in (["cheap", 3], [10**30, 3], [True, 3], [1, 2, 3], "x"):
        response = client.get(
            PRODUCTS, query_string={"sort": "price_asc", "cursor": _cursor({**position, "after": forged})}
        )
        assert response.status_code == 422, forged
    newest = client.get(PRODUCTS, query_string={"sort": "newest", "limit": 2}).json["next_cursor"]
    position = json.loads(base64.urlsafe_b64decode(newest + "=" * (-len(newest) % 4)))
    forged = {**position, "after": ["yesterday", 1]}
    assert client.get(PRODUCTS, query_string={"sort": "newest", "cursor": _cursor(forged)}).status_code == 422


def test_an_unknown_producer_lists_nothing(client, catalog):
    response = client.get(PRODUCTS, query_string={"producer": 999_999})
    assert response.status_code == 200 and response.json == {"data": [], "next_cursor": None}


def test_a_key_that_is_sent_must_be_valid_but_none_is_needed(client, catalog):
    _, secret = api_key(producer=catalog["xoi"].producer)
    assert client.get(PRODUCTS, headers=bearer(secret)).status_code == 200
    assert client.get(PRODUCTS, headers=bearer("ocop_" + "x" * 43)).status_code == 401


# --- Statements ----------------------------------------------------------------------------------


@contextlib.contextmanager
def statements():
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


@pytest.mark.parametrize(
    "query", [{}, {"sort": "newest"}, {"q": "xoi", "stars": [3, 4, 5]}, {"producer": None, "in_stock": "true"}]
)
def test_a_page_takes_the_same_few_statements_whatever_its_size_and_writes_nothing(client, catalog, query):
    more_products(20)
    if "producer" in query:
        query["producer"] = catalog["xoi"].producer_id
        for k in range(12):
            make_product(f"Xôi của HTX {k}", producer=catalog["xoi"].producer)
    counts = []
    for limit in (1, 10):
        with statements() as seen:
            first = client.get(PRODUCTS, query_string={**query, "limit": limit})
        assert len(first.json["data"]) == limit
        with statements() as later:
            client.get(PRODUCTS, query_string={**query, "limit": limit, "cursor": first.json["next_cursor"]})
        counts.append((len(seen), len(later)))
        assert all(s.lstrip().upper().startswith("SELECT") for s in seen + later), seen + later
    assert counts[0] == counts[1]
    assert counts[0][0] <= 2


# --- One product ---------------------------------------------------------------------------------


def test_a_product_has_its_packs_certificate_origin_and_pictures(client, catalog):
    che = catalog["che_sen"]
    che.variants[0].reserved = 4
    che.shelf_life_days, che.season_start_month, che.season_end_month = 365, 12, 2
    db.session.commit()
    response = client.get(f"{PRODUCTS}/{che.id}")
    assert response.status_code == 200
    body = response.json
    assert body["name"] == "Chè Sen Quảng An" and body["star_level"] == 5
    assert body["variants"] == [
        {"sku": che.variants[0].sku, "name": "Gói 1", "price_vnd": 450_000, "weight_g": 500, "in_stock": True,
         "max_quantity": 6}
    ]  # fmt: skip
    assert body["price_min_vnd"] == body["price_max_vnd"] == 450_000
    assert body["certificate"]["star_level"] == 5 and body["certificate"]["valid_now"] is True
    assert body["certificate"]["status"] == "valid"
    assert body["certificate"]["issuer_level"] == "central"
    assert body["certificate"]["decision_date"] == (TODAY - timedelta(days=200)).isoformat()
    assert body["origin"]["former_name"] == "Phường Quảng An (cũ)"
    assert body["origin"]["ward_name"] == "Phường Tây Hồ"
    assert body["images"] == [{"url": "http://shop.test/static/img/hero.svg", "alt": "Ảnh Chè Sen Quảng An"}]
    assert body["url"] == f"http://shop.test/products/{che.slug}"
    assert body["season"] == {"start_month": 12, "end_month": 2}
    assert body["shelf_life_days"] == 365 and body["perishable"] is False


def test_an_expired_certificate_shows_no_star_level(client, catalog):
    body = client.get(f"{PRODUCTS}/{catalog['expired'].id}").json
    assert body["star_level"] is None
    assert body["certificate"]["valid_now"] is False and body["certificate"]["status"] == "lapsed"
    pending = client.get(f"{PRODUCTS}/{catalog['pending'].id}").json
    assert pending["star_level"] is None and pending["certificate"]["status"] == "pending"
    assert client.get(f"{PRODUCTS}/{catalog['xoi_la'].id}").json["certificate"] is None


def test_out_of_stock_packs_say_so(client, catalog):
    body = client.get(f"{PRODUCTS}/{catalog['dao'].id}").json
    assert body["in_stock"] is False
    assert [(v["in_stock"], v["max_quantity"]) for v in body["variants"]] == [(False, 0)]


def test_a_fresh_product_is_perishable(client, catalog):
    xoi = catalog["xoi"]
    xoi.shelf_life_days = 1
    db.session.commit()
    body = client.get(f"{PRODUCTS}/{xoi.id}").json
    assert body["perishable"] is True and body["shelf_life_days"] == 1


def test_products_the_shop_does_not_show_are_404_as_their_pages_are(client, catalog):
    hidden = make_product("Chè của HTX tạm ngừng", producer=a_producer(status="suspended"))
    archived = make_product("Xôi cũ", status="archived")
    for product in (catalog["draft"], hidden, archived):
        assert client.get(f"/products/{product.slug}").status_code == 404
        response = client.get(f"{PRODUCTS}/{product.id}")
        assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
    for unknown in ("999999", "99999999999999999999999", "abc", "-1"):
        assert client.get(f"{PRODUCTS}/{unknown}").status_code == 404


# --- Producers -----------------------------------------------------------------------------------


def test_producers_are_the_active_ones_paged_by_cursor_with_their_product_counts(client, catalog):
    suspended = a_producer(status="suspended", name="HTX tạm ngừng")
    extra = [a_producer(name=f"HTX mới {n}") for n in range(4)]
    seen, cursor = [], None
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = client.get("/api/v1/producers", query_string=query).json
        seen += body["data"]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    ids = [p["id"] for p in seen]
    assert ids == sorted(ids) and len(ids) == len(set(ids)) == 7
    assert suspended.id not in ids and extra[0].id in ids
    counts = {p["name"]: p["product_count"] for p in seen}
    # Xôi Phú Thượng, Xơi lá cẩm, Bánh cốm cũ (its stars lapsed, still listed); the draft is not counted.
    assert counts["HTX Xôi Phú Thượng"] == 3
    assert counts["HTX Chè Sen Quảng An"] == 3 and counts["HTX mới 0"] == 0
    first = seen[0]
    assert first["url"] == f"http://shop.test/producers/{first['slug']}" and first["kind"] == "cooperative"


def test_a_producer_is_shown_as_its_page_shows_it(client, catalog):
    producer = catalog["xoi"].producer
    producer.story_vi, producer.story_en = "Làng xôi bên sông Hồng.", "A sticky rice village by the Red River."
    producer.craft_village = "Làng nghề Xôi Phú Thượng"
    db.session.commit()
    body = client.get(f"/api/v1/producers/{producer.id}").json
    assert body["name"] == "HTX Xôi Phú Thượng" and body["product_count"] == 3
    assert body["story"] == "Làng xôi bên sông Hồng."
    assert body["origin"]["craft_village"] == "Làng nghề Xôi Phú Thượng"
    assert body["tax_code"] == producer.tax_code
    english = client.get(f"/api/v1/producers/{producer.id}", headers={"Accept-Language": "en"}).json
    assert english["story"] == "A sticky rice village by the Red River." and english["kind_name"] == "Co-operative"


def test_inactive_or_unknown_producers_are_404(client, catalog):
    suspended = a_producer(status="suspended")
    for producer_id in (suspended.id, 999_999, 10**20):
        response = client.get(f"/api/v1/producers/{producer_id}")
        assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
    assert client.get("/api/v1/producers", query_string={"cursor": _cursor({"after_id": "x"})}).status_code == 422
    assert client.get("/api/v1/producers", query_string={"limit": 500}).status_code == 422


# --- Origins -------------------------------------------------------------------------------------


def test_origins_are_the_34_provinces_with_their_product_counts(client, catalog):
    body = client.get("/api/v1/origins").json
    assert len(body["data"]) == 34
    by_code = {p["code"]: p for p in body["data"]}
    # Hà Nội: everything listed but Mộc Châu (the draft is not listed).
    assert by_code[1]["name"] == "Thành phố Hà Nội" and by_code[1]["product_count"] == 6
    assert by_code[14]["product_count"] == 1 and by_code[1]["url"] == "http://shop.test/origins/01"
    assert sum(p["product_count"] for p in body["data"]) == 7


def test_a_province_lists_its_communes_and_wards(client, catalog):
    body = client.get("/api/v1/origins/01").json
    assert body["code"] == 1 and body["product_count"] == 6
    wards = {w["code"]: w for w in body["wards"]}
    assert wards[103]["name"] == "Phường Tây Hồ" and wards[103]["product_count"] == 3
    assert wards[91]["product_count"] == 3
    assert len(wards) > 100 and 3980 not in wards
    for unknown in ("99", "0", "abc"):
        response = client.get(f"/api/v1/origins/{unknown}")
        assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


def test_the_description_documents_every_catalog_endpoint_with_examples(client):
    spec = client.get("/api/v1/openapi.json").json
    for path in ("/products", "/products/{product_id}", "/producers", "/producers/{producer_id}", "/origins"):
        operation = spec["paths"]["/api/v1" + path]["get"]
        assert operation["summary"] and "example" in operation["responses"]["200"]["content"]["application/json"]
    parameters = {p["name"]: p for p in spec["paths"]["/api/v1/products"]["get"]["parameters"]}
    assert {
        "q",
        "group",
        "subgroup",
        "stars",
        "province",
        "ward",
        "producer",
        "in_stock",
        "sort",
        "cursor",
        "limit",
    } <= set(parameters)
    assert parameters["sort"]["schema"]["enum"] == list(SORTS)
