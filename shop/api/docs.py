"""/api/v1/docs: the API's OpenAPI description shown to people. The page is rendered on the server
from the same dict `/api/v1/openapi.json` serves (`spec_of`), so it follows the endpoints as they
change; it has no script and loads nothing from elsewhere. What it shows: docs_reader.py; the
description's text as HTML: docs_text.py."""

from __future__ import annotations

from flask import Blueprint, current_app, make_response, render_template
from flask_babel import get_locale
from markupsafe import Markup

from shop.api import spec_of
from shop.api.docs_reader import reference

bp = Blueprint("api_reference", __name__)


@bp.get("/docs")
def docs():
    """The API reference, for people."""
    response = make_response(render_template("api/docs.html", reference=rendered_reference()))
    # The layout names a logged-in visitor: no shared cache keeps it (the site's default for
    # personal pages is not applied under /api/).
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def rendered_reference() -> Markup:
    """The reference's HTML in the request's language. The app's description is fixed once the
    app is built, so it is rendered once per language and kept with the app (the site's layout
    around it, which names the visitor, is rendered on each request)."""
    kept = current_app.extensions.setdefault("api_reference", {})
    language = str(get_locale())
    if language not in kept:
        page = reference(spec_of(current_app))
        kept[language] = Markup(render_template("api/_reference_page.html", page=page))  # noqa: S704 (escaped by Jinja)
    return kept[language]
