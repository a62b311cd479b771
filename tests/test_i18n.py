"""The templates' gettext (shop/i18n.py): the request's language, or the one force_locale sets."""

from __future__ import annotations

import pytest
from flask import render_template_string
from flask_babel import force_locale

PAGE = '{{ _("Add to cart") }} · {{ ngettext("%(num)d product", "%(num)d products", 2) }}'
SAID = {"vi": "Thêm vào giỏ · 2 sản phẩm", "en": "Add to cart · 2 products"}


@pytest.mark.parametrize(("language", "forced"), [("vi", "en"), ("en", "vi")])
def test_templates_speak_the_request_language_and_a_forced_one_inside_it(app, language, forced):
    # A request of its own (its own `g`), as a server runs it.
    with app.app_context(), app.test_request_context(headers={"Accept-Language": language}):
        assert render_template_string(PAGE) == SAID[language]
        with force_locale(forced):  # as mail to a shopper of the other language is rendered
            assert render_template_string(PAGE) == SAID[forced]
        assert render_template_string(PAGE) == SAID[language]


def test_template_gettext_escapes_the_variables_of_html_but_not_of_text(app):
    page = '{{ _("Results for “%(q)s”", q=q) }} {{ ngettext("%(num)d product", "%(num)d products", n) }}'
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "en"}):
        html = app.jinja_env.from_string(page).render(q="<b>xôi</b> & chè", n=1)
        text = app.jinja_env.overlay(autoescape=False).from_string(page).render(q="<b>xôi</b> & chè", n=3)
    assert html == "Results for “&lt;b&gt;xôi&lt;/b&gt; &amp; chè” 1 product"
    assert text == "Results for “<b>xôi</b> & chè” 3 products"
