"""Staff pay producers: what each producer is owed for a month (its statement's figures and its
bank account), the payouts recorded, and the form to record one."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from shop import clock
from shop.admin.views import admin_nav, bp
from shop.errors import NotFound, ShopError
from shop.extensions import db
from shop.money import format_vnd
from shop.producers.models import Producer
from shop.settlements import services as settlements
from shop.settlements.forms import PayoutForm
from shop.settlements.models import Payout
from shop.settlements.periods import Period
from shop.web import form_view, no_store, put_error_on_form, role_required

admin_nav.add(50, "admin.payouts", _l("Payouts"))


def _period_from(text: str | None) -> Period:
    """The month asked for; by default last month (the latest one that is over)."""
    try:
        return Period.parse(text) if text else Period.current().previous()
    except NotFound:
        return Period.current().previous()


def _render(period: Period, form: PayoutForm, status: int = 200):
    dues = settlements.statements_due(period)
    payouts = list(
        db.session.scalars(
            select(Payout).where(Payout.period == period.key).order_by(Payout.paid_on.desc(), Payout.id.desc())
        )
    )
    names = {d.producer.id: d.producer.name for d in dues}
    locale = str(get_locale())
    return (
        render_template(
            "admin/payouts/index.html",
            period=period,
            dues=dues,
            payouts=payouts,
            names=names,
            form=form,
            locale=locale,
            current=Period.current(),
        ),
        status,
    )


def _choices(period: Period) -> list[tuple[int, str]]:
    """Producers one may pay: those with something due for the month, and any other in the
    portal (a payout for a month not yet on the list is refused with the balance, which says why)."""
    dues = {d.producer.id: d for d in settlements.statements_due(period)}
    producers = db.session.scalars(
        select(Producer).where(Producer.status.in_(("active", "suspended"))).order_by(Producer.name, Producer.id)
    ).all()
    choices = [("", _("Choose a producer"))]
    for producer in producers:
        due = dues.get(producer.id)
        label = producer.name
        if due is not None:
            label = _("%(name)s (balance %(balance)s)", name=producer.name, balance=format_vnd(due.totals.balance_vnd))
        choices.append((producer.id, label))
    return choices


@bp.route("/payouts", methods=["GET", "POST"])
@role_required("admin")
@no_store
@form_view
def payouts():
    period = _period_from(request.values.get("period") if request.method == "GET" else request.form.get("period"))
    form = PayoutForm()
    form.producer_id.choices = _choices(period)
    if request.method == "GET":
        form.period.data = period.key
        form.paid_on.data = clock.today()
        chosen = request.args.get("producer", type=int)
        if chosen is not None:
            form.producer_id.data = chosen
        return _render(period, form)
    if form.validate_on_submit():
        producer = db.session.get(Producer, form.producer_id.data)
        try:
            if producer is None:
                raise NotFound()
            payout = settlements.record_payout(
                producer,
                period=form.period.data.strip(),
                paid_on=form.paid_on.data,
                amount_vnd=form.amount_vnd.data,
                bank_reference=form.bank_reference.data,
                note=form.note.data,
                actor=current_user,
            )
        except ShopError as exc:
            db.session.rollback()
            put_error_on_form(form, exc)
        else:
            db.session.commit()
            flash(
                _(
                    "Payout of %(amount)s to %(name)s for %(month)s recorded.",
                    amount=format_vnd(payout.amount_vnd),
                    name=producer.name,
                    month=payout.period,
                ),
                "success",
            )
            return redirect(url_for("admin.payouts", period=payout.period))
    return _render(period, form, 400)
