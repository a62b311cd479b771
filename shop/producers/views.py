from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from shop.web import role_required

bp = Blueprint("producers", __name__, url_prefix="/producer")


@bp.route("/")
@role_required("producer")
def dashboard():
    memberships = sorted(current_user.producer_memberships, key=lambda m: m.producer.name)
    return render_template("producers/dashboard.html", memberships=memberships)
