"""The partner's orders (owners and buyers; a buyer limited to some locations sees only theirs):
the list, one order with its shipments and invoice, "Order again" at today's prices, and the
next deliveries on the dashboard."""

from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from shop import clock
from shop.errors import NotFound, ValidationError
from shop.extensions import db
from shop.fulfilment.services import STATUS_LABELS as SHIPMENT_STATUS_LABELS
from shop.orders.models import Order
from shop.partner_portal.access import (
    ORDERING,
    allowed_location_ids,
    ordering_locations,
    own_location_or_404,
    partner_required,
)
from shop.partner_portal.views import bp, dashboard_panels, partner_nav
from shop.partner_portal.views.draft_session import current_draft, keep_changes, keep_draft, locale
from shop.partners.members import may_order_for
from shop.partners.models import PartnerLocation
from shop.web import no_store
from shop.wholesale import partner_orders
from shop.wholesale.forms import CsrfOnlyForm
from shop.wholesale.reorder import reorder

partner_nav.add(12, "partners.orders", _l("Orders"), roles=ORDERING)


def _own_order_or_404(order_id: int) -> Order:
    """The partner's order (404 for another partner's), and for a buyer limited to some
    locations one of theirs (404 otherwise)."""
    try:
        return partner_orders.partner_order(g.partner.id, allowed_location_ids(g.membership), order_id)
    except NotFound:
        abort(404)


@bp.route("/orders")
@partner_required(roles=ORDERING)
@no_store
def orders():
    allowed = allowed_location_ids(g.membership)
    location_id = None
    raw = request.args.get("location_id") or ""
    if raw:
        if not (raw.isdigit() and len(raw) < 10):
            abort(404)
        location = own_location_or_404(int(raw))
        if not may_order_for(g.membership, location.id):
            abort(404)
        location_id = location.id
    page = request.args.get("page", "1")
    listing = partner_orders.list_orders(
        g.partner.id,
        allowed,
        location_id=location_id,
        page=int(page) if page.isdigit() and len(page) < 6 else 1,
    )
    choices = [loc for loc in g.partner.locations if allowed is None or loc.id in allowed]
    return render_template(
        "partner_portal/ordering/orders.html",
        listing=listing,
        locations=choices,
        location_id=location_id,
        window_label=partner_orders.window_label,
    )


def _invoice_url(order: Order) -> str | None:
    """The invoice's page, for owners, once the invoices' pages exist."""
    if g.membership.role != "owner":
        return None
    endpoint = next(
        (e for e in ("partners.invoice", "partners.invoices_show") if e in current_app.view_functions), None
    )
    invoice = partner_orders.invoice_of(order) if endpoint else None
    return url_for(endpoint, invoice_id=invoice.id) if invoice else None


@bp.route("/orders/<int:order_id>")
@partner_required(roles=ORDERING)
@no_store
def orders_show(order_id: int):
    order = _own_order_or_404(order_id)
    location = db.session.get(PartnerLocation, order.partner_location_id) if order.partner_location_id else None
    return render_template(
        "partner_portal/ordering/order.html",
        order=order,
        location=location,
        shipments=partner_orders.shipments_of(order),
        shipment_statuses=SHIPMENT_STATUS_LABELS,
        window=partner_orders.window_label(order),
        invoice_url=_invoice_url(order),
        form=CsrfOnlyForm(formdata=None),
        locale=locale(),
    )


@bp.route("/orders/<int:order_id>/again", methods=["POST"])
@partner_required(roles=ORDERING)
def orders_again(order_id: int):
    """Put an earlier order's lines in the draft at today's prices, and show what changed."""
    order = _own_order_or_404(order_id)
    if not CsrfOnlyForm().validate_on_submit():
        flash(_("Your form expired. Please try again."), "error")
        return redirect(url_for("partners.orders_show", order_id=order.id))
    again = reorder(g.partner, order, day=clock.today(), locale=locale())
    draft = current_draft()
    try:
        draft.merge(again.items)
    except ValidationError as exc:
        flash(str(exc.message), "error")
        return redirect(url_for("partners.orders_show", order_id=order.id))
    keep_draft(draft)
    keep_changes(again.changes)
    if not again.items:
        flash(_("Nothing of order %(number)s can be ordered today.", number=order.number), "error")
        return redirect(url_for("partners.order"))
    if again.changes:
        flash(
            _(
                "The lines of order %(number)s are in your order, at today's prices. Some things changed: see below.",
                number=order.number,
            ),
            "warning",
        )
    else:
        flash(_("The lines of order %(number)s are in your order, at today's prices.", number=order.number), "success")
    if order.partner_location_id and order.partner_location_id in {loc.id for loc in ordering_locations(g.membership)}:
        return redirect(url_for("partners.order_review", location_id=order.partner_location_id))
    return redirect(url_for("partners.order_review"))


# --- Dashboard -----------------------------------------------------------------------------------


@dashboard_panels.add(10)
def _deliveries_panel(partner, membership):
    if membership is None or membership.role not in ORDERING:
        return None
    upcoming, locations = partner_orders.upcoming_deliveries(
        partner.id, allowed_location_ids(membership), clock.today()
    )
    return (
        "partner_portal/ordering/_panel.html",
        {"orders": upcoming, "locations": locations, "window_label": partner_orders.window_label},
    )
