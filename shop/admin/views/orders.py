"""Staff handle orders: the list, one order, and the moves and refunds staff may make."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from shop import audit
from shop.admin.views import admin_nav, bp
from shop.errors import ShopError
from shop.extensions import db
from shop.fulfilment import services as fulfilment
from shop.fulfilment.models import Shipment
from shop.mail.services import run_committed_work
from shop.money import format_vnd
from shop.orders import services as order_services
from shop.orders.forms import OrderActionForm
from shop.payments import services as payments
from shop.payments import shipment_refunds
from shop.payments.refunds import settle_due_refund
from shop.web import form_action, no_store, role_required, safe_next

admin_nav.add(10, "admin.orders", _l("Orders"))


@bp.route("/orders")
@role_required("admin")
@no_store
def orders():
    status = request.args.get("status") or None
    if status not in (None, *order_services.STATUS_LABELS):
        status = None
    return render_template(
        "admin/orders.html",
        orders=order_services.recent_orders(status=status),
        refunds_due=order_services.refunds_due(),
        shipment_refunds_due=fulfilment.shipment_refunds_due(),
        form=OrderActionForm(formdata=None),
        status=status,
        statuses=order_services.STATUS_LABELS,
        locale=str(get_locale()),
    )


@bp.route("/orders/<number>")
@role_required("admin")
@no_store
def order(number: str):
    order = order_services.order_by_number(number)
    return render_template(
        "admin/order.html",
        order=order,
        form=OrderActionForm(formdata=None),
        next_states=order_services.staff_moves(order),
        shipments=fulfilment.shipments_of(order),
        shipment_status_labels=fulfilment.STATUS_LABELS,
        carrier_label=fulfilment.carrier_label,
        provider_refunds_shipments=payments.method_of(order).refunds_itself,
        locale=str(get_locale()),
    )


@bp.route("/orders/<number>/<action>", methods=["POST"])
@role_required("admin")
def order_action(number: str, action: str):
    order = order_services.order_by_number(number)
    form = OrderActionForm()
    back = safe_next(form.next.data, url_for("admin.order", number=number))
    if action == "retry-refund":
        return _retry_refund(order, form, back)
    if action in ("shipment-refund-sent", "shipment-refund-retry"):
        return _shipment_refund(order, action, form, back)
    refund_follows = None

    def work():
        nonlocal refund_follows
        before = {"status": order.status, "refund_status": order.refund_status}
        said = _order_work(action)
        audit.record(
            f"order.{action}",
            "order",
            order.number,
            actor=current_user,
            role="admin",
            before=before,
            after={"status": order.status, "refund_status": order.refund_status},
        )
        return said

    def _order_work(action: str):
        nonlocal refund_follows
        if action == "payment-received":
            payments.record_payment(order, actor=current_user.id)
        elif action == "refund-sent":
            payments.record_refund_sent(order, actor=current_user.id)
        elif action == "cancel":
            refund_follows = order_services.cancel(order, actor=current_user.id, reason="shop")
        elif action == "move":
            # Every shipment still behind moves with the order (its stock leaving as it ships).
            fulfilment.advance_order(order, form.to.data or "", actor=current_user.id)
        else:
            abort(404)
        return _("Order %(number)s: %(status)s.", number=number, status=order_services.status_label(order.status))

    response = form_action(form, back=back, work=work)
    if refund_follows:
        # The cancellation is committed; the refund it left due is asked for now, to say how it went.
        run_committed_work()
        _say_refund(order, not order.refund_due)
    return response


def _retry_refund(order, form, back: str):
    if not form.validate_on_submit():
        flash(_("Your form expired. Please try again."), "error")
    elif not payments.provider_refund_due(order):
        flash(_("No card refund is due for this order."), "error")
    else:
        _say_refund(order, settle_due_refund(order))
    return redirect(back)


def _shipment_refund(order, action: str, form, back: str):
    """A refund due on one cancelled shipment: staff mark a bank transfer sent, or ask the card
    provider again."""
    shipment = db.session.get(Shipment, request.form.get("shipment_id", type=int) or 0)
    if shipment is None or shipment.order_id != order.id:
        abort(404)
    amount = format_vnd(shipment.refund_vnd)
    if action == "shipment-refund-retry":
        if not form.validate_on_submit():
            flash(_("Your form expired. Please try again."), "error")
        elif not shipment_refunds.provider_sends(shipment):
            flash(_("No card refund is due for this shipment."), "error")
        elif shipment_refunds.settle_shipment_refund(shipment):
            flash(_("%(amount)s refunded to the card.", amount=amount), "success")
        else:
            flash(_("The card refund of %(amount)s did not go through. It stays due.", amount=amount), "error")
        return redirect(back)

    def work():
        before = {"refund_status": shipment.refund_status}
        if not shipment_refunds.record_shipment_refund_sent(shipment):
            raise ShopError(_l("This refund was already marked sent."))
        audit.record(
            "shipment.refund_sent",
            "shipment",
            shipment.id,
            actor=current_user,
            role="admin",
            producer_id=shipment.producer_id,
            before=before,
            after={"refund_status": shipment.refund_status},
            note=f"order {order.number}, {shipment.refund_vnd} VND",
        )
        return _("Order %(number)s: the refund of %(amount)s is marked sent.", number=order.number, amount=amount)

    return form_action(form, back=back, work=work)


def _say_refund(order, sent: bool) -> None:
    amount = format_vnd(fulfilment.amount_to_refund(order))
    if sent:
        flash(_("Order %(number)s: %(amount)s refunded to the card.", number=order.number, amount=amount), "success")
    else:
        flash(
            _(
                "Order %(number)s: the card refund of %(amount)s did not go through. It stays due and is "
                "retried by `flask shop retry-refunds`; you can also try again here.",
                number=order.number,
                amount=amount,
            ),
            "error",
        )
