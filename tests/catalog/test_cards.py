"""Product cards (shop/catalog/cards.py): read as a few columns, rendered once and kept, never
stale, never carrying what differs between visitors or pages."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import event

from shop.catalog import cards, selection
from shop.catalog.search import refresh_product
from shop.extensions import db
from tests.catalog.conftest import TODAY, make_product


def text(response) -> str:
    return response.get_data(as_text=True)


def card_of(page: str, name: str) -> str:
    """The HTML of the card whose product is called `name` on `page`."""
    for card in re.findall(r'<li class="product-card">.*?</li>', page, re.S):
        if f'<h3 class="product-name">{name}</h3>' in card:
            return card
    raise AssertionError(f"no card for {name!r}")


@pytest.fixture
def tea(app):
    return make_product("Chè sen Quảng An", name_en="Quang An lotus tea", price=180_000, on_hand=5)


def test_load_reads_the_cards_in_the_order_asked_with_their_stock(app, catalog):
    ids = [catalog["dao"].id, catalog["xoi"].id, catalog["draft"].id + 10_000]
    found, stock = cards.load(ids, today=TODAY, with_stock=True)
    assert [card.id for card in found] == ids[:2]  # an id that is no product is left out
    dao, xoi = found
    assert (xoi.name("vi"), xoi.name("en"), xoi.producer_name) == (
        "Xôi Phú Thượng",
        "Phu Thuong sticky rice",
        "HTX Xôi Phú Thượng",
    )
    assert (xoi.stars, xoi.price_from_vnd, xoi.image_path) == (4, 35_000, "img/hero.svg")
    assert xoi.origin == "Phường Phú Thượng, Thành phố Hà Nội"
    assert stock == {dao.id: False, xoi.id: True}  # the peach blossoms have none left


def test_a_lapsed_certificate_shows_no_stars_on_the_card(app, catalog):
    (expired,), _ = cards.load([catalog["expired"].id], today=TODAY)
    assert expired.stars is None


@pytest.mark.parametrize(
    ("language", "old", "new", "price"),
    [
        ("vi", "Chè sen Quảng An", "Chè sen Tây Hồ", "từ 210.000 ₫"),
        ("en", "Quang An lotus tea", "West Lake lotus tea", "from 210.000 ₫"),
    ],
)
def test_a_card_shows_a_new_name_and_price_at_once(client, tea, language, old, new, price):
    headers = {"Accept-Language": language}
    assert old in text(client.get("/products", headers=headers))  # the card is now kept
    tea.name_vi, tea.name_en = "Chè sen Tây Hồ", "West Lake lotus tea"
    tea.variants[0].price_vnd = 210_000
    refresh_product(tea)
    db.session.commit()
    page = text(client.get("/products", headers=headers))
    assert f'<h3 class="product-name">{old}</h3>' not in page
    assert price in card_of(page, new)


def test_a_card_shows_a_new_producer_name_and_picture_though_the_catalog_version_stays(client, tea):
    # Neither moves catalog_state's version (no trigger on them); the card's key holds both.
    client.get("/products")
    tea.producer.name = "HTX Sen Tây Hồ"
    tea.images[0].path = "img/logo.svg"
    db.session.commit()
    card = card_of(text(client.get("/products")), "Chè sen Quảng An")
    assert "HTX Sen Tây Hồ" in card
    assert 'src="/static/img/logo.svg"' in card


@pytest.mark.parametrize(
    ("language", "sold_out", "add"), [("vi", "Hết hàng", "Thêm vào giỏ"), ("en", "Out of stock", "Add to cart")]
)
def test_running_out_and_restocking_show_at_once(client, tea, language, sold_out, add):
    headers = {"Accept-Language": language}
    name = tea.name(language)
    card = card_of(text(client.get("/products", headers=headers)), name)
    assert add in card and sold_out not in card
    tea.variants[0].on_hand = 0  # stock never moves the catalog's version
    db.session.commit()
    page = text(client.get("/products", headers=headers))
    card = card_of(page, name)
    assert sold_out in card and add not in card
    assert 'id="add-to-cart"' not in page  # no button on the page: no form for one
    tea.variants[0].on_hand = 3
    db.session.commit()
    assert add in card_of(text(client.get("/products", headers=headers)), name)


class Forms(HTMLParser):
    """The listing's add-to-cart form (its hidden fields) and each button that submits it."""

    def __init__(self):
        super().__init__()
        self.form: dict | None = None
        self.fields: dict[str, str] = {}
        self.buttons: list[dict] = []
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == "add-to-cart":
            self.form, self._in_form = attrs, True
        elif tag == "input" and self._in_form:
            self.fields[attrs["name"]] = attrs.get("value", "")
        elif tag == "button" and attrs.get("form") == "add-to-cart":
            self.buttons.append(attrs)

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False


