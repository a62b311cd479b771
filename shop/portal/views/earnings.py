"""What the producer earns: monthly statements (delivered lines, the shop's commission, refunds,
amount due, payouts, balance), each as a page and as CSV, and the payouts the shop sent."""

from __future__ import annotations

from flask import Response, g, render_template, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from shop.portal.access import producer_required
from shop.portal.views import bp, portal_nav
from shop.settlements import services as settlements
from shop.settlements.periods import Period
from shop.web import no_store

portal_nav.add(60, "producers.statements", _l("Statements"))


@bp.route("/statements")
@producer_required
@no_store
def statements():
    summaries = settlements.months(g.producer.id)
    return render_template(
        "portal/earnings/months.html",
        months=summaries,
        balance_vnd=sum(m.totals.balance_vnd for m in summaries),
        rate=settlements.rate_for(g.producer),
        format_rate=settlements.format_rate,
        current=Period.current(),
    )


@bp.route("/statements/<period>")
@producer_required
@no_store
def statements_month(period: str):
    month = Period.parse(period)  # anything but YYYY-MM is a 404
    page = request.args.get("page", 1, type=int)
    locale = str(get_locale())
    return render_template(
        "portal/earnings/statement.html",
        statement=settlements.statement(g.producer.id, month, page=page, locale=locale),
        rate=settlements.rate_for(g.producer),
        format_rate=settlements.format_rate,
        locale=locale,
    )


@bp.route("/statements/<period>.csv")
@producer_required
@no_store
def statements_csv(period: str):
    month = Period.parse(period)
    body = settlements.statement_csv(g.producer.id, month, locale=str(get_locale()))
    filename = f"statement-{g.producer.slug}-{month.key}.csv"
    return Response(
        body.encode("utf-8"),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/payouts")
@producer_required
@no_store
def statements_payouts():
    return render_template("portal/earnings/payouts.html", payouts=settlements.payouts_for(g.producer.id))
