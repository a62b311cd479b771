"""Ordering for restaurant partners (owners and buyers): the quick order grid, then the review
where the location, delivery date and window, PO number and the way to pay are chosen, and
"Place order". The CSV upload is order_upload.py; the partner's orders are orders.py.

The order being put together (the draft: quantities per pack) is kept in the session, for this
partner only (draft_session.py); every page prices it again through shop.wholesale, which also
places it."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from shop import clock
from shop.checkout.services import TotalChanged, new_checkout_token
from shop.errors import ShopError, ValidationError
from shop.extensions import db
from shop.models_base import utcnow
from shop.money import format_vnd
from shop.orders.access import remember_order
from shop.orders.models import Order
from shop.partner_portal.access import ORDERING, ordering_locations, own_location_or_404, partner_required
from shop.partner_portal.views import bp, partner_nav
from shop.partner_portal.views.draft_session import current_draft, keep_draft, locale, take_changes
from shop.payments.registry import method_of
from shop.web import form_view, no_store
from shop.wholesale import partner_orders, quick_order
from shop.wholesale.delivery import Window
from shop.wholesale.drafts import Draft
from shop.wholesale.forms import CsrfOnlyForm, PlaceOrderForm
from shop.wholesale.ordering import PartnerOrderRequest, place_partner_order, price_lines
from shop.wholesale.review import review_order

partner_nav.add(10, "partners.order", _l("Quick order"), roles=ORDERING)


# --- Quick order grid --------------------------------------------------------------------------


def _filters(args) -> quick_order.Filters:
    return quick_order.Filters.from_args(args)


@bp.route("/order")
@partner_required(roles=ORDERING)
@form_view
@no_store
def order():
    filters = _filters(request.args)
    draft = current_draft()
    mine = request.args.get("mine") == "1"
    variants, total, page = quick_order.find_variants(filters, only=list(draft.quantities) if mine else None)
    rows, basket = quick_order.grid(g.partner, variants, draft, day=clock.today())
    groups, producers = quick_order.filter_choices()
    changes, more_changes = take_changes()
    return render_template(
        "partner_portal/ordering/grid.html",
        form=CsrfOnlyForm(formdata=None),
        filters=filters,
        mine=mine,
        rows=rows,
        basket=basket,
        draft=draft,
        total=total,
        page=page,
        pages=max(1, -(-total // quick_order.PER_PAGE)),
        groups=groups,
        producers=producers,
        changes=changes,
        more_changes=more_changes,
        locale=locale(),
    )


def _posted_ids() -> list[int]:
    """The packs whose inputs the posted page showed (listed in its hidden `shown` field)."""
    ids = []
    for raw in (request.form.get("shown") or "").split(",")[: quick_order.PER_PAGE * 2]:
        if raw.isdigit() and len(raw) < 10:
            ids.append(int(raw))
    return ids


def _take_quantities(draft: Draft) -> None:
    for variant_id in _posted_ids():
        draft.put(variant_id, request.form.get(f"qty-{variant_id}"))


@bp.route("/order", methods=["POST"])
@partner_required(roles=ORDERING)
@form_view
def order_update():
    """The grid's buttons: keep what was typed on this page in the draft, then show the prices
    ("Update prices", also Enter), another page, the review, or an empty grid."""
    form = CsrfOnlyForm()
    back = {**_filters(request.form).args(), **({"mine": "1"} if request.form.get("mine") == "1" else {})}
    if not form.validate_on_submit():
        flash(_("Your form expired. Please try again."), "error")
        return redirect(url_for("partners.order", **back))
    draft = current_draft()
    action = request.form.get("action") or "update"
    if action == "clear":
        keep_draft(Draft())
        flash(_("Your order is empty again."), "success")
        return redirect(url_for("partners.order"))
    try:
        _take_quantities(draft)
    except ValidationError as exc:
        flash(str(exc.message), "error")
    keep_draft(draft)
    if action == "review":
        return redirect(url_for("partners.order_review"))
    if action.startswith("page-") and action[5:].isdigit() and len(action) < 12:
        back["page"] = int(action[5:])
    return redirect(url_for("partners.order", **back) + "#grid")


@bp.route("/order/price", methods=["POST"])
@partner_required(roles=ORDERING)
def order_price():
    """For the grid's script: keep this page's quantities in the draft and answer with every line
    as the server prices it (the script shows these words and figures, it computes none)."""
    draft = current_draft()
    try:
        _take_quantities(draft)
    except ValidationError as exc:
        return jsonify(error=str(exc.message)), 400
    keep_draft(draft)
    basket = price_lines(g.partner, draft.items(), day=clock.today())
    lines = {line.variant.id: line for line in basket.lines}
    answer = {}
    for variant_id in _posted_ids():
        line = lines.get(variant_id)
        problem = draft.problem(variant_id) or (line.problem if line else None)
        answer[str(variant_id)] = {
            "unit_price": format_vnd(line.unit_price_vnd) if line else "",
            "unit_price_each": _("%(price)s each", price=format_vnd(line.unit_price_vnd)) if line else "",
            "source": quick_order.source_label(line.quote) if line else "",
            "total": format_vnd(line.total_vnd) if line else "",
            "saving_text": _("you save %(amount)s", amount=format_vnd(line.quote.saving_vnd))
            if line and line.quote.saving_vnd
            else "",
            "problem": str(problem) if problem else "",
        }
    problems = len(basket.problems) + len(draft.typed)
    return jsonify(
        lines=answer,
        count=len(basket.lines),
        subtotal=format_vnd(basket.subtotal_vnd),
        saving_total=format_vnd(basket.saving_vnd),
        problems=problems,
        problems_text=ngettext(
            "%(num)d line needs a change before you can order.",
            "%(num)d lines need a change before you can order.",
            problems,
        )
        if problems
        else "",
    )


# --- Review and place ----------------------------------------------------------------------------


def _date_arg(raw) -> date | None:
    try:
        return date.fromisoformat(raw) if raw and len(raw) == 10 else None
    except ValueError:
        return None


def _location_arg(raw, locations):
    """The location named in the request (404 unless the member may order for it), else the first."""
    if raw:
        if not (isinstance(raw, str) and raw.isdigit() and len(raw) < 10):
            abort(404)
        return own_location_or_404(int(raw), for_ordering=True)
    return locations[0] if locations else None


def _review_page(draft: Draft, *, form: PlaceOrderForm, location, chosen_date, chosen_window, status=200, errors=None):
    """The review page: lines, VAT per rate, delivery choices for the location, the way to pay."""
    review = review_order(g.partner, draft.items(), location, chosen_date, now=utcnow(), today=clock.today())
    form.checkout_token.data = form.checkout_token.data or new_checkout_token()
    form.expected_total.data = str(review.basket.subtotal_vnd)
    changes, more_changes = take_changes()
    return render_template(
        "partner_portal/ordering/review.html",
        form=form,
        # basket, dates, chosen_date, slots, options, credit, due_on, term_days
        **vars(review),
        locations=ordering_locations(g.membership),
        location=location,
        chosen_window=chosen_window,
        changes=changes,
        more_changes=more_changes,
        locale=locale(),
        source_label=quick_order.source_label,
        format_long_date=lambda day: format_date(day, "full"),
        errors=errors or {},
    ), status


@bp.route("/order/review")
@partner_required(roles=ORDERING)
@form_view
@no_store
def order_review():
    draft = current_draft()
    basket = price_lines(g.partner, draft.items(), day=clock.today())
    gone = quick_order.missing_variants(draft, basket)
    if gone:
        for variant_id in gone:
            draft.quantities.pop(variant_id, None)
        keep_draft(draft)
        flash(_("Some products in your order are no longer for sale; they were taken out."), "warning")
    if not draft.quantities:
        flash(_("Enter a quantity for at least one product."), "error")
        return redirect(url_for("partners.order"))
    locations = ordering_locations(g.membership)
    location = _location_arg(request.args.get("location_id"), locations)
    window = Window.parse(request.args.get("window"))
    form = PlaceOrderForm(formdata=None)
    return _review_page(
        draft,
        form=form,
        location=location,
        chosen_date=_date_arg(request.args.get("delivery_date")),
        chosen_window=window,
    )


@bp.route("/order/place", methods=["POST"])
@partner_required(roles=ORDERING)
@form_view
@no_store
def order_place():
    form = PlaceOrderForm()
    draft = current_draft()
    locations = ordering_locations(g.membership)
    location = _location_arg(form.location_id.data, locations)
    chosen_date = _date_arg(form.delivery_date.data)
    window = Window.parse(form.window.data)
    errors: dict[str, str] = {}

    def again(message=None, field=None, status=400):
        if message:
            errors[field or "form"] = str(message)
        return _review_page(
            draft,
            form=form,
            location=location,
            chosen_date=chosen_date,
            chosen_window=window,
            status=status,
            errors=errors,
        )

    if request.form.get("action") == "refresh":
        # Another location or date chosen: its dates and windows, nothing placed.
        return again(status=200)
    if not form.validate_on_submit():
        if form.csrf_token.errors or form.checkout_token.errors or form.expected_total.errors:
            form.checkout_token.data = None
            return again(_("Your form expired. Please check your order and place it again."))
        field = next(name for name, f in form._fields.items() if f.errors)
        return again(form[field].errors[0], field)
    if location is None:
        return again(_("Choose one of your delivery locations."), "location_id")
    token = form.checkout_token.data
    existing = partner_orders.order_by_token(g.partner.id, token)
    if existing is not None:
        return _after_placing(existing)
    order_request = PartnerOrderRequest(
        location=location,
        quantities=draft.items(),
        delivery_date=chosen_date,
        window=window,
        po_number=form.po_number.data,
        payment_method=form.payment_method.data or None,
        note=form.note.data,
        expected_total_vnd=int(form.expected_total.data),
        checkout_token=token,
    )
    try:
        placed = place_partner_order(
            g.partner, order_request, actor_user_id=current_user.id, email=current_user.email, locale=locale()
        )
    except IntegrityError:
        # The same form sent twice at once: the other request placed the order.
        db.session.rollback()
        existing = partner_orders.order_by_token(g.partner.id, token)
        if existing is None:
            raise
        return _after_placing(existing)
    except TotalChanged as exc:
        db.session.commit()
        form.checkout_token.data = None
        return again(exc.message, "form", status=409)
    except ShopError as exc:
        db.session.commit()  # the refusal wrote nothing; what expired on the way stays expired
        form.checkout_token.data = None
        return again(exc.message, exc.field)
    db.session.commit()
    keep_draft(Draft())
    return _after_placing(placed)


def _after_placing(order: Order):
    """To the provider's page for a card, to the order page with the bank details for a transfer
    (as a shopper goes), else the partner's order page."""
    if order.status == "pending_payment":
        remember_order(order.number)
        if method_of(order).pays_online:
            return redirect(url_for("payments.pay_page", number=order.number))
        flash(_("Your order %(number)s is placed. Please pay it now.", number=order.number), "success")
        return redirect(url_for("orders.show", number=order.number))
    flash(_("Your order %(number)s is placed.", number=order.number), "success")
    return redirect(url_for("partners.orders_show", order_id=order.id))
