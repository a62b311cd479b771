"""Admins' prices: one partner's negotiated price list (find a pack, add a price with its dates,
end or remove one, each beside the pack's retail price and volume breaks) and the VAT rates by
product group with the dates they apply (a new rate from a date ends the one before)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from shop import clock
from shop.admin.views import admin_nav, bp
from shop.errors import ShopError
from shop.extensions import db
from shop.money import format_vnd
from shop.partners.models import Partner
from shop.pricing import editing, format_rate
from shop.pricing.forms import ButtonForm, EndPriceForm, PartnerPriceForm, VatRateForm
from shop.web import form_action, form_view, no_store, put_error_on_form, role_required

admin_nav.add(60, "admin.vat_rates", _l("VAT rates"))

# The partner's page, under the name it has (or had) in the partners' admin area.
_PARTNER_ENDPOINTS = ("admin.partner", "admin.partners_show")
STATE_LABELS = {"current": _l("Current"), "future": _l("Future"), "past": _l("Past")}


def _partner(partner_id: int) -> Partner:
    partner = db.session.get(Partner, partner_id)
    if partner is None:
        abort(404)
    return partner


def _refused(form, exc: ShopError) -> None:
    db.session.rollback()
    put_error_on_form(form, exc)


# --- One partner's negotiated prices ---------------------------------------------------------


def _prices_page(partner: Partner, form: PartnerPriceForm, status: int = 200):
    q = (request.args.get("q") or "").strip()[:100]
    today = clock.today()
    rows = editing.partner_price_list(partner.id, today)
    return render_template(
        "admin/pricing/partner_prices.html",
        partner=partner,
        rows=rows,
        end_forms={r.price.id: EndPriceForm(formdata=None, prefix=f"end-{r.price.id}") for r in rows},
        button=ButtonForm(formdata=None),
        form=form,
        q=q,
        found=editing.find_variants(q) if q else [],
        today=today,
        state_labels=STATE_LABELS,
        # The partner's own page comes from another part of the admin; link there once it exists.
        partner_endpoint=next((e for e in _PARTNER_ENDPOINTS if e in current_app.view_functions), None),
        locale=str(get_locale()),
    ), status


@bp.route("/partners/<int:partner_id>/prices", methods=["GET", "POST"], endpoint="partner_prices")
@role_required("admin")
@no_store
@form_view
def partner_prices(partner_id: int):
    partner = _partner(partner_id)
    if request.method != "POST":
        form = PartnerPriceForm(formdata=None, data={"sku": (request.args.get("sku") or "")[:40]})
        return _prices_page(partner, form)
    form = PartnerPriceForm()
    if form.validate_on_submit():
        try:
            variant = editing.variant_for_sku(form.sku.data)
            price = editing.add_partner_price(
                partner.id,
                variant.id,
                unit_price_vnd=editing.parse_unit_price(form.unit_price_vnd.data),
                valid_from=editing.parse_day(form.valid_from.data, field="valid_from"),
                valid_to=editing.parse_day(form.valid_to.data, field="valid_to", required=False),
                actor=current_user,
            )
        except ShopError as exc:
            _refused(form, exc)
        else:
            db.session.commit()
            flash(
                _(
                    "%(sku)s: %(price)s for %(partner)s saved.",
                    sku=variant.sku,
                    price=format_vnd(price.unit_price_vnd),
                    partner=partner.name,
                ),
                "success",
            )
            return redirect(url_for("admin.partner_prices", partner_id=partner.id))
    return _prices_page(partner, form, 400)


@bp.route("/partners/<int:partner_id>/prices/<int:price_id>/end", methods=["POST"])
@role_required("admin")
def partner_prices_end(partner_id: int, price_id: int):
    partner = _partner(partner_id)
    form = EndPriceForm(prefix=f"end-{price_id}")

    def work():
        last_day = editing.parse_day(form.last_day.data, field="last_day")
        price = editing.end_partner_price(partner.id, price_id, last_day=last_day, actor=current_user)
        return _("The negotiated price now ends on %(day)s.", day=format_date(price.valid_to, "medium"))

    return form_action(form, back=url_for("admin.partner_prices", partner_id=partner.id), work=work)


@bp.route("/partners/<int:partner_id>/prices/<int:price_id>/delete", methods=["POST"])
@role_required("admin")
def partner_prices_delete(partner_id: int, price_id: int):
    partner = _partner(partner_id)

    def work():
        editing.remove_partner_price(partner.id, price_id, actor=current_user)
        return _("The negotiated price is removed.")

    return form_action(ButtonForm(), back=url_for("admin.partner_prices", partner_id=partner.id), work=work)


# --- VAT rates -------------------------------------------------------------------------------


@bp.route("/vat-rates", methods=["GET", "POST"], endpoint="vat_rates")
@role_required("admin")
@no_store
@form_view
def vat_rates():
    form = VatRateForm() if request.method == "POST" else VatRateForm(formdata=None)
    form.set_choices()
    if request.method == "POST" and form.validate_on_submit():
        try:
            rate = editing.add_vat_rate(
                group_code=form.group_code.data,
                subgroup_code=form.subgroup_code.data or None,
                rate_bp=editing.parse_rate(form.rate.data),
                valid_from=editing.parse_day(form.valid_from.data, field="valid_from"),
                basis=form.basis.data,
                actor=current_user,
            )
        except ShopError as exc:
            _refused(form, exc)
        else:
            db.session.commit()
            flash(
                _(
                    "The rate of %(rate)s applies from %(day)s.",
                    rate=format_rate(rate.rate_bp),
                    day=format_date(rate.valid_from, "medium"),
                ),
                "success",
            )
            return redirect(url_for("admin.vat_rates"))
    today = clock.today()
    return render_template(
        "admin/pricing/vat_rates.html",
        rates=editing.vat_rates(),
        form=form,
        today=today,
    ), (400 if request.method == "POST" else 200)
