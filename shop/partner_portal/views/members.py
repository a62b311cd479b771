"""The partner's staff (owners only): invite people by email in a role, change roles, limit a
buyer to some locations, remove people and withdraw invitations; and the invitation link that
anyone invited opens to accept."""

from __future__ import annotations

from flask import g, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from shop.extensions import db
from shop.partner_portal.access import CURRENT_PARTNER, OWNER, partner_required
from shop.partner_portal.views import bp, partner_nav
from shop.partners import members as member_services
from shop.partners.forms import InviteForm, MemberActionForm, MemberLocationsForm
from shop.partners.models import Partner, role_label
from shop.web import after_removal, form_action, form_view, invitation_page, no_store, page_locale, save_form

partner_nav.add(84, "partners.members", _l("Staff"), roles=OWNER)


def _members_page(invite_form, status: int = 200):
    partner = g.partner
    return render_template(
        "partner_portal/members/list.html",
        partner=partner,
        members=member_services.members_of(partner),
        limits=member_services.member_location_ids(partner),
        invitations=member_services.pending_invitations(partner),
        invite_form=invite_form,
        action_form=MemberActionForm(formdata=None),
        role_label=role_label,
        roles=("owner", "buyer", "accountant"),
    ), status


@bp.route("/members")
@partner_required(roles=OWNER)
@no_store
def members():
    return _members_page(InviteForm(formdata=None))


@bp.route("/members/invite", methods=["POST"])
@partner_required(roles=OWNER)
@form_view
@no_store
def members_invite():
    form = InviteForm()
    if form.validate_on_submit():

        def work():
            invitation, _token = member_services.invite_member(
                g.partner, current_user, email=form.email.data, role=form.role.data, locale=page_locale()
            )
            return _("Invitation sent to %(email)s.", email=invitation.email)

        saved = save_form(form, work, done=url_for("partners.members"))
        if saved:
            return saved
    return _members_page(form, 400)


@bp.route("/members/<int:user_id>/role", methods=["POST"])
@partner_required(roles=OWNER)
def members_role(user_id: int):
    form = MemberActionForm()

    def work():
        membership = member_services.change_role(g.partner, current_user, user_id, form.role.data or "")
        return _("%(name)s is now: %(role)s.", name=membership.user.name, role=role_label(membership.role))

    return form_action(form, back=url_for("partners.members"), work=work)


@bp.route("/members/<int:user_id>/locations", methods=["POST"])
@partner_required(roles=OWNER)
def members_locations(user_id: int):
    form = MemberLocationsForm()

    def work():
        chosen = None if form.scope.data != "some" else list(form.locations.data or [])
        membership = member_services.set_member_locations(g.partner, current_user, user_id, chosen)
        return _("Locations saved for %(name)s.", name=membership.user.name)

    return form_action(form, back=url_for("partners.members"), work=work)


@bp.route("/members/<int:user_id>/remove", methods=["POST"])
@partner_required(roles=OWNER)
def members_remove(user_id: int):
    form = MemberActionForm()
    leaving_self = user_id == current_user.id

    def work():
        member_services.remove_member(g.partner, current_user, user_id)
        return _("The member was removed.")

    return after_removal(
        form_action(form, back=url_for("partners.members"), work=work),
        removed_self=leaving_self,
        still_member=lambda: any(m.partner_id == g.partner.id for m in current_user.partner_memberships),
    )


@bp.route("/invitations/<int:invitation_id>/revoke", methods=["POST"])
@partner_required(roles=OWNER)
def members_revoke(invitation_id: int):
    form = MemberActionForm()

    def work():
        member_services.revoke_invitation(g.partner, current_user, invitation_id)
        return _("The invitation was withdrawn.")

    return form_action(form, back=url_for("partners.members"), work=work)


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
            "partner_name": db.session.get(Partner, invited.partner_id).name,
            "role": role_label(invited.role),
        },
        template="partner_portal/members/invitation.html",
        org_attr="partner",
        session_key=CURRENT_PARTNER,
        dashboard="partners.dashboard",
    )
