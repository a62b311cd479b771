import pytest

from shop.money import format_vnd


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (125000, "125.000 ₫"),
        (0, "0 ₫"),
        (999, "999 ₫"),
        (1000, "1.000 ₫"),
        (12500000, "12.500.000 ₫"),
        (-35000, "-35.000 ₫"),
    ],
)
def test_prices_show_with_dot_thousands_and_the_dong_sign(amount, shown):
    assert format_vnd(amount) == shown


@pytest.mark.parametrize("amount", [125000.0, "125000", None, True])
def test_only_integer_dong_can_be_shown_as_a_price(amount):
    with pytest.raises(TypeError):
        format_vnd(amount)


def test_the_vnd_filter_is_the_same_in_english(app):
    from flask import render_template_string
    from flask_babel import force_locale

    with app.test_request_context("/"), force_locale("en"):
        assert render_template_string("{{ 125000|vnd }}") == "125.000 ₫"
