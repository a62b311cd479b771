from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import get_locale

from shop.catalog import services as catalog

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    sections = catalog.home_sections(today=catalog.today_vn())
    return render_template("main/index.html", locale=str(get_locale()), **sections)


@bp.route("/healthz")
def healthz():
    return {"status": "ok"}
