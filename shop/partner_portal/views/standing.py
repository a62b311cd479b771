"""Standing orders (owners and buyers): the list per location, a new one, one standing order's
page with its next dates and past runs, and its buttons (pause, resume, skip or deliver again on
a date, change the lines from a date, end it). The run itself is `flask shop
run-standing-orders`; nothing here orders."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from shop import clock
from shop.clock import format_minutes
from shop.errors import ShopError
from shop.extensions import db
from shop.partner_portal.access import ORDERING, own_location_or_404, own_or_404, partner_required
from shop.partner_portal.views import bp, dashboard_panels, partner_nav
from shop.partners.members import may_order_for
from shop.partners.models import WEEKDAY_NAMES
from shop.web import form_action, form_view, no_store, put_error_on_form
from shop.wholesale import standing as services
from shop.wholesale.delivery import Window
from shop.wholesale.models import StandingOrder
from shop.wholesale.standing_forms import ActionForm, ChangeLinesForm, DateActionForm, StandingOrderForm, parse_date

partner_nav.add(20, "partners.standing", _l("Standing orders"), roles=ORDERING)


@dashboard_panels.add(20)
def _standing_panel(partner, membership):
    if membership is None or membership.role not in ORDERING or partner.status != "active":
        return None
    summary = services.panel_summary(partner, membership.user)
    if summary is None:
        return None
    return "partner_portal/standing/_panel.html", {"summary": summary, "services": services}


def _own_standing_or_404(standing_order_id: int) -> StandingOrder:
    """The partner's standing order, for a location the member orders for (404 otherwise)."""
    standing = own_or_404(StandingOrder, standing_order_id)
    if not may_order_for(g.membership, standing.location_id):
        abort(404)
    return standing


def _show_error(form, exc: ShopError) -> None:
    if not form.put_line_error(exc.field, str(exc.message)):
        put_error_on_form(form, exc)


@bp.route("/standing-orders")
@partner_required(roles=ORDERING)
@no_store
def standing():
    return render_template(
        "partner_portal/standing/list.html",
        groups=services.standing_orders_for(g.partner, current_user),
        today=clock.today(),
        services=services,
        takes_standing_orders=services.takes_standing_orders(g.partner),
        on_terms=g.partner.on_terms,
    )


