from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from shop.errors import NotFound, ShopError
from shop.extensions import db, limiter
from shop.orders import services
from shop.orders.forms import OrderActionForm, OrderLinkForm
from shop.payments import services as payments
from shop.payments.refunds import settle_due_refund
from shop.urls import external_url
from shop.web import commit_and_send, form_action, form_view, no_store

bp = Blueprint("orders", __name__)

SESSION_ORDERS = "orders"


def session_orders() -> list[str]:
    """Numbers of the orders placed in this browser session (how a guest sees their order)."""
    numbers = session.get(SESSION_ORDERS)
    return [n for n in numbers if isinstance(n, str)] if isinstance(numbers, list) else []


def remember_order(number: str) -> None:
    session[SESSION_ORDERS] = [*session_orders(), number][-20:]


def viewable_order(number: str):
    return services.order_for_viewer(
        number,
        user_id=current_user.id if current_user.is_authenticated else None,
        session_numbers=session_orders(),
        key=request.args.get("key"),
        is_admin=current_user.is_authenticated and current_user.is_admin,
    )


def own_order(number: str):
    """For changes: the shopper's own order (by account or this browser session, not a mailed
    link alone — a forwarded email must not be able to cancel)."""
    return services.order_for_viewer(
        number,
        user_id=current_user.id if current_user.is_authenticated else None,
        session_numbers=session_orders(),
        key=None,
    )


def start_card_payment(order) -> str:
    """Where to send the shopper to pay by card: Stripe's page, or (if Stripe does not answer) back
    to the order page, which offers to try again. The order is never lost or doubled. Stripe's
    return addresses are on SHOP_BASE_URL, whatever Host this request carried."""
    try:
        url = payments.start_stripe_checkout(
            order,
            # Stripe fills in {CHECKOUT_SESSION_ID}; it must reach Stripe unescaped.
            success_url=external_url("payments.stripe_return", number=order.number)
            + "?session_id={CHECKOUT_SESSION_ID}",
            cancel_url=external_url("orders.show", number=order.number),
        )
    except ShopError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return url_for("orders.show", number=order.number)
    db.session.commit()
    return url


def _link_page(*, number: str, problem: str, status: int):
    """Instead of the order: why it cannot be shown, and the form that mails a fresh link."""
    form = OrderLinkForm(formdata=None, number=number)
    days = current_app.config["ORDER_LINK_DAYS"]
    return render_template("orders/link.html", form=form, problem=problem, days=days), status


@bp.route("/orders/<number>")
@no_store
def show(number: str):
    try:
        order = viewable_order(number)
    except services.OrderLinkExpired:
        return _link_page(number=number, problem="expired", status=410)
    except NotFound:
        # Unknown number, a bad link or someone else's order look alike; the owner can get a link.
        return _link_page(number=number, problem="not_found", status=404)
    transfer = None
    if order.payment_method == "vietqr" and order.status == "pending_payment":
        transfer = payments.transfer_details(order)
    mine = (current_user.is_authenticated and order.user_id == current_user.id) or (
        order.user_id is None and number in session_orders()
    )
    return render_template(
        "orders/show.html",
        order=order,
        transfer=transfer,
        can_act=mine,
        form=OrderActionForm(formdata=None),
        locale=str(get_locale()),
        stripe_ready=bool(current_app.config["STRIPE_SECRET_KEY"]),
        card_refund=payments.refunds_through_stripe(order),
    )


@bp.route("/orders/<number>/cancel", methods=["POST"])
def cancel(number: str):
    order = own_order(number)
    cancelled = False

    def work():
        nonlocal cancelled
        actor = current_user.id if current_user.is_authenticated else None
        payments.cancel_order(order, actor=actor, reason="shopper")
        cancelled = True

    # The cancellation is committed before Stripe is asked for the money back.
    response = form_action(OrderActionForm(), back=url_for("orders.show", number=number), work=work)
    if cancelled:
        if order.refund_due and payments.refunds_through_stripe(order) and not settle_due_refund(order):
            flash(
                _(
                    "Your order %(number)s is cancelled. Your refund is being processed: the card service did "
                    "not answer just now, and we will keep trying until the money is on its way back.",
                    number=number,
                ),
                "info",
            )
        else:
            flash(_("Your order %(number)s is cancelled.", number=number), "success")
    return response


@bp.route("/orders/<number>/pay", methods=["POST"])
def pay(number: str):
    order = own_order(number)
    form = OrderActionForm()
    if not form.validate_on_submit():
        flash(_("Your form expired. Please try again."), "error")
        return redirect(url_for("orders.show", number=number))
    return redirect(start_card_payment(order))


def _link_limit() -> str:
    return current_app.config["ORDER_LINK_LIMIT_PER_IP"]


@bp.route("/orders/link", methods=["GET", "POST"])
@no_store
@form_view
@limiter.limit(_link_limit, methods=["POST"], scope="order-link-ip")
def request_link():
    """A fresh link to an order, mailed to the order's own address: the way back in for a guest
    whose link expired or who is on another device. The same answer whether or not it matched."""
    form = OrderLinkForm()
    if form.validate_on_submit():
        services.send_order_link(form.number.data, form.email.data)
        commit_and_send()
        flash(
            _(
                "If that order number and email address belong to one order, we have sent a new link to that "
                "address. It works for %(days)d days.",
                days=current_app.config["ORDER_LINK_DAYS"],
            ),
            "info",
        )
        return redirect(url_for("orders.request_link"))
    status = 400 if form.is_submitted() else 200
    if request.method == "GET":
        form.number.data = (request.args.get("number") or "")[:20]
    days = current_app.config["ORDER_LINK_DAYS"]
    return render_template("orders/link.html", form=form, problem=None, days=days), status


@bp.route("/account/orders")
@login_required
@no_store
def mine():
    return render_template("orders/list.html", orders=services.orders_of(current_user.id), locale=str(get_locale()))
