"""The producer's sales: revenue, orders and units over 7, 30 or 90 days, the daily revenue as a
chart with the same figures in a table, top products, stock alerts and shipments waiting; and
the dashboard's panel with the last 7 days."""

from __future__ import annotations

from flask import g, render_template, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from shop.portal import sales
from shop.portal.access import producer_required
from shop.portal.views import bp, dashboard_panels, portal_nav
from shop.web import no_store

portal_nav.add(50, "producers.sales", _l("Sales"))


@dashboard_panels.add(40)
def _sales_panel(producer, membership):
    """The last 7 days in three figures (shipments waiting and low stock have panels of their own)."""
    return "portal/sales/_panel.html", {"figures": sales.summary(producer.id, (7,))[7]}


@bp.route("/sales", endpoint="sales")
@producer_required
@no_store
def sales_page():
    try:
        days = int(request.args.get("days", 30))
    except ValueError:
        days = 30
    if days not in sales.PERIODS:
        days = 30
    locale = str(get_locale())
    return render_template(
        "portal/sales/index.html",
        board=sales.dashboard(g.producer.id, days, locale=locale),
        periods=sales.PERIODS,
        locale=locale,
    )
