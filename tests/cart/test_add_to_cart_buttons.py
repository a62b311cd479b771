"""WCAG 2.5.3 (label in name): an "Add to cart" button's accessible name starts with the words it
shows, so a voice-control user who says what they see presses it."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.support.builders import make_product


class AddButtons(HTMLParser):
    """(visible text, accessible name) of each button that submits a form posting to /cart/add:
    a button inside such a form, or one that names it with the `form` attribute (the listing's
    cards share one form)."""

    def __init__(self):
        super().__init__()
        self.actions: dict[str, str] = {}  # form id -> action
        self.found: list[tuple[str | None, str, str]] = []  # (form it names, or None; text; name)
        self._inside: str | None = None  # the action of the form the parser is in
        self._button: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._inside = attrs.get("action") or ""
            if attrs.get("id"):
                self.actions[attrs["id"]] = self._inside
        elif tag == "button":
            names = attrs.get("form")
            if names is not None or (self._inside or "").endswith("/cart/add"):
                self._button = {"form": names, "label": attrs.get("aria-label"), "text": ""}

    def handle_data(self, data):
        if self._button is not None:
            self._button["text"] += data

    def handle_endtag(self, tag):
        if tag == "button" and self._button is not None:
            text = " ".join(self._button["text"].split())
            name = " ".join((self._button["label"] or text).split())
            self.found.append((self._button["form"], text, name))
            self._button = None
        elif tag == "form":
            self._inside = None

    @property
    def buttons(self) -> list[tuple[str, str]]:
        return [
            (text, name)
            for form, text, name in self.found
            if form is None or self.actions.get(form, "").endswith("/cart/add")
        ]


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
