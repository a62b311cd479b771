"""WCAG 2.5.3 (label in name): an "Add to cart" button's accessible name starts with the words it
shows, so a voice-control user who says what they see presses it."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.support.builders import make_product


class AddButtons(HTMLParser):
    """(visible text, accessible name) of each submit button of a form posting to /cart/add."""

    def __init__(self):
        super().__init__()
        self.buttons: list[tuple[str, str]] = []
        self._in_add_form = False
        self._button: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._in_add_form = (attrs.get("action") or "").endswith("/cart/add")
        elif tag == "button" and self._in_add_form:
            self._button = {"label": attrs.get("aria-label"), "text": ""}

    def handle_data(self, data):
        if self._button is not None:
            self._button["text"] += data

    def handle_endtag(self, tag):
        if tag == "button" and self._button is not None:
            text = " ".join(self._button["text"].split())
            name = " ".join((self._button["label"] or text).split())
            self.buttons.append((text, name))
            self._button = None
        elif tag == "form":
            self._in_add_form = False


def add_buttons(html: str) -> list[tuple[str, str]]:
    parser = AddButtons()
    parser.feed(html)
    return parser.buttons


@pytest.fixture
def tea(app):
    return make_product("Chè sen Quảng An", name_en="Quang An lotus tea", extra_prices=(180_000,), on_hand=5)


@pytest.mark.parametrize(
    ("language", "visible", "product_name"),
    [("vi", "Thêm vào giỏ", "Chè sen Quảng An"), ("en", "Add to cart", "Quang An lotus tea")],
)
@pytest.mark.parametrize("where", ["product", "listing"])
def test_add_to_cart_names_start_with_what_the_button_shows(client, tea, language, visible, product_name, where):
    url = {"product": f"/products/{tea.slug}", "listing": "/products"}[where]
    html = client.get(url, headers={"Accept-Language": language}).get_data(as_text=True)
    buttons = add_buttons(html)
    assert buttons, f"no add-to-cart button on {url}"
    for text, name in buttons:
        assert text == visible
        assert name.startswith(f"{visible}: {product_name}"), name
    if where == "product":  # one button per pack, each naming it
        variant = tea.variants[0].name(language)
        assert (visible, f"{visible}: {product_name} — {variant}") in buttons
