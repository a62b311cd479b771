from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("cart", __name__)


@bp.route("/cart")
def show():
    return render_template("cart/show.html")
