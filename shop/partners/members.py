"""Who acts for a restaurant partner: owners invite people by email in a role (owner, buyer,
accountant), limit buyers to some locations, change roles and remove people. Invitation links
follow the organisations' rule (shop.organisations: hashed token, INVITATION_DAYS, used once, for
the invited address). A partner always keeps at least one owner. Every change is written to the
audit log. Services flush, never commit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from shop import audit
from shop import organisations as org
from shop.accounts.models import PartnerMember, User
from shop.accounts.services import normalize_email
from shop.errors import ValidationError
from shop.extensions import db
from shop.mail.services import queue_mail
from shop.organisations import (  # noqa: F401 (the invitation errors, raised here, are named through this module)
    INVITATION_DAYS,
    ExpiredInvitation,
    InvalidInvitation,
    WrongInvitee,
)
from shop.partners.locations import require_owner
from shop.partners.models import (
    PARTNER_ROLES,
    Partner,
    PartnerInvitation,
    PartnerLocation,
    PartnerMemberLocation,
    role_label,
)
from shop.urls import external_url

# Who orders: owners, and buyers (for every location or only some). Accountants never order.
ORDERING_ROLES = frozenset({"owner", "buyer"})


def limited_location_ids(membership: PartnerMember) -> set[int]:
    """The locations a buyer limited to some was given (empty for the others)."""
    return set(
        db.session.scalars(
            select(PartnerMemberLocation.location_id).where(
                PartnerMemberLocation.user_id == membership.user_id,
                PartnerMemberLocation.partner_id == membership.partner_id,
            )
        )
    )


def allowed_location_ids(membership: PartnerMember) -> set[int] | None:
    """The locations this member may order for, and see the orders and standing orders of: None
    for all of them (owners, and buyers for every location), else the ids given to the buyer."""
    if membership.role == "owner" or membership.all_locations:
        return None
    return limited_location_ids(membership)


def may_order_for(membership: PartnerMember, location_id: int | None) -> bool:
    """Whether the member's locations include this one (whose partner the caller has checked)."""
    allowed = allowed_location_ids(membership)
    return allowed is None or location_id in allowed


def ordering_locations(membership: PartnerMember) -> list[PartnerLocation]:
    """The partner's open locations this member may order for, by name."""
    allowed = allowed_location_ids(membership)
    return [
        location
        for location in membership.partner.locations
        if location.active and (allowed is None or location.id in allowed)
    ]


def _check_role(role: str | None) -> str:
    if role not in PARTNER_ROLES:
        raise ValidationError(_l("Choose owner, buyer or accountant."), field="role")
    return role


def _live(partner: Partner):
    return org.open_invitations(PartnerInvitation, "partner_id", partner.id)


def pending_invitations(partner: Partner) -> list[PartnerInvitation]:
    """Invitations not yet accepted, withdrawn or lapsed, the newest first."""
    return list(db.session.scalars(_live(partner)))


def members_of(partner: Partner) -> list[PartnerMember]:
    """The partner's members, owners first (then buyers, then accountants), then by name."""
    return org.members_of(PartnerMember, "partner_id", partner.id, role_order=PartnerMember.role.desc())


def member_location_ids(partner: Partner) -> dict[int, set[int]]:
    """{user id: the location ids} of the partner's members limited to some locations."""
    rows = db.session.execute(
        select(PartnerMemberLocation.user_id, PartnerMemberLocation.location_id).where(
            PartnerMemberLocation.partner_id == partner.id
        )
    )
    limits: dict[int, set[int]] = {}
    for user_id, location_id in rows:
        limits.setdefault(user_id, set()).add(location_id)
    return limits


def invite_member(partner: Partner, by: User, *, email: str, role: str, locale: str) -> tuple[PartnerInvitation, str]:
    """Invite `email` to act for `partner` in `role`, and mail the link (in the invitee's
    language if they have an account, else `locale`). Inviting the same address again withdraws
    the earlier invitation. Returns the invitation and its token. Raises Forbidden unless `by`
    is an owner, ValidationError for a bad address or role, ConflictError if that person is a
    member already."""
    require_owner(partner, by)
    email = normalize_email(email)
    role = _check_role(role)
    invitation, token, invitee = org.invite(
        PartnerInvitation,
        PartnerMember,
        "partner_id",
        partner.id,
        by=by,
        email=email,
        role=role,
        member=_l("This person already acts for the partner."),
    )
    audit.record(
        "partner.member.invite",
        "partner_invitation",
        invitation.id,
        actor=by,
        role="partner",
        after={"partner_id": partner.id, "email": email, "role": role, "expires_at": invitation.expires_at},
    )
    queue_mail(
        to=email,
        template="partner_invitation",
        locale=(invitee.locale if invitee is not None and invitee.locale else locale),
        partner=partner,
        inviter=by,
        role=role_label(role),
        days=INVITATION_DAYS,
        invitation_url=external_url("partners.invitation", token=token),
        signup_url=external_url("accounts.register"),
    )
    return invitation, token


