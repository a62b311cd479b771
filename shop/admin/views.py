from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from shop.admin import services
from shop.errors import ShopError
from shop.orders import services as order_services
from shop.orders.forms import OrderActionForm
from shop.payments import services as payments
from shop.web import form_action, role_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@role_required("admin")
def dashboard():
    return render_template("admin/dashboard.html", **services.overview())


@bp.route("/orders")
@role_required("admin")
def orders():
    status = request.args.get("status") or None
    if status not in (None, *order_services.STATUS_LABELS):
        status = None
    return render_template(
        "admin/orders.html",
        orders=order_services.recent_orders(status=status),
        status=status,
        statuses=order_services.STATUS_LABELS,
        locale=str(get_locale()),
    )


@bp.route("/orders/<number>")
@role_required("admin")
def order(number: str):
    order = order_services.order_by_number(number)
    return render_template(
        "admin/order.html",
        order=order,
        form=OrderActionForm(formdata=None),
        next_states=order_services.staff_moves(order),
        locale=str(get_locale()),
    )


@bp.route("/orders/<number>/<action>", methods=["POST"])
@role_required("admin")
def order_action(number: str, action: str):
    order = order_services.order_by_number(number)
    form = OrderActionForm()

    def work():
        if action == "transfer-received":
            payments.record_transfer(order, actor=current_user.id)
        elif action == "refund-sent":
            if not order_services.refund_due(order):
                raise ShopError(_("No bank refund is due for this order."))
            order_services.mark_refunded(order, actor=current_user.id, note="bank refund sent")
        elif action == "cancel":
            payments.cancel_order(order, actor=current_user.id, reason="shop")
        elif action == "move":
            order_services.advance(order, form.to.data or "", actor=current_user.id)
        else:
            abort(404)
        return _("Order %(number)s: %(status)s.", number=number, status=order_services.status_label(order.status))

    return form_action(form, back=url_for("admin.order", number=number), work=work)