@bp.route("/standing-orders/new/<int:location_id>", methods=["GET", "POST"])
@partner_required(roles=ORDERING)
@form_view
@no_store
def standing_new(location_id: int):
    location = own_location_or_404(location_id, for_ordering=True)
    form = StandingOrderForm()
    form.set_windows(services.location_windows(location))
    if request.method == "GET":
        form.start_date.data = clock.today() + timedelta(days=1)
    if request.method == "POST" and form.validate_on_submit():
        details = services.StandingOrderDetails(
            name=form.name.data,
            lines=form.line_pairs(),
            weekdays=form.weekday_list(),
            start_date=form.start_date.data,
            end_date=form.end_date.data,
            window=Window.parse(form.window.data),
            po_number=form.po_number.data,
        )
        try:
            created = services.create_standing_order(g.partner, current_user, location.id, details)
        except ShopError as exc:
            db.session.rollback()
            _show_error(form, exc)
        else:
            db.session.commit()
            flash(_("Standing order %(name)s saved.", name=created.name), "success")
            return redirect(url_for("partners.standing_show", standing_order_id=created.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "partner_portal/standing/form.html",
        form=form,
        location=location,
        on_terms=g.partner.on_terms,
        weekday_names=WEEKDAY_NAMES,
        format_minutes=format_minutes,
    ), status


def _show_page(standing: StandingOrder, *, lines_form: ChangeLinesForm | None = None, status: int = 200):
    today = clock.today()
    variants = services.variants_of(standing)
    first = services.first_changeable_date(standing, today)
    if lines_form is None:
        lines_form = ChangeLinesForm(formdata=None)
        lines_form.from_date.data = first
        lines_form.fill_lines(services.lines_to_change(standing, first, variants))
    return render_template(
        "partner_portal/standing/show.html",
        standing=standing,
        location=standing.location,
        days=services.upcoming(standing, today),
        runs=[(run, order, services.RunDetail.of(run)) for run, order in services.past_runs(standing)],
        lines=sorted(standing.lines, key=lambda line: (line.valid_from, line.id)),
        variants=variants,
        today=today,
        services=services,
        takes_standing_orders=services.takes_standing_orders(g.partner),
        lines_form=lines_form,
        action_form=ActionForm(formdata=None),
        date_form=DateActionForm(formdata=None),
        first_changeable=first,
    ), status


@bp.route("/standing-orders/<int:standing_order_id>")
@partner_required(roles=ORDERING)
@no_store
def standing_show(standing_order_id: int):
    return _show_page(_own_standing_or_404(standing_order_id))


@bp.route("/standing-orders/<int:standing_order_id>/lines", methods=["POST"])
@partner_required(roles=ORDERING)
@form_view
@no_store
def standing_lines(standing_order_id: int):
    standing = _own_standing_or_404(standing_order_id)
    form = ChangeLinesForm()
    if form.validate_on_submit():
        try:
            services.change_lines_from(g.partner, current_user, standing.id, form.from_date.data, form.line_pairs())
        except ShopError as exc:
            db.session.rollback()
            _show_error(form, exc)
        else:
            db.session.commit()
            flash(
                _("The new lines apply from %(date)s.", date=format_date(form.from_date.data, "full")),
                "success",
            )
            return redirect(url_for("partners.standing_show", standing_order_id=standing.id))
    return _show_page(_own_standing_or_404(standing_order_id), lines_form=form, status=400)


def _back(standing_id: int) -> str:
    return url_for("partners.standing_show", standing_order_id=standing_id)


@bp.route("/standing-orders/<int:standing_order_id>/pause", methods=["POST"])
@partner_required(roles=ORDERING)
def standing_pause(standing_order_id: int):
    standing = _own_standing_or_404(standing_order_id)

    def work():
        services.pause_standing_order(g.partner, current_user, standing.id)
        return _("%(name)s is paused: nothing more is ordered until you resume it.", name=standing.name)

    return form_action(ActionForm(), back=_back(standing.id), work=work)


@bp.route("/standing-orders/<int:standing_order_id>/resume", methods=["POST"])
@partner_required(roles=ORDERING)
def standing_resume(standing_order_id: int):
    standing = _own_standing_or_404(standing_order_id)

    def work():
        services.resume_standing_order(g.partner, current_user, standing.id)
        return _("%(name)s is active again.", name=standing.name)

    return form_action(ActionForm(), back=_back(standing.id), work=work)


@bp.route("/standing-orders/<int:standing_order_id>/skip", methods=["POST"])
@partner_required(roles=ORDERING)
def standing_skip(standing_order_id: int):
    standing = _own_standing_or_404(standing_order_id)
    form = DateActionForm()

    def work():
        day = parse_date(form.day.data)
        services.skip_date(g.partner, current_user, standing.id, day)
        return _("No delivery on %(date)s.", date=format_date(day, "full"))

    return form_action(form, back=_back(standing.id), work=work)


@bp.route("/standing-orders/<int:standing_order_id>/unskip", methods=["POST"])
@partner_required(roles=ORDERING)
def standing_unskip(standing_order_id: int):
    standing = _own_standing_or_404(standing_order_id)
    form = DateActionForm()

    def work():
        day = parse_date(form.day.data)
        services.unskip_date(g.partner, current_user, standing.id, day)
        return _("%(date)s will be delivered again.", date=format_date(day, "full"))

    return form_action(form, back=_back(standing.id), work=work)


@bp.route("/standing-orders/<int:standing_order_id>/end", methods=["POST"])
@partner_required(roles=ORDERING)
def standing_end(standing_order_id: int):
    standing = _own_standing_or_404(standing_order_id)
    form = DateActionForm()
    removed = False

    def work():
        nonlocal removed
        kept = services.end_standing_order(g.partner, current_user, standing.id, parse_date(form.last_date.data))
        if kept is None:
            removed = True
            return _("%(name)s is removed: it had not started.", name=standing.name)
        return _("%(name)s ends after %(date)s.", name=standing.name, date=format_date(kept.end_date, "full"))

    response = form_action(form, back=_back(standing.id), work=work)
    return redirect(url_for("partners.standing")) if removed else response
