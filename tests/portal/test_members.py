"""The members page and accepting an invitation (pages), with the isolation rules."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from shop.accounts.models import ProducerMember, User
from shop.extensions import db
from shop.mail.models import OutboundMail
from shop.producers import members
from shop.producers.models import ProducerInvitation
from tests.conftest import submit
from tests.portal.conftest import a_member
from tests.support.builders import a_user


def role_of(producer, user):
    membership = db.session.get(ProducerMember, (user.id, producer.id))
    return membership.role if membership else None


def invitation_link(address: str) -> str:
    mail = db.session.scalars(
        select(OutboundMail).where(OutboundMail.to_addr == address).order_by(OutboundMail.id.desc())
    ).first()
    return re.search(r"http://shop\.test(/producer/invitations/\S+)", mail.body_text).group(1)


def invite(producer, owner, email="hoa@example.vn", role="staff"):
    _, token = members.invite_member(producer, owner, email=email, role=role, locale="vi")
    db.session.commit()
    return f"/producer/invitations/{token}"


# --- The members page -----------------------------------------------------------------------


def test_the_owner_sees_the_members_and_invites_someone(client, as_member, producer, owner, staff):
    as_member(owner)
    page = client.get("/producer/members").get_data(as_text=True)
    assert owner.email in page and staff.email in page
    response = submit(
        client, "/producer/members/invite", {"email": "hoa@example.vn", "role": "staff"}, page="/producer/members"
    )
    assert response.status_code == 302
    assert invitation_link("hoa@example.vn").startswith("/producer/invitations/")
    assert "hoa@example.vn" in client.get("/producer/members").get_data(as_text=True)


def test_a_bad_address_is_shown_on_the_invitation_form(client, as_member, owner):
    as_member(owner)
    response = submit(
        client, "/producer/members/invite", {"email": "khong-phai-email", "role": "staff"}, page="/producer/members"
    )
    assert response.status_code == 400
    assert 'id="email-error"' in response.get_data(as_text=True)


def test_the_owner_changes_a_role_and_removes_staff(client, as_member, producer, owner, staff):
    as_member(owner)
    submit(client, f"/producer/members/{staff.id}/role", {"role": "owner"}, page="/producer/members")
    assert role_of(producer, staff) == "owner"
    submit(client, f"/producer/members/{staff.id}/remove", {}, page="/producer/members")
    assert role_of(producer, staff) is None


def test_the_last_owner_is_not_removed(client, as_member, producer, owner):
    as_member(owner)
    response = submit(client, f"/producer/members/{owner.id}/remove", {}, page="/producer/members")
    assert response.status_code == 302
    assert role_of(producer, owner) == "owner"
    assert "alert-error" in client.get("/producer/members").get_data(as_text=True)


@pytest.mark.parametrize("action", ["role", "remove"])
def test_another_producers_member_is_404(client, as_member, producer, owner, other_producer, action):
    stranger = a_member(other_producer, role="staff")
    as_member(owner)
    response = submit(client, f"/producer/members/{stranger.id}/{action}", {"role": "owner"}, page="/producer/members")
    assert response.status_code == 404
    assert role_of(other_producer, stranger) == "staff"


def test_another_producers_invitation_is_404(client, as_member, owner, other_producer):
    other_owner = a_member(other_producer)
    invitation, _ = members.invite_member(other_producer, other_owner, email="x@example.vn", role="staff", locale="vi")
    as_member(owner)
    response = submit(client, f"/producer/invitations/{invitation.id}/revoke", {}, page="/producer/members")
    assert response.status_code == 404
    assert db.session.get(ProducerInvitation, invitation.id).revoked_at is None


@pytest.mark.parametrize(
    "path", ["/producer/members/{id}/role", "/producer/members/{id}/remove", "/producer/invitations/1/revoke"]
)
def test_member_routes_refuse_staff_and_shoppers_and_send_visitors_to_log_in(
    client, as_member, producer, owner, staff, path
):
    path = path.format(id=owner.id)
    response = submit(client, path, {"role": "staff"}, page="/account/login")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    as_member(a_user())
    assert submit(client, path, {"role": "staff"}, page="/account/profile").status_code == 403
    submit(client, "/account/logout", {}, page="/account/profile")
    as_member(staff)
    assert submit(client, path, {"role": "staff"}, page="/account/profile").status_code == 403
    assert role_of(producer, owner) == "owner"


# --- Accepting --------------------------------------------------------------------------------


def test_the_invitee_logs_in_and_accepts(client, as_member, login, producer, owner):
    invitee = a_user(email="hoa@example.vn")
    link = invite(producer, owner)
    page = client.get(link)
    assert page.status_code == 200
    assert "/account/login?next=" in page.get_data(as_text=True)
    assert submit(client, link, {}, page="/account/login").status_code == 302  # anonymous: to log in
    assert role_of(producer, invitee) is None
    as_member(invitee)
    response = submit(client, link, {})
    assert response.status_code == 302 and response.headers["Location"].endswith("/producer/")
    assert role_of(producer, invitee) == "staff"
    assert client.get("/producer/").status_code == 200
    again = client.get(link)
    assert again.status_code == 400  # single use


def test_a_new_person_signs_up_with_the_invited_address_then_accepts(client, producer, owner):
    link = invite(producer, owner, email="moi@example.vn", role="owner")
    assert submit(client, "/account/register", {"email": "moi@example.vn"}).status_code == 302
    mail = db.session.scalar(
        select(OutboundMail).where(
            OutboundMail.subject.is_not(None),
            OutboundMail.to_addr == "moi@example.vn",
            OutboundMail.body_text.contains("/account/register/"),
        )
    )
    signup = re.search(r"http://shop\.test(/account/register/\S+)", mail.body_text).group(1)
    data = {"name": "Người mới", "phone": "", "password": "sen-tay-ho-1", "confirm": "sen-tay-ho-1"}
    assert submit(client, signup, data).status_code == 302
    assert submit(client, link, {}).status_code == 302
    user = db.session.scalar(select(User).where(User.email == "moi@example.vn"))
    assert role_of(producer, user) == "owner"


def test_someone_logged_in_with_another_address_cannot_accept(client, as_member, producer, owner):
    link = invite(producer, owner)
    intruder = a_user(email="khac@example.vn")
    as_member(intruder)
    page = client.get(link).get_data(as_text=True)
    assert "khac@example.vn" in page and "hoa@example.vn" in page
    response = submit(client, link, {}, page="/")
    assert response.status_code == 403
    assert role_of(producer, intruder) is None


def test_an_expired_invitation_says_so(client, as_member, producer, owner, clock):
    invitee = a_user(email="hoa@example.vn")
    link = invite(producer, owner)
    clock.shift(timedelta(days=8))
    as_member(invitee)
    assert client.get(link).status_code == 400
    assert submit(client, link, {}, page="/").status_code == 400
    assert role_of(producer, invitee) is None


def test_a_mistyped_link_is_refused(client):
    assert client.get("/producer/invitations/not-a-token").status_code == 400
