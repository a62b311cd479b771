"""A producer's stock: each variant's figures with "set to N" (compare-and-set), an adjustment
by a signed amount with a reason, and the low-stock threshold; the ledger, filtered and as CSV;
the variants as a CSV to edit and upload again, previewed, then applied all or nothing; the
dashboard's list of what runs low."""

from __future__ import annotations

from datetime import date

from flask import Response, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import format_number, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from shop import clock
from shop.catalog.models import Product, Variant
from shop.errors import ShopError
from shop.extensions import db
from shop.inventory import bulk
from shop.inventory import services as stock
from shop.inventory.forms import AdjustStockForm, ApplyUploadForm, SetStockForm, ThresholdForm, UploadForm
from shop.inventory.models import StockUpload
from shop.portal.access import own_or_404, producer_required
from shop.portal.views import bp, dashboard_panels, portal_nav
from shop.web import form_action, form_view, no_store, put_error_on_form

portal_nav.add(30, "producers.stock", _l("Stock"))

PREVIEW_PAGE = 100


@dashboard_panels.add(30)
def _low_stock_panel(producer, membership):
    """What can still be sold of these variants is at or below the threshold the producer set."""
    variants, total = stock.low_stock(producer.id)
    if not total:
        return None
    return "portal/stock/_low_stock_panel.html", {"variants": variants, "total": total}


def _variant_of_producer(variant_id: int) -> Variant:
    return own_or_404(Variant, variant_id, producer_of=lambda v: v.product.producer_id)


def _back(variant_id: int | None = None) -> str:
    """The stock page as the person left it (search and page), at the variant's card."""
    args = {k: v for k in ("q", "page") if (v := request.args.get(k))}
    anchor = f"#variant-{variant_id}" if variant_id else ""
    return url_for("producers.stock", **args) + anchor


@bp.route("/stock", endpoint="stock")
@producer_required
@no_store
def stock_list():
    q = (request.args.get("q") or "").strip()[:100]
    variants, page, pages, total = stock.variants_page(g.producer.id, q=q, page=request.args.get("page", 1, type=int))
    return render_template(
        "portal/stock/list.html",
        variants=variants,
        page=page,
        pages=pages,
        total=total,
        q=q,
        reasons=stock.ADJUST_REASON_LABELS,
        form=SetStockForm(formdata=None),
        locale=str(get_locale()),
    )


@bp.route("/stock/<int:variant_id>/set", methods=["POST"])
@producer_required
def stock_set(variant_id: int):
    variant = _variant_of_producer(variant_id)
    form = SetStockForm()

    def work():
        on_hand = stock.parse_whole_number(form.on_hand.data, field="on_hand")
        seen = stock.parse_whole_number(form.seen.data, field="seen")
        _variant, change = stock.set_on_hand(
            variant.id, on_hand, seen=seen, producer_id=g.producer.id, actor=current_user, note=form.note.data
        )
        if not change:
            return _("%(sku)s: on hand stays %(on_hand)s.", sku=variant.sku, on_hand=on_hand), "info"
        return _("%(sku)s: on hand is now %(on_hand)s.", sku=variant.sku, on_hand=on_hand)

    return form_action(form, back=_back(variant.id), work=work)


@bp.route("/stock/<int:variant_id>/adjust", methods=["POST"])
@producer_required
def stock_adjust(variant_id: int):
    variant = _variant_of_producer(variant_id)
    form = AdjustStockForm()

    def work():
        amount = stock.parse_whole_number(form.amount.data, field="amount", signed=True)
        changed = stock.adjust_stock(
            variant.id,
            amount,
            reason=form.reason.data or "",
            producer_id=g.producer.id,
            actor=current_user,
            note=form.note.data,
        )
        return _("%(sku)s: on hand is now %(on_hand)s.", sku=variant.sku, on_hand=changed.on_hand)

    return form_action(form, back=_back(variant.id), work=work)


@bp.route("/stock/<int:variant_id>/threshold", methods=["POST"])
@producer_required
def stock_threshold(variant_id: int):
    variant = _variant_of_producer(variant_id)
    form = ThresholdForm()

    def work():
        threshold = stock.parse_whole_number(form.threshold.data, field="threshold", blank_is_none=True)
        stock.set_low_stock_threshold(variant.id, threshold, producer_id=g.producer.id, actor=current_user)
        if threshold is None:
            return _("%(sku)s: no low-stock warning.", sku=variant.sku)
        return _("%(sku)s: warning at %(threshold)s or fewer available.", sku=variant.sku, threshold=threshold)

    return form_action(form, back=_back(variant.id), work=work)


# --- The ledger ---------------------------------------------------------------------------------


