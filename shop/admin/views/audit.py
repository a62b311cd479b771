"""The audit log for staff: every admin action and every producer change, newest first,
filtered by producer, kind of thing, action, person and dates. Read-only (the table is
append-only in the database)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from shop import clock
from shop.admin.views import admin_nav, bp
from shop.audit.services import events
from shop.extensions import db
from shop.producers.models import Producer
from shop.web import no_store, role_required

admin_nav.add(90, "admin.audit", _l("Audit log"))

PAGE = 50
ENTITIES = {
    "producer": _l("Producer"),
    "member": _l("Member"),
    "product": _l("Product"),
    "variant": _l("Variant"),
    "image": _l("Image"),
    "certificate": _l("Certificate"),
    "stock": _l("Stock"),
    "shipment": _l("Shipment"),
    "payout": _l("Payout"),
    "order": _l("Order"),
}


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _start_of(day: date) -> datetime:
    """Midnight of a Vietnamese calendar day, as the instant stored in the log."""
    return datetime.combine(day, time.min, tzinfo=clock.VN)


@bp.route("/audit")
@role_required("admin")
@no_store
def audit():
    args = request.args
    since, until = _day(args.get("from")), _day(args.get("to"))
    entity = args.get("entity") if args.get("entity") in ENTITIES else None
    filters = {
        "producer_id": _int(args.get("producer")),
        "entity": entity,
        "action": (args.get("action") or "").strip()[:60] or None,
        "actor_email": (args.get("actor") or "").strip()[:254] or None,
        "since": _start_of(since) if since else None,
        "until": _start_of(until + timedelta(days=1)) if until else None,
    }
    rows = events(**filters, before_id=_int(args.get("before")), limit=PAGE + 1)
    producers = db.session.execute(select(Producer.id, Producer.name).order_by(Producer.name)).all()
    next_args = None
    if len(rows) > PAGE:
        rows = rows[:PAGE]
        next_args = {**args.to_dict(), "before": rows[-1].id}
    return render_template(
        "admin/audit/list.html",
        rows=rows,
        producers=producers,
        producer_names=dict(producers),
        entities=ENTITIES,
        args=args,
        next_args=next_args,
    )
