from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from shop.errors import ShopError
from shop.extensions import csrf, db
from shop.orders import access
from shop.orders.forms import OrderActionForm
from shop.payments import registry, stripe_checkout
from shop.payments import services as _services  # noqa: F401 - connects refunds to orders' cancellations
from shop.payments.forms import StripeReturnForm
from shop.payments.pay import payment_page
from shop.payments.refunds import settle_due_refund
from shop.web import no_store

bp = Blueprint("payments", __name__)

# Templates reach an order's way to pay through this (orders, below payments, cannot):
# `payment_method(order).label`, `payment_method(order).fragment("order.html")`.
bp.add_app_template_global(registry.method_of, "payment_method")


@bp.route("/orders/<number>/pay")
@no_store
def pay_page(number: str):
    """Right after a card order is placed: a page that posts to `pay` at once (with JavaScript,
    else by its button), so asking the provider is a request of its own. Changes nothing."""
    order = access.own_order(number)
    if not (order.status == "pending_payment" and registry.method_of(order).pays_online):
        return redirect(url_for("orders.show", number=number))
    return render_template("payments/pay.html", order=order)


@bp.route("/orders/<number>/pay", methods=["POST"])
def pay(number: str):
    """The order page's "Pay" button: to the provider's page again (the same open session if
    there is one), or back to the order page saying why not."""
    order = access.own_order(number)
    form = OrderActionForm()
    if not form.validate_on_submit():
        flash(_("Your form expired. Please try again."), "error")
        return redirect(url_for("orders.show", number=number))
    url = payment_page(order)
    if url is None:
        flash(_("This order is not waiting for a payment online."), "error")
        url = url_for("orders.show", number=number)
    return redirect(url)


@bp.route("/payments/stripe/webhook", methods=["POST"])
@csrf.exempt  # Stripe signs its requests instead; the signature is checked below.
def stripe_webhook():
    try:
        event = stripe_checkout.verify_webhook(request.get_data(), request.headers.get("Stripe-Signature"))
    except stripe_checkout.BadWebhook as exc:
        return jsonify(error={"code": exc.code, "message": str(exc.message)}), 400
    try:
        handled = stripe_checkout.handle_event(event)
    except ShopError as exc:
        # Stripe retries anything but 2xx: a change that could not be made now is tried again later.
        db.session.rollback()
        return jsonify(error={"code": exc.code, "message": str(exc.message)}), exc.status
    db.session.commit()
    outcome = handled.outcome
    if outcome == "late payment":
        # Committed as "refund due" first, so a failure here is retried, never forgotten.
        outcome = "refunded late payment" if settle_due_refund(handled.order) else "late payment, refund due"
    return jsonify(received=True, outcome=outcome)


@bp.route("/payments/stripe/return/<number>")
@no_store
def stripe_return(number: str):
    """Stripe sends the shopper back here by GET, which changes nothing: the page posts the
    session id back (at once with JavaScript, else by its button) to `confirm_stripe_return`."""
    access.viewable_order(number)
    session_id = (request.args.get("session_id") or "")[:255]
    return render_template("payments/return.html", number=number, session_id=session_id)


@bp.route("/payments/stripe/return/<number>", methods=["POST"])
@no_store
def confirm_stripe_return(number: str):
    order = access.viewable_order(number)
    form = StripeReturnForm()
    if not form.validate_on_submit():
        flash(_("Your form expired. Please try again."), "error")
        return redirect(url_for("orders.show", number=number))
    result = stripe_checkout.confirm_return(order, form.session_id.data)
    if result == "paid":
        db.session.commit()
        flash(_("Thank you! Your payment for order %(number)s is received.", number=number), "success")
    elif result == "review":
        db.session.commit()
        flash(
            _(
                "We received a payment that does not match order %(number)s. We are checking it and will contact you.",
                number=number,
            ),
            "info",
        )
    else:
        db.session.rollback()
        flash(_("We are waiting for Stripe to confirm your payment. This page will show it once it arrives."), "info")
    return redirect(url_for("orders.show", number=number))
