from __future__ import annotations

from flask import Blueprint, render_template

from shop.admin import services
from shop.web import role_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@role_required("admin")
def dashboard():
    return render_template("admin/dashboard.html", **services.overview())
