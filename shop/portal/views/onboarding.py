"""Becoming a producer and running its account: the application (and its status), the profile,
the bank account and the members (owners only), accepting an invitation, and the onboarding
checklist on the dashboard."""

from __future__ import annotations

from flask import g, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from shop.extensions import db, login_manager
from shop.portal import checklist
from shop.portal.access import CURRENT_PRODUCER, PORTAL_STATUSES, producer_required
from shop.portal.views import bp, dashboard_panels, portal_nav
from shop.producers import members as member_services
from shop.producers import onboarding
from shop.producers.forms import ApplicationForm, BankForm, InviteForm, MemberActionForm, ProfileForm
from shop.producers.models import Producer
from shop.web import (
    after_removal,
    application_sent,
    form_action,
    form_view,
    invitation_page,
    no_store,
    page_locale,
    refreshing_wards,
    save_form,
)

portal_nav.add(80, "producers.profile", _l("Profile"))
portal_nav.add(82, "producers.bank", _l("Bank account"), owner_only=True)
portal_nav.add(84, "producers.members", _l("Members"), owner_only=True)


@dashboard_panels.add(10)
def _checklist_panel(producer, membership):
    """What is left before the producer's products can sell (hidden once everything is done)."""
    state = checklist.checklist_for(producer, membership)
    if state.complete and producer.status == "active":
        return None
    return "portal/onboarding/_checklist_panel.html", {"checklist": state}


# --- The application ------------------------------------------------------------------------


@bp.route("/apply", methods=["GET", "POST"])
@form_view
@no_store
def application():
    """A user with no producer applies; an applicant sees the status of the application, and
    corrects it (after a rejection, to have it reviewed again)."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    producer = onboarding.application_of(current_user)
    approved = [m for m in current_user.producer_memberships if m.producer.status in PORTAL_STATUSES]
    if producer is None and approved and request.method == "GET":
        return render_template("portal/onboarding/application.html", producer=None, approved=approved, form=None)
    form = ApplicationForm(obj=producer) if request.method == "GET" and producer is not None else ApplicationForm()
    form.set_place_choices(form.province_code.data)
    if request.method == "POST" and not refreshing_wards() and form.validate_on_submit():
        details = onboarding.Application.from_form(form)

        def work():
            if producer is None:
                onboarding.apply_to_sell(current_user, details)
                return application_sent(None)
            was_rejected = producer.status == "rejected"
            onboarding.resubmit_application(producer, current_user, details)
            return application_sent(was_rejected)

        saved = save_form(form, work, done=url_for("producers.application"))
        if saved:
            return saved
    status = 400 if request.method == "POST" and not refreshing_wards() else 200
    return (
        render_template("portal/onboarding/application.html", producer=producer, approved=approved, form=form),
        status,
    )


# --- Profile and bank account ---------------------------------------------------------------


@bp.route("/profile", methods=["GET", "POST"])
@producer_required
@form_view
@no_store
def profile():
    producer = g.producer
    form = ProfileForm(obj=producer) if request.method == "GET" else ProfileForm()
    form.set_place_choices(form.province_code.data)
    if request.method == "POST" and not refreshing_wards() and form.validate_on_submit():

        def work():
            changed = onboarding.update_profile(producer, current_user, onboarding.Profile.from_form(form))
            return _("Profile saved.") if changed else _("Nothing was changed.")

        saved = save_form(form, work, done=url_for("producers.profile"))
        if saved:
            return saved
    status = 400 if request.method == "POST" and not refreshing_wards() else 200
    return render_template("portal/onboarding/profile.html", producer=producer, form=form), status


@bp.route("/bank", methods=["GET", "POST"])
@producer_required(owner=True)
@form_view
@no_store
def bank():
    producer = g.producer
    form = BankForm(obj=producer) if request.method == "GET" else BankForm()
    if form.validate_on_submit():

        def work():
            changed = onboarding.update_bank_account(
                producer,
                current_user,
                bank_name=form.bank_name.data,
                number=form.bank_account_number.data,
                holder=form.bank_account_holder.data,
            )
            return _("Bank account saved.") if changed else _("Nothing was changed.")

        saved = save_form(form, work, done=url_for("producers.bank"))
        if saved:
            return saved
    return render_template("portal/onboarding/bank.html", producer=producer, form=form), (
        400 if form.is_submitted() else 200
    )


# --- Members --------------------------------------------------------------------------------


def _members_page(invite_form, status: int = 200):
    producer = g.producer
    return render_template(
        "portal/onboarding/members.html",
        producer=producer,
        members=onboarding.members_of(producer),
        invitations=member_services.pending_invitations(producer),
        invite_form=invite_form,
        action_form=MemberActionForm(formdata=None),
        role_label=member_services.role_label,
    ), status


@bp.route("/members")
@producer_required(owner=True)
@no_store
def members():
    return _members_page(InviteForm(formdata=None))


@bp.route("/members/invite", methods=["POST"])
@producer_required(owner=True)
@form_view
@no_store
def members_invite():
    form = InviteForm()
    if form.validate_on_submit():

        def work():
            invitation, _token = member_services.invite_member(
                g.producer, current_user, email=form.email.data, role=form.role.data, locale=page_locale()
            )
            return _("Invitation sent to %(email)s.", email=invitation.email)

        saved = save_form(form, work, done=url_for("producers.members"))
        if saved:
            return saved
    return _members_page(form, 400)


@bp.route("/members/<int:user_id>/role", methods=["POST"])
@producer_required(owner=True)
def members_role(user_id: int):
    form = MemberActionForm()

    def work():
        membership = member_services.change_role(g.producer, current_user, user_id, form.role.data or "")
        return _(
            "%(name)s is now: %(role)s.", name=membership.user.name, role=member_services.role_label(membership.role)
        )

    return form_action(form, back=url_for("producers.members"), work=work)


@bp.route("/members/<int:user_id>/remove", methods=["POST"])
@producer_required(owner=True)
def members_remove(user_id: int):
    form = MemberActionForm()
    leaving_self = user_id == current_user.id

    def work():
        member_services.remove_member(g.producer, current_user, user_id)
        return _("The member was removed.")

    return after_removal(
        form_action(form, back=url_for("producers.members"), work=work),
        removed_self=leaving_self,
        still_member=lambda: any(m.producer_id == g.producer.id for m in current_user.producer_memberships),
    )


@bp.route("/invitations/<int:invitation_id>/revoke", methods=["POST"])
@producer_required(owner=True)
def members_revoke(invitation_id: int):
    form = MemberActionForm()

    def work():
        member_services.revoke_invitation(g.producer, current_user, invitation_id)
        return _("The invitation was withdrawn.")

    return form_action(form, back=url_for("producers.members"), work=work)


# --- Accepting an invitation ----------------------------------------------------------------


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@no_store
def invitation(token: str):
    """The link in an invitation: log in (or sign up) with the invited address, then accept."""
    return invitation_page(
        token,
        form=MemberActionForm(),
        find=member_services.invitation_for_token,
        accept=member_services.accept_invitation,
        names=lambda invited: {
            "producer_name": db.session.get(Producer, invited.producer_id).name,
            "role": member_services.role_label(invited.role),
        },
        template="portal/onboarding/invitation.html",
        org_attr="producer",
        session_key=CURRENT_PRODUCER,
        dashboard="producers.dashboard",
    )
