"""Becoming a restaurant partner: the application (and its correction after a rejection), the
page that shows its status, and the owners' billing profile."""

from __future__ import annotations

from flask import g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from shop.errors import ShopError
from shop.extensions import login_manager
from shop.partner_portal.access import OWNER, current_membership, partner_required
from shop.partner_portal.views import bp, partner_nav
from shop.partners import onboarding
from shop.partners.forms import ApplicationForm, BillingForm, put_hours_error
from shop.web import application_sent, form_view, no_store, put_error_on_form, refreshing_wards, save_form

partner_nav.add(80, "partners.profile", _l("Profile"), roles=OWNER)


def _put_error(form, exc: ShopError) -> None:
    if not put_hours_error(form, exc, prefix="location_"):
        put_error_on_form(form, exc)


@bp.route("/apply", methods=["GET", "POST"])
@form_view
@no_store
def apply():
    """A logged-in user applies for a business; an applicant corrects the application (after a
    rejection, to have it reviewed again). Members of an approved partner are sent to its area."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    partner = onboarding.application_of(current_user)
    if partner is None and current_user.partner_memberships and request.method == "GET":
        return redirect(url_for("partners.application"))
    form = ApplicationForm()
    if request.method == "GET":
        if partner is not None:
            form.fill(partner, onboarding.first_location(partner))
        else:
            form.einvoice_email.data = current_user.email
    form.set_place_choices(form.province_code.data, form.location_province_code.data)
    if request.method == "POST" and not refreshing_wards() and form.validate_on_submit():
        details = onboarding.Application(
            name=form.name.data,
            tax_code=form.tax_code.data,
            street=form.street.data,
            province_code=form.province_code.data,
            ward_code=form.ward_code.data,
            einvoice_email=form.einvoice_email.data,
            contact_phone=form.contact_phone.data,
            locations=[form.location()],
        )

        def work():
            if partner is None:
                onboarding.apply_as_partner(current_user, details)
                return application_sent(None)
            was_rejected = partner.status == "rejected"
            onboarding.resubmit_application(partner, current_user, details)
            return application_sent(was_rejected)

        saved = save_form(form, work, done=url_for("partners.application"), put_error=_put_error)
        if saved:
            return saved
    status = 400 if request.method == "POST" and not refreshing_wards() else 200
    return render_template("partner_portal/onboarding/apply.html", partner=partner, form=form), status


@bp.route("/application")
@no_store
def application():
    """Where an applicant (and a member of a partner not active) sees the status of the
    application and the reason for a rejection or suspension."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    membership = current_membership()
    if membership is None:
        return redirect(url_for("partners.apply"))
    partner = membership.partner
    return render_template(
        "partner_portal/onboarding/application.html",
        partner=partner,
        membership=membership,
        location=onboarding.first_location(partner),
    )


@bp.route("/profile", methods=["GET", "POST"])
@partner_required(roles=OWNER)
@form_view
@no_store
def profile():
    """Owners change the billing address, e-invoice email and phone."""
    partner = g.partner
    form = BillingForm(obj=partner) if request.method == "GET" else BillingForm()
    form.set_place_choices(form.province_code.data)
    if request.method == "POST" and not refreshing_wards() and form.validate_on_submit():

        def work():
            changed = onboarding.update_billing(partner, current_user, onboarding.Billing.from_form(form))
            return _("Profile saved.") if changed else _("Nothing was changed.")

        saved = save_form(form, work, done=url_for("partners.profile"))
        if saved:
            return saved
    status = 400 if request.method == "POST" and not refreshing_wards() else 200
    return render_template("partner_portal/onboarding/profile.html", partner=partner, form=form), status
