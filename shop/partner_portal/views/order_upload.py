"""A partner's order from a CSV file or pasted `sku,quantity` lines (owners and buyers): every
row checked and shown, then the rows that passed go into the order being put together."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from shop import clock
from shop.errors import ShopError, ValidationError
from shop.partner_portal.access import ORDERING, partner_required
from shop.partner_portal.views import bp
from shop.partner_portal.views.draft_session import current_draft, keep_draft, locale
from shop.web import form_view, no_store
from shop.wholesale import csv_orders, quick_order
from shop.wholesale.drafts import encode_items, parse_items
from shop.wholesale.forms import ConfirmUploadForm, UploadOrderForm


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
        locale=locale(),
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
    draft = current_draft()
    try:
        draft.merge(items)
    except ValidationError as exc:
        flash(str(exc.message), "error")
        return redirect(url_for("partners.order_upload"))
    keep_draft(draft)
    flash(_("%(n)s lines are in your order. Check them and review the order.", n=len(items)), "success")
    return redirect(url_for("partners.order", mine="1"))
