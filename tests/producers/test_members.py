"""Invitations, roles and removing members (services)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from shop.accounts.models import ProducerMember
from shop.audit.models import AuditEvent
from shop.errors import ConflictError, Forbidden, NotFound, ValidationError
from shop.extensions import db
from shop.mail.models import OutboundMail
from shop.producers import members
from shop.producers.models import ProducerInvitation
from tests.portal.conftest import a_member
from tests.support.builders import a_user


def invite(producer, owner, email="hoa@example.vn", role="staff", locale="vi"):
    invitation, token = members.invite_member(producer, owner, email=email, role=role, locale=locale)
    db.session.commit()
    return invitation, token


def role_of(producer, user):
    membership = db.session.get(ProducerMember, (user.id, producer.id))
    return membership.role if membership else None


def test_an_owner_invites_by_email_with_a_hashed_token_valid_seven_days(producer, owner, clock):
    invitation, token = invite(producer, owner, email=" Hoa@Example.VN ")
    assert invitation.email == "hoa@example.vn"
    assert token not in invitation.token_hash and len(invitation.token_hash) == 64
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    [mail] = db.session.scalars(select(OutboundMail).where(OutboundMail.to_addr == "hoa@example.vn")).all()
    assert f"http://shop.test/producer/invitations/{token}" in mail.body_text
    assert "http://shop.test/account/register" in mail.body_text
    assert producer.name in mail.subject
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "producer.member.invite"))
    assert event.after["email"] == "hoa@example.vn" and event.producer_id == producer.id


def test_the_invitation_mail_is_in_the_invitees_language_when_they_have_an_account(producer, owner):
    a_user(email="hoa@example.vn", locale="en")
    invite(producer, owner, locale="vi")
    mail = db.session.scalar(select(OutboundMail).where(OutboundMail.to_addr == "hoa@example.vn"))
    assert mail.body_text.startswith("Hello,")
    invite(producer, owner, email="lan@example.vn", locale="vi")  # no account: the inviter's language
    mail = db.session.scalar(select(OutboundMail).where(OutboundMail.to_addr == "lan@example.vn"))
    assert mail.body_text.startswith("Xin chào,")


def test_the_invitee_accepts_once_logged_in_with_that_address(producer, owner):
    _, token = invite(producer, owner, role="staff")
    invitee = a_user(email="hoa@example.vn")
    members.accept_invitation(token, invitee)
    db.session.commit()
    assert role_of(producer, invitee) == "staff"
    with pytest.raises(members.InvalidInvitation):
        members.accept_invitation(token, invitee)  # single use
    assert db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc())) == "producer.member.join"


def test_an_invitation_for_another_address_is_refused(producer, owner):
    _, token = invite(producer, owner)
    with pytest.raises(members.WrongInvitee):
        members.accept_invitation(token, a_user(email="someone-else@example.vn"))
    assert db.session.scalar(select(ProducerInvitation.accepted_at)) is None


def test_an_invitation_lapses_after_seven_days(producer, owner, clock):
    _, token = invite(producer, owner)
    invitee = a_user(email="hoa@example.vn")
    clock.shift(timedelta(days=7, minutes=1))
    with pytest.raises(members.ExpiredInvitation):
        members.accept_invitation(token, invitee)
    assert role_of(producer, invitee) is None


@pytest.mark.parametrize("token", ["", "nope", "x" * 500])
def test_unknown_tokens_are_refused(token):
    with pytest.raises(members.InvalidInvitation):
        members.invitation_for_token(token)


def test_inviting_again_withdraws_the_earlier_link(producer, owner):
    _, first = invite(producer, owner)
    _, second = invite(producer, owner, role="owner")
    with pytest.raises(members.InvalidInvitation):
        members.invitation_for_token(first)
    assert members.invitation_for_token(second).role == "owner"
    assert [i.role for i in members.pending_invitations(producer)] == ["owner"]


def test_a_withdrawn_invitation_no_longer_works(producer, owner, other_producer):
    invitation, token = invite(producer, owner)
    other_owner = a_member(other_producer)
    with pytest.raises(Forbidden):  # an owner, but of another producer
        members.revoke_invitation(producer, other_owner, invitation.id)
    with pytest.raises(NotFound):  # another producer's invitation
        members.revoke_invitation(other_producer, other_owner, invitation.id)
    members.revoke_invitation(producer, owner, invitation.id)
    with pytest.raises(members.InvalidInvitation):
        members.invitation_for_token(token)


def test_staff_and_strangers_cannot_invite(producer, staff):
    with pytest.raises(Forbidden):
        members.invite_member(producer, staff, email="hoa@example.vn", role="staff", locale="vi")
    with pytest.raises(Forbidden):
        members.invite_member(producer, a_user(), email="hoa@example.vn", role="staff", locale="vi")


@pytest.mark.parametrize(("email", "role", "field"), [("not-an-address", "staff", "email"), ("a@b.vn", "boss", "role")])
def test_bad_invitations_are_refused(producer, owner, email, role, field):
    with pytest.raises(ValidationError) as exc:
        members.invite_member(producer, owner, email=email, role=role, locale="vi")
    assert exc.value.field == field


def test_a_member_is_not_invited_again(producer, owner, staff):
    with pytest.raises(ConflictError):
        members.invite_member(producer, owner, email=staff.email, role="owner", locale="vi")


def test_roles_change_but_the_last_owner_stays(producer, owner, staff):
    with pytest.raises(ConflictError):
        members.change_role(producer, owner, owner.id, "staff")
    members.change_role(producer, owner, staff.id, "owner")
    assert role_of(producer, staff) == "owner"
    members.change_role(producer, staff, owner.id, "staff")  # now two owners: one may step down
    assert role_of(producer, owner) == "staff"
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "producer.member.role")).all()
    assert [(e.before["role"], e.after["role"]) for e in events] == [("staff", "owner"), ("owner", "staff")]


def test_the_last_owner_cannot_be_removed_but_staff_can(producer, owner, staff):
    with pytest.raises(ConflictError):
        members.remove_member(producer, owner, owner.id)
    members.remove_member(producer, owner, staff.id)
    assert role_of(producer, staff) is None
    assert db.session.scalar(select(AuditEvent.before).where(AuditEvent.action == "producer.member.remove")) == {
        "email": staff.email,
        "role": "staff",
    }


def test_staff_cannot_change_members(producer, owner, staff):
    with pytest.raises(Forbidden):
        members.remove_member(producer, staff, owner.id)
    with pytest.raises(Forbidden):
        members.change_role(producer, staff, staff.id, "owner")


def test_another_producers_member_is_not_found(producer, owner, other_producer):
    stranger = a_member(other_producer, role="staff")
    with pytest.raises(NotFound):
        members.remove_member(producer, owner, stranger.id)
    with pytest.raises(NotFound):
        members.change_role(producer, owner, stranger.id, "owner")
