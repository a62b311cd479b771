"""The partner's staff: invitations (one use, 7 days, for the invited address), roles, buyers
limited to some locations, removal, and the last owner."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from shop.accounts.models import PartnerMember
from shop.errors import ConflictError, Forbidden, NotFound, ValidationError
from shop.extensions import db
from shop.mail.models import OutboundMail
from shop.partner_portal.access import allowed_location_ids
from shop.partners import members
from tests.conftest import submit
from tests.support.builders import a_user
from tests.support.partners import add_member, log_in, make_location, owner_of

EN = {"Accept-Language": "en"}


def role_of(partner, user):
    membership = db.session.get(PartnerMember, (user.id, partner.id))
    return membership.role if membership else None


def invitation_link(address: str) -> str:
    mail = db.session.scalars(
        select(OutboundMail).where(OutboundMail.to_addr == address).order_by(OutboundMail.id.desc())
    ).first()
    return re.search(r"http://shop\.test(/partner/invitations/\S+)", mail.body_text).group(1)


def test_an_invited_accountant_accepts_once_and_acts_for_the_partner(app, client, partner, owner):
    invitee = a_user(email="ketoan@nhahang.vn")
    log_in(client, owner)
    response = submit(
        client, "/partner/members/invite", {"email": "KeToan@NhaHang.vn", "role": "accountant"}, page="/partner/members"
    )
    assert response.status_code == 302
    link = invitation_link("ketoan@nhahang.vn")
    client = log_in(app.test_client(), invitee)
    response = submit(client, link, {})
    assert response.status_code == 302
    assert role_of(partner, invitee) == "accountant"
    assert client.get(link).status_code == 400  # used once


def test_an_invitation_for_another_address_is_refused(app, partner, owner):
    _, token = members.invite_member(partner, owner, email="hoa@example.vn", role="buyer", locale="vi")
    with pytest.raises(members.WrongInvitee):
        members.accept_invitation(token, a_user(email="khac@example.vn"))


def test_an_invitation_lapses_after_seven_days(app, partner, owner, clock):
    _, token = members.invite_member(partner, owner, email="hoa@example.vn", role="buyer", locale="vi")
    db.session.commit()
    clock.shift(timedelta(days=7, minutes=1))
    with pytest.raises(members.ExpiredInvitation):
        members.accept_invitation(token, a_user(email="hoa@example.vn"))


def test_the_invitation_token_is_kept_only_as_a_hash(app, partner, owner):
    invitation, token = members.invite_member(partner, owner, email="hoa@example.vn", role="buyer", locale="vi")
    assert token not in invitation.token_hash and len(invitation.token_hash) == 64


def test_only_owners_invite(app, partner, buyer):
    with pytest.raises(Forbidden):
        members.invite_member(partner, buyer, email="hoa@example.vn", role="buyer", locale="vi")


def test_a_buyer_limited_to_one_location_orders_only_for_it(app, partner, owner, buyer):
    second = make_location(partner, "Chi nhánh Cầu Giấy")
    members.set_member_locations(partner, owner, buyer.id, [second.id])
    db.session.commit()
    membership = db.session.get(PartnerMember, (buyer.id, partner.id))
    assert allowed_location_ids(membership) == {second.id}
    members.set_member_locations(partner, owner, buyer.id, None)
    assert allowed_location_ids(membership) is None


def test_a_buyer_cannot_be_limited_to_another_partners_location(app, partner, owner, buyer, other_partner):
    with pytest.raises(ValidationError):
        members.set_member_locations(partner, owner, buyer.id, [other_partner.locations[0].id])


def test_becoming_an_accountant_drops_the_location_limit(app, partner, owner):
    limited = add_member(partner, "buyer", locations=partner.locations)
    members.change_role(partner, owner, limited.id, "accountant")
    membership = db.session.get(PartnerMember, (limited.id, partner.id))
    assert membership.all_locations and allowed_location_ids(membership) is None


def test_the_last_owner_can_be_neither_removed_nor_demoted(app, partner, owner):
    with pytest.raises(ConflictError):
        members.remove_member(partner, owner, owner.id)
    with pytest.raises(ConflictError):
        members.change_role(partner, owner, owner.id, "buyer")
    second = add_member(partner, "owner")
    members.change_role(partner, second, owner.id, "buyer")
    assert role_of(partner, owner) == "buyer"


def test_a_member_of_another_partner_is_not_found(app, partner, owner, other_partner):
    with pytest.raises(NotFound):
        members.remove_member(partner, owner, owner_of(other_partner).id)


def test_a_buyer_cannot_open_the_staff_page(client, buyer):
    log_in(client, buyer)
    assert client.get("/partner/members").status_code == 403


def test_the_owner_limits_a_buyer_and_removes_them_on_the_page(client, partner, owner, buyer):
    (location,) = partner.locations
    log_in(client, owner)
    page = client.get("/partner/members", headers=EN).get_data(as_text=True)
    assert buyer.email in page
    response = submit(
        client,
        f"/partner/members/{buyer.id}/locations",
        {"scope": "some", "locations": str(location.id)},
        page="/partner/members",
    )
    assert response.status_code == 302
    assert not db.session.get(PartnerMember, (buyer.id, partner.id)).all_locations
    response = submit(client, f"/partner/members/{buyer.id}/remove", {}, page="/partner/members")
    assert response.status_code == 302
    assert role_of(partner, buyer) is None


def test_the_last_owner_is_told_why_they_cannot_leave(client, partner, owner):
    log_in(client, owner)
    response = submit(
        client, f"/partner/members/{owner.id}/remove", {}, page="/partner/members", headers=EN, follow_redirects=True
    )
    assert "at least one owner" in response.get_data(as_text=True)
    assert role_of(partner, owner) == "owner"
