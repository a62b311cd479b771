from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from shop import geo
from shop.cart import services
from shop.cart.forms import AddToCartForm, LineForm, RemoveLineForm
from shop.cart.visitor import current_cart
from shop.models_base import utcnow
from shop.shipping import services as shipping
from shop.web import form_action, no_store, safe_next

bp = Blueprint("cart", __name__)

DEFAULT_ESTIMATE_PROVINCE = 1  # Hà Nội, where the shop's hub is


@bp.route("/cart")
@no_store
def show():
    # Showing the cart writes nothing: the changes it reports are recorded as seen when the
    # shopper next changes a line or goes through checkout.
    priced = services.price_cart(current_cart())
    province = services.parse_id(request.args.get("province"))
    if geo.province_name(province) is None:
        province = DEFAULT_ESTIMATE_PROVINCE
    options = (
        shipping.delivery_options(priced, province, now=utcnow(), locale=str(get_locale())) if priced.lines else []
    )
    return render_template(
        "cart/show.html",
        priced=priced,
        options=options,
        estimate_province=province,
        line_form=LineForm(formdata=None),
        remove_form=RemoveLineForm(formdata=None),
        locale=str(get_locale()),
    )


@bp.route("/cart/add", methods=["POST"])
def add():
    form = AddToCartForm()

    def work():
        quantity = services.parse_quantity(form.quantity.data)
        cart = current_cart(create=True)
        _line, notice = services.add_to_cart(cart, form.variant_id.data, quantity, product_id=form.product_id.data)
        return (notice, "warning") if notice else _("Added to your cart.")

    # A product no longer for sale is said on the page the shopper came from, not as a 404.
    return form_action(form, back=safe_next(form.next.data, url_for("cart.show")), work=work, missing_is_404=False)


# Line ids are read by the service, with bounds (Werkzeug's int converter takes any digits).
@bp.route("/cart/lines/<line_id>", methods=["POST"])
def update_line(line_id: str):
    form = LineForm()

    def work():
        quantity = services.parse_quantity(form.quantity.data, allow_zero=True)
        notice = services.set_line_quantity(current_cart(), line_id, quantity)
        return (notice, "warning") if notice else _("Your cart is updated.")

    return form_action(form, back=url_for("cart.show"), work=work)


@bp.route("/cart/lines/<line_id>/remove", methods=["POST"])
def remove_line(line_id: str):
    def work():
        services.remove_line(current_cart(), line_id)
        return _("The item was removed from your cart.")

    return form_action(RemoveLineForm(), back=url_for("cart.show"), work=work)
