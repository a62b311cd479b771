"""Admins review restaurant partners: the list (applications awaiting review first), one partner
with its application, locations, staff, terms, credit limit and hold, and the decisions:
approve with terms and a credit limit, reject or suspend with a reason, reactivate, change the
terms and limit, lift the overdue hold until a date, correct the legal details."""

from __future__ import annotations

from flask import abort, current_app, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from shop.admin.views import admin_nav, bp
from shop.admin.views.reviews import decided, review_list, said
from shop.clock import format_minutes
from shop.errors import NotFound
from shop.extensions import db
from shop.partners import members as member_services
from shop.partners import onboarding
from shop.partners.forms import WEEKDAY_NAMES, HoldForm, LegalForm, ReasonForm, TermsForm
from shop.partners.models import Partner, role_label
from shop.web import form_action, no_store, role_required

admin_nav.add(22, "admin.partners", _l("Partners"))


def _partner(partner_id: int) -> Partner:
    partner = db.session.get(Partner, partner_id)
    if partner is None:
        abort(404)
    return partner


@bp.route("/partners")
@role_required("admin")
@no_store
def partners():
    return review_list(
        "admin/partners/list.html",
        rows="partners",
        for_review=onboarding.partners_for_review,
        counts=onboarding.status_counts,
    )


@bp.route("/partners/<int:partner_id>")
@role_required("admin")
@no_store
def partners_show(partner_id: int):
    partner = _partner(partner_id)
    terms = TermsForm(formdata=None, obj=partner)
    terms.credit_limit_vnd.data = str(partner.credit_limit_vnd)
    return render_template(
        "admin/partners/detail.html",
        partner=partner,
        members=member_services.members_of(partner),
        limits=member_services.member_location_ids(partner),
        invitations=member_services.pending_invitations(partner),
        events=onboarding.decisions_of(partner),
        reason_form=ReasonForm(formdata=None),
        terms_form=terms,
        hold_form=HoldForm(
            formdata=None, until=partner.hold_lifted_until.isoformat() if partner.hold_lifted_until else ""
        ),
        legal_form=LegalForm(formdata=None, obj=partner),
        role_label=role_label,
        weekday_names=WEEKDAY_NAMES,
        format_minutes=format_minutes,
        # Other areas add these pages; the links appear once they exist.
        prices_endpoint="admin.partner_prices" if "admin.partner_prices" in current_app.view_functions else None,
        invoices_endpoint="admin.invoices" if "admin.invoices" in current_app.view_functions else None,
    )


# Approving sets the terms too (TermsForm), so it is made below with them.
_DECISIONS = {
    "reject": onboarding.reject_partner,
    "suspend": onboarding.suspend_partner,
    "reactivate": onboarding.reactivate_partner,
}


@bp.route("/partners/<int:partner_id>/<action>", methods=["POST"])
@role_required("admin")
def partners_action(partner_id: int, action: str):
    partner = _partner(partner_id)
    back = url_for("admin.partners_show", partner_id=partner.id)
    if action in ("approve", "terms"):
        form = TermsForm()

        def work():
            if action == "approve":
                onboarding.approve_partner(
                    partner,
                    current_user,
                    payment_terms=form.payment_terms.data,
                    credit_limit_vnd=form.credit_limit_vnd.data,
                )
                return said(partner)
            changed = onboarding.set_terms(
                partner,
                current_user,
                payment_terms=form.payment_terms.data,
                credit_limit_vnd=form.credit_limit_vnd.data,
            )
            return _("Terms of %(name)s saved.", name=partner.name) if changed else _("Nothing was changed.")

    elif action in _DECISIONS:
        form = ReasonForm()

        def work():
            return decided(partner, _DECISIONS[action], form.reason.data)

    elif action == "hold":
        form = HoldForm()

        def work():
            until = None if request.form.get("restore") else onboarding.parse_hold_date(form.until.data)
            onboarding.lift_hold(partner, current_user, until, form.reason.data)
            if until is None:
                return _("Overdue invoices of %(name)s block new orders again.", name=partner.name)
            return _(
                "%(name)s may order despite overdue invoices until %(date)s.",
                name=partner.name,
                date=format_date(until, "long"),
            )

    elif action == "legal":
        form = LegalForm()

        def work():
            onboarding.correct_legal_details(partner, current_user, name=form.name.data, tax_code=form.tax_code.data)
            return _("Registered details of %(name)s saved.", name=partner.name)

    else:
        raise NotFound()
    return form_action(form, back=back, work=work)
