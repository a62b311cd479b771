from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from shop.web import role_required

bp = Blueprint("partners", __name__, url_prefix="/partner")


@bp.route("/")
@role_required("partner")
def dashboard():
    memberships = sorted(current_user.partner_memberships, key=lambda m: m.partner.name)
    return render_template("partners/dashboard.html", memberships=memberships)
