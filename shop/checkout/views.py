from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    get_template_attribute,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from shop import geo
from shop.cart.services import parse_id
from shop.cart.visitor import current_cart
from shop.checkout import services
from shop.checkout.forms import CheckoutForm, PlaceOrderForm
from shop.errors import ShopError, ValidationError
from shop.extensions import db
from shop.models_base import utcnow
from shop.orders.access import remember_order, session_orders
from shop.payments.registry import method_of
from shop.shipping import services as shipping
from shop.web import form_view, no_store, put_error_on_form

bp = Blueprint("checkout", __name__, url_prefix="/checkout")


def _locale() -> str:
    return str(get_locale())


def _user_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def _prefill(form: CheckoutForm, cart) -> None:
    saved = services.Details.of_cart(cart)
    if saved:
        for name, value in saved.to_data().items():
            if hasattr(form, name):
                getattr(form, name).data = value
        return
    if current_user.is_authenticated:
        form.contact_name.data = current_user.name
        form.email.data = current_user.email
        form.phone.data = current_user.phone
        addresses = services.saved_addresses(current_user.id)
        if addresses:
            _fill_address(form, addresses[0])


def _fill_address(form: CheckoutForm, address) -> None:
    form.saved_address.data = str(address.id)
    form.contact_name.data = address.contact_name
    form.phone.data = address.phone
    form.province_code.data = address.province_code
    form.ward_code.data = address.ward_code
    form.street.data = address.street


@bp.route("", methods=["GET", "POST"])
@form_view
@no_store
def details():
    cart = current_cart()
    priced = services.price_cart(cart)
    if not priced.lines:
        flash(_("Your cart is empty."), "info")
        return redirect(url_for("cart.show"))
    form = CheckoutForm()
    addresses = services.saved_addresses(current_user.id) if current_user.is_authenticated else []
    if request.method == "GET":
        _prefill(form, cart)
    elif request.form.get("use_address") and current_user.is_authenticated:
        address = services.own_address(current_user.id, form.saved_address.data)
        if address:
            _fill_address(form, address)
    # Shipping is not known yet: the subtotal already rules out what it alone exceeds.
    payments = services.payment_options(priced.subtotal_vnd)
    methods = [option.method for option in payments if option.available]
    form.set_choices(methods=methods, addresses=addresses, province=form.province_code.data)
    # "Show communes" and "Use this address" re-render the form (the page works without JavaScript).
    refreshing = bool(request.form.get("refresh_wards") or request.form.get("use_address"))
    if request.method == "POST" and not refreshing and form.validate_on_submit():
        details = services.Details.from_form(form)
        try:
            services.save_details(cart, details, now=utcnow(), locale=_locale())
        except ShopError as exc:
            db.session.rollback()
            put_error_on_form(form, exc)
        else:
            db.session.commit()
            return redirect(url_for("checkout.review"))
    status = 400 if request.method == "POST" and not refreshing else 200
    options = shipping.delivery_options(priced, form.province_code.data, now=utcnow(), locale=_locale())
    if status == 200:  # after a refused choice, keep it selected beside its reason
        form.delivery_method.data = shipping.preferred_delivery(options, form.delivery_method.data)
    return render_template(
        "checkout/details.html",
        form=form,
        priced=priced,
        options=options,
        locale=_locale(),
        max_saved_addresses=services.MAX_SAVED_ADDRESSES,
        payments=payments,
    ), status


def _province(raw: str) -> int | None:
    """A province code from the URL: one of the current provinces, else None."""
    code = parse_id(raw)
    return code if geo.province_name(code) is not None else None


@bp.route("/wards/<province_code>")
def wards(province_code: str):
    """Communes and wards of a province, for the address form's second select."""
    province_code = _province(province_code)
    if province_code is None:
        return jsonify(error={"code": "not_found", "message": _("Unknown province.")}), 404
    return jsonify(wards=[{"code": code, "name": name} for code, name in geo.wards(province_code)])


@bp.route("/delivery/<province_code>")
@no_store
def delivery(province_code: str):
    """The delivery choices with their prices for a province, as the checkout form shows them:
    the form's script swaps them in when the shopper picks a province."""
    province_code = _province(province_code)
    if province_code is None:
        return jsonify(error={"code": "not_found", "message": _("Unknown province.")}), 404
    priced = services.price_cart(current_cart())
    form = CheckoutForm(formdata=None)
    options = shipping.delivery_options(priced, province_code, now=utcnow(), locale=_locale())
    form.delivery_method.data = shipping.preferred_delivery(options, request.args.get("chosen") or "standard")
    choices = get_template_attribute("macros/shop.html", "delivery_choices")
    return choices(options, form.delivery_method, _locale())


@bp.route("/review")
@no_store
def review():
    cart = current_cart()
    details = services.Details.of_cart(cart)
    if details is None:
        return redirect(url_for("checkout.details"))
    try:
        services.check_details(details)
        # Writes nothing: new prices and lowered quantities are shown, and the total with them is
        # what "Place order" holds the shopper to.
        quote = services.quote(cart, details, now=utcnow(), locale=_locale())
    except ShopError as exc:
        flash(str(exc.message), "error")
        return redirect(url_for("checkout.details") if exc.field else url_for("cart.show"))
    form = PlaceOrderForm(
        formdata=None,
        checkout_token=services.new_checkout_token(),
        expected_total=quote.total_vnd,
        expected_lines=services.quantities_shown(quote),
    )
    payments = services.payment_options(quote.total_vnd, quote.delivery.method)
    return render_template(
        "checkout/review.html", quote=quote, details=details, form=form, locale=_locale(), payments=payments
    )


@bp.route("/place", methods=["POST"])
def place():
    form = PlaceOrderForm()
    if not form.validate_on_submit():
        flash(_("Your form expired. Please check your order and place it again."), "error")
        return redirect(url_for("checkout.review"))
    token = form.checkout_token.data or ""
    existing = services.existing_order(token, user_id=_user_id(), session_numbers=session_orders())
    if existing is not None:
        return redirect(url_for("orders.show", number=existing.number))
    cart = current_cart()
    details = services.Details.of_cart(cart)
    if details is None:
        return redirect(url_for("checkout.details"))
    expected = int(form.expected_total.data)  # the form allows digits only
    try:
        order = services.place_order(
            cart=cart,
            details=details,
            checkout_token=token,
            expected_total_vnd=expected,
            expected_quantities=services.parse_quantities_shown(form.expected_lines.data),
            user_id=_user_id(),
            locale=_locale(),
        )
    except IntegrityError:
        # The same form was sent twice at once; the other request placed the order.
        existing = services.existing_order(token, user_id=_user_id(), session_numbers=session_orders())
        if existing is None:
            raise
        db.session.commit()  # the orders placing expired on the way stay expired
        return redirect(url_for("orders.show", number=existing.number))
    except ShopError as exc:
        # The refused order wrote nothing; the orders placing expired on the way stay expired.
        db.session.commit()
        flash(str(exc.message), "error")
        if isinstance(exc, ValidationError):
            return redirect(url_for("checkout.details") if exc.field else url_for("checkout.review"))
        return redirect(url_for("cart.show") if exc.code == "out_of_stock" else url_for("checkout.review"))
    db.session.commit()
    number = order.number
    remember_order(number)
    if method_of(order).pays_online:
        # The provider is asked in a request of its own (the next page posts at once), so this
        # one commits once and never waits on the provider.
        return redirect(url_for("payments.pay", number=number))
    flash(_("Thank you! Your order %(number)s is placed.", number=number), "success")
    return redirect(url_for("orders.show", number=number))
