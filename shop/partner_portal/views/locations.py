"""The partner's delivery locations: every member sees them with their receiving hours; owners
add, change, close and reopen them."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from shop import clock
from shop.errors import ShopError
from shop.extensions import db
from shop.partner_portal.access import EVERYONE, OWNER, allowed_location_ids, own_location_or_404, partner_required
from shop.partner_portal.views import bp, partner_nav
from shop.partners import locations as location_services
from shop.partners.forms import WEEKDAY_NAMES, LocationForm, MemberActionForm, put_hours_error
from shop.web import form_action, form_view, no_store, put_error_on_form

partner_nav.add(82, "partners.locations", _l("Locations"), roles=EVERYONE)


def _refreshing() -> bool:
    return bool(request.form.get("refresh_wards"))


@bp.route("/locations")
@partner_required
@no_store
def locations():
    allowed = allowed_location_ids(g.membership)
    return render_template(
        "partner_portal/locations/list.html",
        locations=g.partner.locations,
        allowed=allowed,
        weekday_names=WEEKDAY_NAMES,
        format_minutes=clock.format_minutes,
        action_form=MemberActionForm(formdata=None),
        is_owner=g.membership.role == "owner",
    )


def _location_form(location=None):
    """The add/edit form; the service's errors are shown next to their fields."""
    form = LocationForm()
    if request.method == "GET" and location is not None:
        form.fill(location)
    form.set_place_choices(form.province_code.data)
    if request.method == "POST" and not _refreshing() and form.validate_on_submit():
        try:
            if location is None:
                location_services.add_location(g.partner, current_user, form.details())
                message = _("Location added.")
            else:
                changed = location_services.update_location(g.partner, current_user, location.id, form.details())
                message = _("Location saved.") if changed else _("Nothing was changed.")
        except ShopError as exc:
            db.session.rollback()
            if not put_hours_error(form, exc):
                put_error_on_form(form, exc)
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("partners.locations"))
    status = 400 if request.method == "POST" and not _refreshing() else 200
    return render_template("partner_portal/locations/form.html", form=form, location=location), status


@bp.route("/locations/new", methods=["GET", "POST"])
@partner_required(roles=OWNER)
@form_view
@no_store
def locations_new():
    return _location_form()


@bp.route("/locations/<int:location_id>", methods=["GET", "POST"])
@partner_required(roles=OWNER)
@form_view
@no_store
def locations_edit(location_id: int):
    return _location_form(own_location_or_404(location_id))


@bp.route("/locations/<int:location_id>/close", methods=["POST"])
@partner_required(roles=OWNER)
def locations_close(location_id: int):
    location = own_location_or_404(location_id)

    def work():
        location_services.close_location(g.partner, current_user, location.id)
        return _("%(name)s is closed: no new order can name it.", name=location.name)

    return form_action(MemberActionForm(), back=url_for("partners.locations"), work=work)


@bp.route("/locations/<int:location_id>/reopen", methods=["POST"])
@partner_required(roles=OWNER)
def locations_reopen(location_id: int):
    location = own_location_or_404(location_id)

    def work():
        location_services.reopen_location(g.partner, current_user, location.id)
        return _("%(name)s is open again.", name=location.name)

    return form_action(MemberActionForm(), back=url_for("partners.locations"), work=work)
