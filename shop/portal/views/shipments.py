"""A producer's shipments: the list (by state and day, newest first), one shipment with what is
needed to send it and the next move, a printable packing slip, and the dashboard's "waiting"
panel. The rules are in shop/fulfilment/services.py; here only who may see what."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Length

from shop import audit
from shop.errors import ShopError, ValidationError
from shop.extensions import db
from shop.fulfilment import services as fulfilment
from shop.fulfilment.models import CARRIERS, SHIPMENT_STATUSES, Shipment
from shop.orders.services import DELIVERY_LABELS
from shop.portal.access import own_or_404, producer_required
from shop.portal.views import bp, dashboard_panels, portal_nav
from shop.web import no_store

portal_nav.add(10, "producers.shipments", _l("Shipments"))

AUDITED = ("status", "carrier", "tracking_number", "cancel_reason", "refund_vnd", "refund_status")


class MoveForm(FlaskForm):
    """Packed, delivered: only the CSRF token."""


class ShipForm(FlaskForm):
    carrier = SelectField(
        _l("Carrier"),
        choices=[SelectChoice("", _l("Choose…"))] + [SelectChoice(c, fulfilment.CARRIER_LABELS[c]) for c in CARRIERS],
        validate_choice=False,
    )
    tracking_number = StringField(
        _l("Tracking number"),
        validators=[Length(max=60)],
        description=_l("As on the carrier's receipt. Not needed for your own delivery."),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )


class CancelForm(FlaskForm):
    reason = TextAreaField(
        _l("Why you cannot send these items"),
        validators=[Length(max=fulfilment.MAX_REASON)],
        description=_l("Seen by the shop's staff. The shopper is told that the items are cancelled."),
    )


def _shipment(shipment_id: int) -> Shipment:
    """The current producer's shipment, once its order is confirmed; else 404 (another
    producer's shipment and one still waiting for payment look the same: not there)."""
    shipment = own_or_404(Shipment, shipment_id)
    if shipment.notified_at is None:
        abort(404)
    return shipment


def _date(name: str) -> date | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


@bp.route("/shipments")
@producer_required
@no_store
def shipments():
    status = request.args.get("status") or None
    if status not in (None, *SHIPMENT_STATUSES):
        status = None
    f = fulfilment.ShipmentFilter(status=status, date_from=_date("from"), date_to=_date("to"))
    listing = fulfilment.shipments_page(
        g.producer.id, f, page=request.args.get("page", 1, type=int), per_page=fulfilment.PAGE_SIZE
    )
    return render_template(
        "portal/shipments/list.html",
        listing=listing,
        f=f,
        statuses=fulfilment.STATUS_LABELS,
        counts=fulfilment.waiting_counts(g.producer.id),
        locale=str(get_locale()),
    )


def _render_shipment(shipment: Shipment, *, ship_form=None, cancel_form=None, status: int = 200):
    return (
        render_template(
            "portal/shipments/show.html",
            shipment=shipment,
            order=shipment.order,
            lines=shipment.lines,
            moves=fulfilment.next_moves(shipment),
            shows_contact=fulfilment.shows_contact(shipment),
            ship_form=ship_form or ShipForm(formdata=None),
            cancel_form=cancel_form or CancelForm(formdata=None),
            statuses=fulfilment.STATUS_LABELS,
            carrier_label=fulfilment.carrier_label,
            delivery_labels=DELIVERY_LABELS,
            locale=str(get_locale()),
        ),
        status,
    )


@bp.route("/shipments/<int:shipment_id>")
@producer_required
@no_store
def shipments_show(shipment_id: int):
    return _render_shipment(_shipment(shipment_id))


@bp.route("/shipments/<int:shipment_id>/slip")
@producer_required
@no_store
def shipments_slip(shipment_id: int):
    shipment = _shipment(shipment_id)
    return render_template(
        "portal/shipments/slip.html",
        shipment=shipment,
        order=shipment.order,
        lines=shipment.lines,
        shows_contact=fulfilment.shows_contact(shipment),
        delivery_labels=DELIVERY_LABELS,
        locale=str(get_locale()),
    )


