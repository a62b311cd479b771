"""Ordering for restaurant partners (owners and buyers): the quick order grid, the CSV upload,
"order again", the review where the location, delivery date and window, PO number and the way to
pay are chosen, "Place order", and the partner's orders.

The order being put together (the draft: quantities per pack) is kept in the session, for this
partner only; every page prices it again through shop.wholesale.ordering, which also places it."""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, flash, g, jsonify, redirect, render_template, request, session, url_for
from flask_babel import format_date, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shop import clock
from shop.checkout.services import TotalChanged, new_checkout_token
from shop.errors import ShopError, ValidationError
from shop.extensions import db
from shop.fulfilment.services import STATUS_LABELS as SHIPMENT_STATUS_LABELS
from shop.invoicing.credit import credit_summary
from shop.invoicing.services import due_on_for
from shop.models_base import utcnow
from shop.money import format_vnd
from shop.orders.access import remember_order
from shop.orders.models import Order
from shop.partner_portal.access import (
    ORDERING,
    allowed_location_ids,
    ordering_locations,
    own_location_or_404,
    own_or_404,
    partner_required,
)
from shop.partner_portal.views import bp, dashboard_panels, partner_nav
from shop.partners.models import TERM_DAYS, PartnerLocation
from shop.payments.registry import method_of
from shop.web import form_view, no_store
from shop.wholesale import csv_orders, partner_orders, quick_order
from shop.wholesale.delivery import Window, delivery_dates, windows
from shop.wholesale.drafts import Draft, encode_items, parse_items
from shop.wholesale.forms import ConfirmUploadForm, CsrfOnlyForm, PlaceOrderForm, UploadOrderForm
from shop.wholesale.ordering import PartnerOrderRequest, payment_options, place_partner_order, price_lines
from shop.wholesale.reorder import Change, reorder

partner_nav.add(10, "partners.order", _l("Quick order"), roles=ORDERING)
partner_nav.add(12, "partners.orders", _l("Orders"), roles=ORDERING)

DRAFT = "partner_order_draft"
CHANGES = "partner_order_changes"
# At most this many "order again" changes are kept to show (the rest are counted).
CHANGES_KEPT = 20


def _locale() -> str:
    return str(get_locale() or "vi")


# --- The draft ---------------------------------------------------------------------------------


def _draft() -> Draft:
    kept = session.get(DRAFT)
    if not isinstance(kept, dict) or kept.get("p") != g.partner.id:
        return Draft()
    return Draft.decode(kept.get("d"))


def _keep(draft: Draft) -> None:
    if draft.quantities or draft.typed:
        session[DRAFT] = {"p": g.partner.id, "d": draft.encode()}
    else:
        session.pop(DRAFT, None)


def _keep_changes(changes: list[Change]) -> None:
    session[CHANGES] = {
        "p": g.partner.id,
        "c": [change.as_dict() for change in changes[:CHANGES_KEPT]],
        "more": max(len(changes) - CHANGES_KEPT, 0),
    }


def _take_changes() -> tuple[list[str], int]:
    """The changes "order again" found, worded once (then forgotten)."""
    kept = session.pop(CHANGES, None)
    if not isinstance(kept, dict) or kept.get("p") != g.partner.id:
        return [], 0
    changes = [Change.from_dict(data) for data in kept.get("c") or () if isinstance(data, dict)]
    return [change.message() for change in changes if change], int(kept.get("more") or 0)


# --- Quick order grid --------------------------------------------------------------------------


def _filters(args) -> quick_order.Filters:
    return quick_order.Filters.from_args(args)


@bp.route("/order")
@partner_required(roles=ORDERING)
@form_view
@no_store
def order():
    filters = _filters(request.args)
    draft = _draft()
    mine = request.args.get("mine") == "1"
    variants, total, page = quick_order.find_variants(filters, only=list(draft.quantities) if mine else None)
    rows, basket = quick_order.grid(g.partner, variants, draft, day=clock.today())
    groups, producers = quick_order.filter_choices()
    changes, more_changes = _take_changes()
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
        locale=_locale(),
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
    draft = _draft()
    action = request.form.get("action") or "update"
    if action == "clear":
        _keep(Draft())
        flash(_("Your order is empty again."), "success")
        return redirect(url_for("partners.order"))
    try:
        _take_quantities(draft)
    except ValidationError as exc:
        flash(str(exc.message), "error")
    _keep(draft)
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
    draft = _draft()
    try:
        _take_quantities(draft)
    except ValidationError as exc:
        return jsonify(error=str(exc.message)), 400
    _keep(draft)
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