def test_one_form_and_one_token_serve_every_card_button(client, catalog):
    page = text(client.get("/products?sort=price_asc"))
    forms = Forms()
    forms.feed(page)
    assert forms.form["method"] == "post" and forms.form["action"] == "/cart/add"
    assert forms.fields.keys() == {"csrf_token", "next"}
    assert forms.fields["next"] == "/products?sort=price_asc"  # the way back is the page's, not the card's
    in_stock = {catalog[name].id for name in ("xoi", "che_sen")}
    assert in_stock <= {int(button["value"]) for button in forms.buttons}
    assert all(button["name"] == "product_id" and button["type"] == "submit" for button in forms.buttons)
    # Two forms post on the page: this one and the language switch, one token each.
    assert page.count('name="csrf_token"') == 2
    for card in re.findall(r'<li class="product-card">.*?</li>', page, re.S):
        assert "csrf_token" not in card and 'name="next"' not in card


def test_a_card_button_adds_its_product_to_the_cart(client, catalog):
    forms = Forms()
    forms.feed(text(client.get("/products")))
    xoi = next(button for button in forms.buttons if int(button["value"]) == catalog["xoi"].id)
    response = client.post("/cart/add", data={**forms.fields, xoi["name"]: xoi["value"]})
    assert response.status_code == 302 and response.headers["Location"] == "/products"
    cart = text(client.get("/cart"))
    assert "Xôi Phú Thượng" in cart


def test_cards_are_rendered_once_and_reused_by_other_pages(client, app, catalog):
    client.get("/products")
    kept = dict(app.extensions["product_cards"])
    assert len(kept) == 7  # the listed products, in Vietnamese, with their stock
    client.get(f"/origins/01/{catalog['xoi'].ward_code:05d}")
    client.get("/products?sort=newest")
    assert all(app.extensions["product_cards"][key] is html for key, html in kept.items())


def test_the_kept_cards_are_bounded(client, app, catalog, monkeypatch):
    monkeypatch.setattr(cards, "CACHE_SIZE", 3)
    client.get("/products")
    assert len(app.extensions["product_cards"]) <= 3


def test_the_listing_html_stays_under_40_kb(client, app):
    for n in range(30):  # more than a page, with long Vietnamese names
        make_product(f"Xôi xéo đậu xanh hành phi Phú Thượng đặc biệt số {n}", name_en=f"Special sticky rice {n}")
    for language in ("vi", "en"):
        size = len(client.get("/products", headers={"Accept-Language": language}).data)
        assert size <= 40 * 1024, (language, size)


@pytest.fixture
def statements(app):
    found = []

    def record(conn, cursor, statement, *args):
        found.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    yield found
    event.remove(db.engine, "before_cursor_execute", record)


@pytest.mark.both_databases
def test_the_product_page_reads_each_thing_once(client, catalog, statements):
    url = f"/products/{catalog['che_sen'].slug}"
    client.get("/products")  # the first visit reads the catalog's columns
    client.get(f"/products/{catalog['xoi'].slug}")  # the first product page, every product's place
    statements.clear()
    page = text(client.get(url))
    # One statement: the product with its producer, packs, pictures and certificates, its
    # neighbours' cards (chosen from the columns, where its slug found it) and the catalog's
    # version (which checks those columns). Nothing read twice, nothing on its own.
    assert len(statements) == 1, "\n\n".join(statements)
    for table in ("producers", "variants", "product_images", "certificates", "catalog_state"):
        assert re.search(rf"\b(JOIN|FROM) {table}\b", statements[0]), table
    neighbours = page.split('id="same-origin-heading"')[1]
    assert [name for name in re.findall(r'<h3 class="product-name">([^<]+)</h3>', neighbours)] == [
        "Hoa đào Nhật Tân",
        "Mứt sen mới",
        "Xôi Phú Thượng",
        "Xơi lá cẩm",
    ]