def _ledger_filter() -> tuple[stock.LedgerFilter, dict, list[str]]:
    """The filter the query string asks for, the values to show in the form, and what in it was
    wrong (a SKU that is not one of the producer's, a date that is no date)."""
    args = request.args
    shown = {k: (args.get(k) or "").strip()[:60] for k in ("sku", "reason", "start", "end")}
    problems: list[str] = []
    variant_id = None
    if shown["sku"]:
        variant_id = db.session.scalar(
            select(Variant.id).join(Product).where(Variant.sku == shown["sku"], Product.producer_id == g.producer.id)
        )
        if variant_id is None:
            problems.append(_("None of your variants has the SKU %(sku)s.", sku=shown["sku"]))
            variant_id = -1  # shows nothing rather than everything
    reason = shown["reason"] if shown["reason"] in stock.REASONS else None
    days = {}
    for key in ("start", "end"):
        try:
            days[key] = date.fromisoformat(shown[key]) if shown[key] else None
        except ValueError:
            days[key] = None
            problems.append(_("“%(value)s” is not a date.", value=shown[key]))
    if days["start"] and days["end"] and days["start"] > days["end"]:
        problems.append(_("The start date is after the end date."))
        days["start"], days["end"] = days["end"], days["start"]
    return stock.LedgerFilter(variant_id, reason, days["start"], days["end"]), shown, problems


@bp.route("/stock/ledger")
@producer_required
@no_store
def stock_ledger():
    f, shown, problems = _ledger_filter()
    ledger = stock.ledger_page(g.producer.id, f, page=request.args.get("page", 1, type=int))
    filters = {k: v for k, v in shown.items() if v}
    return render_template(
        "portal/stock/ledger.html",
        ledger=ledger,
        shown=shown,
        filters=filters,
        problems=problems,
        reasons=stock.REASON_LABELS,
        today=clock.today(),
    )


@bp.route("/stock/ledger.csv")
@producer_required
def stock_ledger_csv():
    f, _shown, _problems = _ledger_filter()
    chunks = stock.ledger_csv(g.producer.id, f)
    name = f"stock-ledger-{clock.today().isoformat()}.csv"
    return _csv_response(_streamed(chunks), name)


def _streamed(chunks):
    """Send the chunks as they are made: a long ledger is never held in memory whole. The
    request's context is gone by then, so each batch is read in an app context of its own,
    opened and closed around that batch alone (a server may resume the response elsewhere)."""
    app = current_app._get_current_object()

    def generate():
        while True:
            with app.app_context():
                chunk = next(chunks, None)
            if chunk is None:
                return
            yield chunk

    return generate()


@bp.route("/stock/export.csv")
@producer_required
def stock_export():
    name = f"stock-{clock.today().isoformat()}.csv"
    return _csv_response(bulk.export_csv(g.producer.id), name)


def _csv_response(body, filename: str) -> Response:
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


# --- Bulk upload --------------------------------------------------------------------------------


@bp.route("/stock/upload", methods=["GET", "POST"])
@producer_required
@form_view
@no_store
def stock_upload():
    form = UploadForm()
    if form.validate_on_submit():
        try:
            upload = bulk.preview_upload(
                g.producer.id, form.file.data.stream, form.file.data.filename or "stock.csv", actor=current_user
            )
        except ShopError as exc:
            db.session.rollback()
            put_error_on_form(form, exc)
        else:
            db.session.commit()
            return redirect(url_for("producers.stock_upload_preview", upload_id=upload.id))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "portal/stock/upload.html", form=form, max_rows=format_number(bulk.MAX_ROWS), header=bulk.HEADER
    ), status


@bp.route("/stock/upload/<int:upload_id>")
@producer_required
@no_store
def stock_upload_preview(upload_id: int):
    upload = own_or_404(StockUpload, upload_id)
    # What needs reading first: rows with errors, then rows that change something.
    shown = [r for r in upload.rows if r["errors"]] + [r for r in upload.rows if r["changes"] and not r["errors"]]
    pages = max(1, -(-len(shown) // PREVIEW_PAGE))
    page = min(max(1, request.args.get("page", 1, type=int)), pages)
    return render_template(
        "portal/stock/preview.html",
        upload=upload,
        summary=bulk.summary(upload),
        rows=shown[(page - 1) * PREVIEW_PAGE : page * PREVIEW_PAGE],
        page=page,
        pages=pages,
        row_messages=bulk.row_messages,
        labels=bulk.COLUMN_LABELS,
        fields=bulk.FIELDS,
        form=ApplyUploadForm(formdata=None),
    )


@bp.route("/stock/upload/<int:upload_id>/apply", methods=["POST"])
@producer_required
def stock_upload_apply(upload_id: int):
    upload = own_or_404(StockUpload, upload_id)
    preview = url_for("producers.stock_upload_preview", upload_id=upload.id)
    form = ApplyUploadForm()
    if not form.validate_on_submit():
        flash(_("Your form expired. Please try again."), "error")
        return redirect(preview)
    try:
        changed = bulk.apply_upload(upload.id, producer_id=g.producer.id, actor=current_user)
    except ShopError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(preview)
    db.session.commit()
    flash(ngettext("%(num)d variant changed.", "%(num)d variants changed.", changed), "success")
    return redirect(url_for("producers.stock"))
