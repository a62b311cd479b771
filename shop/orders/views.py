from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from shop.errors import ShopError
from shop.extensions import db
from shop.orders import services
from shop.orders.forms import OrderActionForm
from shop.payments import services as payments
from shop.web import form_action

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
    to the order page, which offers to try again. The order is never lost or doubled."""
    try:
        url = payments.start_stripe_checkout(
            order,
            success_url=url_for("payments.stripe_return", number=order.number, _external=True)
            + "?session_id={CHECKOUT_SESSION_ID}",
            cancel_url=url_for("orders.show", number=order.number, _external=True),
        )
    except ShopError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return url_for("orders.show", number=order.number)
    db.session.commit()
    return url


@bp.route("/orders/<number>")
def show(number: str):
    order = viewable_order(number)
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
    )


@bp.route("/orders/<number>/cancel", methods=["POST"])
def cancel(number: str):
    order = own_order(number)

    def work():
        actor = current_user.id if current_user.is_authenticated else None
        payments.cancel_order(order, actor=actor, reason="shopper")
        return _("Your order %(number)s is cancelled.", number=number)

    return form_action(OrderActionForm(), back=url_for("orders.show", number=number), work=work)


@bp.route("/orders/<number>/pay", methods=["POST"])
def pay(number: str):
    order = own_order(number)
    form = OrderActionForm()
    if not form.validate_on_submit():
        flash(_("Your form expired. Please try again."), "error")
        return redirect(url_for("orders.show", number=number))
    return redirect(start_card_payment(order))


@bp.route("/account/orders")
@login_required
def mine():
    return render_template("orders/list.html", orders=services.orders_of(current_user.id), locale=str(get_locale()))