def revoke_invitation(partner: Partner, by: User, invitation_id: int) -> PartnerInvitation:
    """Withdraw an invitation not yet accepted. Raises Forbidden unless `by` is an owner,
    NotFound for another partner's invitation or one no longer open."""
    require_owner(partner, by)
    invitation = org.withdraw_invitation(PartnerInvitation, "partner_id", partner.id, invitation_id)
    audit.record(
        "partner.member.revoke_invitation",
        "partner_invitation",
        invitation.id,
        actor=by,
        role="partner",
        before={"partner_id": partner.id, "email": invitation.email, "role": invitation.role},
    )
    return invitation


def invitation_for_token(token: str | None) -> PartnerInvitation:
    """The open invitation the link's token names. Raises InvalidInvitation (unknown, used,
    withdrawn) or ExpiredInvitation."""
    return org.invitation_for_token(PartnerInvitation, token)


def accept_invitation(token: str | None, user: User) -> PartnerMember:
    """`user` (logged in with the invited address) joins the partner in the invited role, for
    every location; the link then stops working. Raises InvalidInvitation, ExpiredInvitation, or
    WrongInvitee when the user's address is not the one invited."""
    membership, invitation = org.join(PartnerInvitation, PartnerMember, "partner_id", token, user, all_locations=True)
    db.session.expire(user, ["partner_memberships"])
    audit.record(
        "partner.member.join",
        "partner_member",
        user.id,
        actor=user,
        role="partner",
        after={
            "partner_id": invitation.partner_id,
            "email": user.email,
            "role": membership.role,
            "invitation": invitation.id,
        },
    )
    return membership


def _member(partner: Partner, user_id: int) -> PartnerMember:
    return org.member_or_404(PartnerMember, partner.id, user_id)


def _clear_limits(membership: PartnerMember) -> None:
    db.session.execute(
        delete(PartnerMemberLocation).where(
            PartnerMemberLocation.user_id == membership.user_id,
            PartnerMemberLocation.partner_id == membership.partner_id,
        )
    )
    membership.all_locations = True


def change_role(partner: Partner, by: User, user_id: int, role: str) -> PartnerMember:
    """Make a member an owner, buyer or accountant (a limit to some locations goes with the
    buyer's role). Raises Forbidden unless `by` is an owner, NotFound for someone who is not a
    member, ConflictError when it would leave the partner without an owner."""
    require_owner(partner, by)
    membership = _member(partner, user_id)
    role = _check_role(role)
    previous = org.change_role(
        PartnerMember,
        "partner_id",
        membership,
        role,
        last_owner=_l("A partner needs at least one owner: make someone else an owner first."),
    )
    if previous is None:
        return membership
    if role != "buyer":
        _clear_limits(membership)
    db.session.flush()
    audit.record(
        "partner.member.role",
        "partner_member",
        user_id,
        actor=by,
        role="partner",
        before={"partner_id": partner.id, "email": membership.user.email, "role": previous},
        after={"partner_id": partner.id, "email": membership.user.email, "role": role},
    )
    return membership


def set_member_locations(partner: Partner, by: User, user_id: int, location_ids: list[int] | None) -> PartnerMember:
    """Let a buyer order for every location (None) or only for `location_ids` (the partner's
    own, at least one). Raises Forbidden unless `by` is an owner, NotFound for someone who is
    not a member, ValidationError for a member who is not a buyer, no location or another
    partner's location."""
    require_owner(partner, by)
    membership = _member(partner, user_id)
    if membership.role != "buyer":
        raise ValidationError(_l("Only a buyer can be limited to some locations."), field="locations")
    before = {"all_locations": membership.all_locations, "locations": sorted(limited_location_ids(membership))}
    _clear_limits(membership)
    if location_ids is not None:
        wanted = set(location_ids)
        own = {location.id for location in partner.locations}
        if not wanted:
            raise ValidationError(_l("Choose at least one location, or all of them."), field="locations")
        if not wanted <= own:
            raise ValidationError(_l("Choose among the partner's locations."), field="locations")
        membership.all_locations = False
        for location_id in sorted(wanted):
            db.session.add(PartnerMemberLocation(user_id=user_id, partner_id=partner.id, location_id=location_id))
    db.session.flush()
    after = {"all_locations": membership.all_locations, "locations": sorted(limited_location_ids(membership))}
    audit.record(
        "partner.member.locations",
        "partner_member",
        user_id,
        actor=by,
        role="partner",
        before=before,
        after=after,
    )
    return membership


def remove_member(partner: Partner, by: User, user_id: int) -> None:
    """Remove a member (an owner may remove themselves when another owner remains). Raises
    Forbidden unless `by` is an owner, NotFound for someone who is not a member, ConflictError
    for the last owner."""
    require_owner(partner, by)
    membership = _member(partner, user_id)
    org.keep_an_owner(
        PartnerMember,
        "partner_id",
        membership,
        refusal=_l("A partner needs at least one owner: the last owner cannot be removed."),
    )
    user = membership.user
    before = {"partner_id": partner.id, "email": user.email, "role": membership.role}
    _clear_limits(membership)
    db.session.delete(membership)
    db.session.flush()
    db.session.expire(user, ["partner_memberships"])
    audit.record("partner.member.remove", "partner_member", user_id, actor=by, role="partner", before=before)