# --- CSV upload ----------------------------------------------------------------------------------


@bp.route("/order/upload", methods=["GET", "POST"])
@partner_required(roles=ORDERING)
@form_view
@no_store
def order_upload():
    """Upload or paste `sku,quantity` lines: every row is checked and shown; nothing is ordered,
    and nothing reaches the draft until the buyer confirms."""
    # Twice the file limit gets our own message; anything larger is cut off unread (413).
    request.max_content_length = csv_orders.MAX_BYTES * 2
    form = UploadOrderForm()
    preview = None
    if form.validate_on_submit():
        upload = form.file.data
        source = upload.stream if upload and getattr(upload, "filename", "") else None
        if source is None and not (form.text.data or "").strip():
            form.file.errors = [*form.file.errors, _("Choose a CSV file or paste the lines.")]
        else:
            try:
                preview = csv_orders.preview_order_file(g.partner, source or form.text.data, day=clock.today())
            except ShopError as exc:
                (form.file if source is not None else form.text).errors.append(str(exc.message))
    if preview is None:
        status = 400 if form.is_submitted() else 200
        return render_template("partner_portal/ordering/upload.html", form=form, max_rows=csv_orders.MAX_LINES), status
    return render_template(
        "partner_portal/ordering/upload_preview.html",
        preview=preview,
        confirm=ConfirmUploadForm(formdata=None, lines=encode_items(preview.items())),
        locale=_locale(),
        source_label=quick_order.source_label,
    )


@bp.route("/order/upload/confirm", methods=["POST"])
@partner_required(roles=ORDERING)
def order_upload_confirm():
    """The previewed rows that passed, into the draft (each replaces the pack's quantity)."""
    form = ConfirmUploadForm()
    if not form.validate_on_submit():
        flash(_("Your form expired. Please upload the file again."), "error")
        return redirect(url_for("partners.order_upload"))
    items = parse_items(form.lines.data)
    draft = _draft()
    try:
        draft.merge(items)
    except ValidationError as exc:
        flash(str(exc.message), "error")
        return redirect(url_for("partners.order_upload"))
    _keep(draft)
    flash(_("%(n)s lines are in your order. Check them and review the order.", n=len(items)), "success")
    return redirect(url_for("partners.order", mine="1"))


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
    now = utcnow()
    today = clock.today()
    locations = ordering_locations(g.membership)
    basket = price_lines(g.partner, draft.items(), day=today)
    dates = delivery_dates(basket.products, location, now) if location else []
    if chosen_date not in dates:
        chosen_date = dates[0] if dates else None
    slots = windows(location, chosen_date) if location and chosen_date else []
    options = payment_options(g.partner, basket.subtotal_vnd)
    credit = credit_summary(g.partner, today) if g.partner.on_terms else None
    due_on = due_on_for(g.partner.payment_terms, chosen_date, today) if g.partner.on_terms and chosen_date else None
    form.checkout_token.data = form.checkout_token.data or new_checkout_token()
    form.expected_total.data = str(basket.subtotal_vnd)
    changes, more_changes = _take_changes()
    return render_template(
        "partner_portal/ordering/review.html",
        form=form,
        basket=basket,
        locations=locations,
        location=location,
        dates=dates,
        chosen_date=chosen_date,
        slots=slots,
        chosen_window=chosen_window,
        options=options,
        credit=credit,
        due_on=due_on,
        term_days=TERM_DAYS.get(g.partner.payment_terms),
        changes=changes,
        more_changes=more_changes,
        locale=_locale(),
        source_label=quick_order.source_label,
        format_long_date=lambda day: format_date(day, "full"),
        errors=errors or {},
    ), status


@bp.route("/order/review")
@partner_required(roles=ORDERING)
@form_view
@no_store
def order_review():
    draft = _draft()
    basket = price_lines(g.partner, draft.items(), day=clock.today())
    gone = quick_order.missing_variants(draft, basket)
    if gone:
        for variant_id in gone:
            draft.quantities.pop(variant_id, None)
        _keep(draft)
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
    draft = _draft()
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
    existing = db.session.scalar(select(Order).where(Order.checkout_token == token, Order.partner_id == g.partner.id))
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
            g.partner, order_request, actor_user_id=current_user.id, email=current_user.email, locale=_locale()
        )
    except IntegrityError:
        # The same form sent twice at once: the other request placed the order.
        db.session.rollback()
        existing = db.session.scalar(select(Order).where(Order.checkout_token == token))
        if existing is None or existing.partner_id != g.partner.id:
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
    _keep(Draft())
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


