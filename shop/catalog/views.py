from __future__ import annotations

from flask import Blueprint, render_template, request

bp = Blueprint("catalog", __name__)

MAX_QUERY_LENGTH = 200


@bp.route("/products")
def products():
    # No products are listed yet (the catalog issue adds them); the page says so plainly.
    query = (request.args.get("q") or "")[:MAX_QUERY_LENGTH]
    return render_template("catalog/products.html", query=query)
