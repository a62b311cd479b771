"""Who acts for a producer: owners invite people by email, change their roles and remove them.

An invitation's link carries a random token; only its SHA-256 is kept. It works once, for
INVITATION_DAYS, and only for a user logged in with the invited address (someone without an
account signs up first, through the shop's usual sign-up, and then opens the link again). A
producer always keeps at least one owner. Owners manage the bank account and the members; staff
do the rest. Every change is written to the audit log. Services flush, never commit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from shop import audit
from shop import organisations as org
from shop.accounts.models import ProducerMember, User
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
from shop.producers.models import Producer, ProducerInvitation
from shop.urls import external_url

ROLES = ("owner", "staff")
_ROLE_LABELS = {"owner": _l("Owner"), "staff": _l("Staff")}


def role_label(role: str) -> str:
    return str(_ROLE_LABELS.get(role, role))


def _require_owner(producer: Producer, user: User) -> None:
    org.require_owner(ProducerMember, producer.id, user, refusal=_l("Only an owner of the producer may do that."))


def _check_role(role: str | None) -> str:
    if role not in ROLES:
        raise ValidationError(_l("Choose owner or staff."), field="role")
    return role


def _live(producer: Producer):
    return org.open_invitations(ProducerInvitation, "producer_id", producer.id)


def pending_invitations(producer: Producer) -> list[ProducerInvitation]:
    """Invitations not yet accepted, withdrawn or lapsed, the newest first."""
    return list(db.session.scalars(_live(producer)))


def invite_member(
    producer: Producer, by: User, *, email: str, role: str, locale: str
) -> tuple[ProducerInvitation, str]:
    """Invite `email` to act for `producer` in `role`, and mail the link (in the invitee's
    language if they have an account, else `locale`). Inviting the same address again withdraws
    the earlier invitation. Returns the invitation and its token. Raises Forbidden unless `by`
    is an owner, ValidationError for a bad address or role, ConflictError if that person is a
    member already."""
    _require_owner(producer, by)
    email = normalize_email(email)
    role = _check_role(role)
    invitation, token, invitee = org.invite(
        ProducerInvitation,
        ProducerMember,
        "producer_id",
        producer.id,
        by=by,
        email=email,
        role=role,
        member=_l("This person already acts for the producer."),
    )
    audit.record(
        "producer.member.invite",
        "producer_invitation",
        invitation.id,
        actor=by,
        producer_id=producer.id,
        after={"email": email, "role": role, "expires_at": invitation.expires_at},
    )
    queue_mail(
        to=email,
        template="invitation",
        locale=(invitee.locale if invitee is not None and invitee.locale else locale),
        producer=producer,
        inviter=by,
        role=role_label(role),
        days=INVITATION_DAYS,
        invitation_url=external_url("producers.invitation", token=token),
        signup_url=external_url("accounts.register"),
    )
    return invitation, token


def revoke_invitation(producer: Producer, by: User, invitation_id: int) -> ProducerInvitation:
    """Withdraw an invitation not yet accepted. Raises Forbidden unless `by` is an owner,
    NotFound for another producer's invitation or one no longer open."""
    _require_owner(producer, by)
    invitation = org.withdraw_invitation(ProducerInvitation, "producer_id", producer.id, invitation_id)
    audit.record(
        "producer.member.revoke_invitation",
        "producer_invitation",
        invitation.id,
        actor=by,
        producer_id=producer.id,
        before={"email": invitation.email, "role": invitation.role},
    )
    return invitation


def invitation_for_token(token: str | None) -> ProducerInvitation:
    """The open invitation the link's token names. Raises InvalidInvitation (unknown, used,
    withdrawn) or ExpiredInvitation."""
    return org.invitation_for_token(ProducerInvitation, token)


def accept_invitation(token: str | None, user: User) -> ProducerMember:
    """`user` (logged in with the invited address) joins the producer in the invited role; the
    link then stops working. Raises InvalidInvitation, ExpiredInvitation, or WrongInvitee when
    the user's address is not the one invited."""
    membership, invitation = org.join(ProducerInvitation, ProducerMember, "producer_id", token, user)
    db.session.expire(user, ["producer_memberships"])
    audit.record(
        "producer.member.join",
        "producer_member",
        user.id,
        actor=user,
        producer_id=invitation.producer_id,
        after={"email": user.email, "role": membership.role, "invitation": invitation.id},
    )
    return membership


def change_role(producer: Producer, by: User, user_id: int, role: str) -> ProducerMember:
    """Make a member an owner or staff. Raises Forbidden unless `by` is an owner, NotFound for
    someone who is not a member, ConflictError when it would leave the producer without an owner."""
    _require_owner(producer, by)
    # Whom first: someone who is not a member is a 404 whatever the form says.
    membership = org.member_or_404(ProducerMember, producer.id, user_id)
    role = _check_role(role)
    previous = org.change_role(
        ProducerMember,
        "producer_id",
        membership,
        role,
        last_owner=_l("A producer needs at least one owner: make someone else an owner first."),
    )
    if previous is None:
        return membership
    db.session.flush()
    audit.record(
        "producer.member.role",
        "producer_member",
        user_id,
        actor=by,
        producer_id=producer.id,
        before={"email": membership.user.email, "role": previous},
        after={"email": membership.user.email, "role": role},
    )
    return membership


def remove_member(producer: Producer, by: User, user_id: int) -> None:
    """Remove a member (an owner may remove themselves when another owner remains). Raises
    Forbidden unless `by` is an owner, NotFound for someone who is not a member, ConflictError
    for the last owner."""
    _require_owner(producer, by)
    membership = org.member_or_404(ProducerMember, producer.id, user_id)
    org.keep_an_owner(
        ProducerMember,
        "producer_id",
        membership,
        refusal=_l("A producer needs at least one owner: the last owner cannot be removed."),
    )
    user = membership.user
    before = {"email": user.email, "role": membership.role}
    db.session.delete(membership)
    db.session.flush()
    db.session.expire(user, ["producer_memberships"])
    audit.record("producer.member.remove", "producer_member", user_id, actor=by, producer_id=producer.id, before=before)