def _act(shipment: Shipment, form: FlaskForm, work, *, action: str):
    """Check the token, do `work` (a fulfilment move), record it in the audit log, commit once.
    A refusal is said on the page and changes nothing; a field's error re-shows the form."""
    back = url_for("producers.shipments_show", shipment_id=shipment.id)
    if not form.validate_on_submit():
        if form.errors and set(form.errors) != {"csrf_token"}:
            return None  # a field's own error: the caller shows the form again
        flash(_("Your form expired. Please try again."), "error")
        return redirect(back)
    before = audit.snapshot(shipment, AUDITED)
    try:
        said = work()
    except ValidationError:
        db.session.rollback()
        raise
    except ShopError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(back)
    audit.record(
        f"shipment.{action}",
        "shipment",
        shipment.id,
        actor=current_user,
        producer_id=g.producer.id,
        before=before,
        after=audit.snapshot(shipment, AUDITED),
        note=f"order {shipment.order.number}",
    )
    db.session.commit()
    flash(str(said), "success")
    return redirect(back)


@bp.route("/shipments/<int:shipment_id>/pack", methods=["POST"])
@producer_required
def shipments_pack(shipment_id: int):
    shipment = _shipment(shipment_id)

    def work():
        fulfilment.pack(shipment, actor=current_user.id)
        return _("The shipment is packed. Mark it shipped when the carrier takes it.")

    return _act(shipment, MoveForm(), work, action="pack") or redirect(
        url_for("producers.shipments_show", shipment_id=shipment.id)
    )


@bp.route("/shipments/<int:shipment_id>/ship", methods=["POST"])
@producer_required
def shipments_ship(shipment_id: int):
    shipment = _shipment(shipment_id)
    form = ShipForm()

    def work():
        fulfilment.ship(
            shipment, carrier=form.carrier.data, tracking_number=form.tracking_number.data, actor=current_user.id
        )
        return _("The shipment is on its way. The shopper has been told how to track it.")

    try:
        response = _act(shipment, form, work, action="ship")
    except ValidationError as exc:
        getattr(form, exc.field).errors = [str(exc.message)]
        response = None
    return response or _render_shipment(_shipment(shipment_id), ship_form=form, status=422)


@bp.route("/shipments/<int:shipment_id>/deliver", methods=["POST"])
@producer_required
def shipments_deliver(shipment_id: int):
    shipment = _shipment(shipment_id)

    def work():
        fulfilment.deliver(shipment, actor=current_user.id)
        return _("The shipment is marked delivered.")

    return _act(shipment, MoveForm(), work, action="deliver") or redirect(
        url_for("producers.shipments_show", shipment_id=shipment.id)
    )


@bp.route("/shipments/<int:shipment_id>/cancel", methods=["POST"])
@producer_required
def shipments_cancel(shipment_id: int):
    shipment = _shipment(shipment_id)
    form = CancelForm()

    def work():
        fulfilment.cancel_shipment(shipment, reason=form.reason.data, actor=current_user.id)
        return _("The shipment is cancelled and its stock is back on sale. The shopper has been told.")

    try:
        response = _act(shipment, form, work, action="cancel")
    except ValidationError as exc:
        form.reason.errors = [str(exc.message)]
        response = None
    return response or _render_shipment(_shipment(shipment_id), cancel_form=form, status=422)


@dashboard_panels.add(20)
def _waiting_panel(producer, membership):
    """Shipments waiting: how many to pack and packed, the oldest first."""
    counts = fulfilment.waiting_counts(producer.id)
    if not any(counts.values()):
        return None
    return "portal/shipments/_panel.html", {
        "counts": counts,
        "oldest": fulfilment.oldest_waiting(producer.id),
        "statuses": fulfilment.STATUS_LABELS,
    }
