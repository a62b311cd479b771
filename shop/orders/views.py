from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from shop.errors import NotFound
from shop.extensions import db, limiter
from shop.mail.services import run_committed_work
from shop.orders import access, services
from shop.orders.forms import OrderActionForm, OrderLinkForm
from shop.web import form_action, form_view, no_store

bp = Blueprint("orders", __name__)


def _link_page(*, number: str, problem: str, status: int):
    """Instead of the order: why it cannot be shown, and the form that mails a fresh link."""
    form = OrderLinkForm(formdata=None, number=number)
    days = current_app.config["ORDER_LINK_DAYS"]
    return render_template("orders/link.html", form=form, problem=problem, days=days), status


@bp.route("/orders/<number>")
@no_store
def show(number: str):
    try:
        order = access.viewable_order(number)
    except services.OrderLinkExpired:
        return _link_page(number=number, problem="expired", status=410)
    except NotFound:
        # Unknown number, a bad link or someone else's order look alike; the owner can get a link.
        return _link_page(number=number, problem="not_found", status=404)
    return render_template(
        "orders/show.html",
        order=order,
        can_act=access.is_own(order),
        form=OrderActionForm(formdata=None),
        locale=str(get_locale()),
    )


@bp.route("/orders/<number>/cancel", methods=["POST"])
def cancel(number: str):
    order = access.own_order(number)
    refund_follows = None

    def work():
        nonlocal refund_follows
        actor = current_user.id if current_user.is_authenticated else None
        refund_follows = services.cancel(order, actor=actor, reason="shopper")

    response = form_action(OrderActionForm(), back=url_for("orders.show", number=number), work=work)
    if refund_follows is None:
        return response  # refused: form_action said why
    if refund_follows:
        # The cancellation is committed; the refund it left due is asked for now, so that this
        # answer can say whether the money is already on its way.
        run_committed_work()
    if refund_follows and order.refund_due:
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
        db.session.commit()
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
