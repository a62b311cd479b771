"""A producer's prices for restaurant partners, per product: each pack's quantity rules (minimum,
maximum, pack step) and its volume breaks. The product, pack and break named in a URL are looked
up among the acting producer's own (own_or_404), so another producer's id is a 404."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from shop.catalog.models import Product, Variant
from shop.errors import ShopError
from shop.extensions import db
from shop.portal.access import own_or_404, producer_required
from shop.portal.views import bp
from shop.pricing import editing
from shop.pricing.forms import BreakForm, ButtonForm, RulesForm
from shop.pricing.models import PriceBreak
from shop.web import form_action, form_view, no_store, put_error_on_form


def _own_variant(variant_id: int) -> Variant:
    return own_or_404(Variant, variant_id, producer_of=lambda v: v.product.producer_id)


def _own_break(break_id: int) -> PriceBreak:
    return own_or_404(
        PriceBreak, break_id, producer_of=lambda b: db.session.get(Variant, b.variant_id).product.producer_id
    )


def _text(value) -> str:
    return "" if value is None else str(value)


def _rules_form(variant: Variant) -> RulesForm:
    return RulesForm(
        formdata=None,
        prefix=f"rules-{variant.id}",
        data={
            "partner_min_qty": _text(variant.partner_min_qty),
            "partner_max_qty": _text(variant.partner_max_qty),
            "partner_step": _text(variant.partner_step),
        },
    )


def _page(product: Product, *, sent=None, status: int = 200):
    """The product's page; `sent` is the form just sent back with its errors, shown in its place."""
    packs = editing.product_pricing(product)
    rules_forms = {p.variant.id: _rules_form(p.variant) for p in packs}
    break_forms = {p.variant.id: BreakForm(formdata=None, prefix=f"break-{p.variant.id}") for p in packs}
    if sent is not None:
        kind, variant_id, form = sent
        (rules_forms if kind == "rules" else break_forms)[variant_id] = form
    return render_template(
        "portal/partner_pricing/product.html",
        product=product,
        packs=packs,
        rules_forms=rules_forms,
        break_forms=break_forms,
        button=ButtonForm(formdata=None),
        locale=str(get_locale()),
    ), status


def _refused(form, exc: ShopError) -> None:
    db.session.rollback()
    put_error_on_form(form, exc)


@bp.route("/products/<int:product_id>/partner-prices")
@producer_required
@no_store
def products_partner_prices(product_id: int):
    return _page(own_or_404(Product, product_id))


@bp.route("/variants/<int:variant_id>/partner-rules", methods=["POST"])
@producer_required
@no_store
@form_view
def products_partner_rules(variant_id: int):
    variant = _own_variant(variant_id)
    product = variant.product
    form = RulesForm(prefix=f"rules-{variant.id}")
    if form.validate_on_submit():
        try:
            min_qty = editing.parse_quantity(form.partner_min_qty.data, field="partner_min_qty")
            max_qty = editing.parse_quantity(form.partner_max_qty.data, field="partner_max_qty")
            step = editing.parse_quantity(form.partner_step.data or "1", field="partner_step")
            changed = editing.set_partner_rules(
                variant, min_qty=min_qty, max_qty=max_qty, step=step, actor=current_user
            )
        except ShopError as exc:
            _refused(form, exc)
        else:
            db.session.commit()
            said = _("%(sku)s: quantity rules saved.", sku=variant.sku) if changed else _("Nothing was changed.")
            flash(said, "success")
            return redirect(_back(product.id, variant.id))
    return _page(product, sent=("rules", variant.id, form), status=400)


@bp.route("/variants/<int:variant_id>/breaks", methods=["POST"])
@producer_required
@no_store
@form_view
def products_break_add(variant_id: int):
    variant = _own_variant(variant_id)
    product = variant.product
    form = BreakForm(prefix=f"break-{variant.id}")
    if form.validate_on_submit():
        try:
            min_qty = editing.parse_quantity(form.min_qty.data, field="min_qty", required=True)
            price = editing.parse_unit_price(form.unit_price_vnd.data)
            editing.add_break(variant, min_qty=min_qty, unit_price_vnd=price, actor=current_user)
        except ShopError as exc:
            _refused(form, exc)
        else:
            db.session.commit()
            flash(_("%(sku)s: volume price from %(qty)s units added.", sku=variant.sku, qty=min_qty), "success")
            return redirect(_back(product.id, variant.id))
    return _page(product, sent=("break", variant.id, form), status=400)


@bp.route("/breaks/<int:break_id>/delete", methods=["POST"])
@producer_required
def products_break_delete(break_id: int):
    price_break = _own_break(break_id)
    variant = db.session.get(Variant, price_break.variant_id)
    product_id, sku, qty = variant.product_id, variant.sku, price_break.min_qty

    def work():
        editing.remove_break(price_break, actor=current_user)
        return _("%(sku)s: volume price from %(qty)s units removed.", sku=sku, qty=qty)

    return form_action(ButtonForm(), back=_back(product_id, variant.id), work=work)


def _back(product_id: int, variant_id: int) -> str:
    return url_for("producers.products_partner_prices", product_id=product_id) + f"#pack-{variant_id}"
