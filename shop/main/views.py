from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import get_locale

from shop import clock
from shop.catalog.pages import home_sections
from shop.page_cache import cached_for_anonymous

bp = Blueprint("main", __name__)


@bp.route("/")
@cached_for_anonymous()
def index():
    sections = home_sections(today=clock.today())
    return render_template("main/index.html", locale=str(get_locale()), **sections)


@bp.route("/healthz")
def healthz():
    return {"status": "ok"}