# --- The partner's orders ------------------------------------------------------------------------


def _own_order_or_404(order_id: int) -> Order:
    """The partner's order (404 for another partner's), and for a buyer limited to some
    locations one of theirs (404 otherwise)."""
    order = own_or_404(Order, order_id)
    allowed = allowed_location_ids(g.membership)
    if order.number is None or (allowed is not None and order.partner_location_id not in allowed):
        abort(404)
    return order


@bp.route("/orders")
@partner_required(roles=ORDERING)
@no_store
def orders():
    allowed = allowed_location_ids(g.membership)
    location_id = None
    raw = request.args.get("location_id") or ""
    if raw:
        if not (raw.isdigit() and len(raw) < 10):
            abort(404)
        location = own_location_or_404(int(raw))
        if allowed is not None and location.id not in allowed:
            abort(404)
        location_id = location.id
    page = request.args.get("page", "1")
    listing = partner_orders.list_orders(
        g.partner.id,
        allowed,
        location_id=location_id,
        page=int(page) if page.isdigit() and len(page) < 6 else 1,
    )
    choices = [loc for loc in g.partner.locations if allowed is None or loc.id in allowed]
    return render_template(
        "partner_portal/ordering/orders.html",
        listing=listing,
        locations=choices,
        location_id=location_id,
        window_label=partner_orders.window_label,
    )


def _invoice_url(order: Order) -> str | None:
    """The invoice's page, for owners, once the invoices' pages exist."""
    if g.membership.role != "owner":
        return None
    endpoint = next(
        (e for e in ("partners.invoice", "partners.invoices_show") if e in current_app.view_functions), None
    )
    invoice = partner_orders.invoice_of(order) if endpoint else None
    return url_for(endpoint, invoice_id=invoice.id) if invoice else None


@bp.route("/orders/<int:order_id>")
@partner_required(roles=ORDERING)
@no_store
def orders_show(order_id: int):
    order = _own_order_or_404(order_id)
    location = db.session.get(PartnerLocation, order.partner_location_id) if order.partner_location_id else None
    return render_template(
        "partner_portal/ordering/order.html",
        order=order,
        location=location,
        shipments=partner_orders.shipments_of(order),
        shipment_statuses=SHIPMENT_STATUS_LABELS,
        window=partner_orders.window_label(order),
        invoice_url=_invoice_url(order),
        form=CsrfOnlyForm(formdata=None),
        locale=_locale(),
    )


@bp.route("/orders/<int:order_id>/again", methods=["POST"])
@partner_required(roles=ORDERING)
def orders_again(order_id: int):
    """Put an earlier order's lines in the draft at today's prices, and show what changed."""
    order = _own_order_or_404(order_id)
    if not CsrfOnlyForm().validate_on_submit():
        flash(_("Your form expired. Please try again."), "error")
        return redirect(url_for("partners.orders_show", order_id=order.id))
    again = reorder(g.partner, order, day=clock.today(), locale=_locale())
    draft = _draft()
    try:
        draft.merge(again.items)
    except ValidationError as exc:
        flash(str(exc.message), "error")
        return redirect(url_for("partners.orders_show", order_id=order.id))
    _keep(draft)
    _keep_changes(again.changes)
    if not again.items:
        flash(_("Nothing of order %(number)s can be ordered today.", number=order.number), "error")
        return redirect(url_for("partners.order"))
    if again.changes:
        flash(
            _(
                "The lines of order %(number)s are in your order, at today's prices. Some things changed: see below.",
                number=order.number,
            ),
            "warning",
        )
    else:
        flash(_("The lines of order %(number)s are in your order, at today's prices.", number=order.number), "success")
    if order.partner_location_id and order.partner_location_id in {loc.id for loc in ordering_locations(g.membership)}:
        return redirect(url_for("partners.order_review", location_id=order.partner_location_id))
    return redirect(url_for("partners.order_review"))


# --- Dashboard -----------------------------------------------------------------------------------


@dashboard_panels.add(10)
def _deliveries_panel(partner, membership):
    if membership is None or membership.role not in ORDERING:
        return None
    upcoming, locations = partner_orders.upcoming_deliveries(
        partner.id, allowed_location_ids(membership), clock.today()
    )
    return (
        "partner_portal/ordering/_panel.html",
        {"orders": upcoming, "locations": locations, "window_label": partner_orders.window_label},
    )