@pytest.mark.both_databases
def test_a_product_page_the_kept_columns_do_not_know_yet_still_shows_its_neighbours(client, catalog, statements):
    client.get(f"/products/{catalog['xoi'].slug}")  # columns and places kept, as they are now
    newer = make_product("Chè sen mới hái", province=1, ward=103, stars=5)  # moves the catalog's version
    url = f"/products/{newer.slug}"
    statements.clear()
    page = text(client.get(url))
    # Its slug was not found: the product is read first, then its neighbours from fresh columns.
    assert len(statements) > 1
    neighbours = page.split('id="same-origin-heading"')[1]
    names = re.findall(r'<h3 class="product-name">([^<]+)</h3>', neighbours)
    assert names[0] == "Chè Sen Quảng An" and len(names) == 4  # of its ward, with the most stars
    statements.clear()
    again = text(client.get(url))
    assert len(statements) == 1  # the fresh columns know it now
    assert again.split('id="same-origin-heading"')[1] == neighbours


@pytest.mark.both_databases
def test_a_listing_is_one_statement_and_still_sees_a_change_made_meanwhile(client, catalog, statements):
    client.get("/products")
    statements.clear()
    assert client.get("/products?sort=relevance").status_code == 200
    # The page's cards, their stock and the catalog's version, in one statement: the facets and
    # the order came from this process's copy of the columns, which that version vouches for.
    assert len(statements) == 1
    assert "catalog_state" in statements[0]
    make_product("Xôi mới ra lò", price=20_000)  # the catalog changes after the copy was made
    page = text(client.get("/products?sort=price_asc"))
    assert "Xôi mới ra lò" in card_of(page, "Xôi mới ra lò")
    assert ">8 sản phẩm<" in page  # the count too: 7 before


def tricky_cards() -> list[cards.CardProduct]:
    """Cards of every kind, with values that need escaping (and braces, and percent signs)."""
    found = []
    for n, (image, stars, price) in enumerate(
        [("img/hero.svg", 4, 35_000), (None, None, None), ("img/a b&c.svg", 5, 0), ("", 3, 1_200_000)]
    ):
        found.append(
            cards.CardProduct(
                id=100 + n,
                slug=f"xoi-{n}",
                name_vi=f'Xôi <b>"đặc biệt"</b> & {{ngon}} {n}',
                name_en=None if n % 2 else f"Sticky rice 100% {{n}} 'best' {n}",
                producer_name="HTX <Phú Thượng> & Co {0}",
                province_code=1,
                ward_code=91,
                price_from_vnd=price,
                stars=stars,
                image_path=image,
                image_alt_vi='Ảnh "xôi" <1>' if image else None,
                image_alt_en=None,
            )
        )
    return found


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_card_filled_in_from_its_shape_is_the_card_the_template_renders(app, language):
    with app.test_request_context(headers={"Accept-Language": language}):
        card = app.jinja_env.get_template("macros/catalog.html").module.card
        texts = cards.CardTexts(language)
        for product in tricky_cards():
            for stock in (None, True, False):
                in_stock = None if stock is None else {product.id: stock}
                assert cards.render([product], language, in_stock) == card(product, texts, stock)


def aside(page: str) -> str:
    return re.search(r'<aside class="facets".*?</aside>', page, re.S).group(0)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_filter_sidebar_is_kept_with_its_listing_and_is_the_same_markup(client, app, catalog, language):
    headers = {"Accept-Language": language}
    first = aside(text(client.get("/products?stars=4&sort=newest", headers=headers)))  # rendered and kept
    again = aside(text(client.get("/products?stars=4&sort=newest&page=2", headers=headers)))  # another page
    assert again == first
    assert sum(key[0] == "facets" for key in selection.catalog_columns(TODAY).selections) == 1
    other = aside(text(client.get("/products?stars=5", headers=headers)))
    assert other != first and 'value="5" checked' in other
    # Stock is not in what is kept: a listing of products in stock builds its sidebar each time.
    client.get("/products?in_stock=1", headers=headers)
    assert sum(key[0] == "facets" for key in selection.catalog_columns(TODAY).selections) == 2
