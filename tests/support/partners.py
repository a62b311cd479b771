"""Builders for restaurant partners, their delivery locations and their staff, for any test that
needs a partner: `make_partner()` (active, one location open Mon–Sat 06:00–11:00, an owner),
`make_location(partner, hours={0: (360, 660)})`, `add_member(partner, "buyer", locations=[loc])`,
`owner_of(partner)`, and `log_in(client, user)` for a logged-in test client.

They write the rows directly (as an admin's approval would have left them), so tests of
ordering, pricing or invoices do not depend on the application pages."""

from __future__ import annotations

import itertools

from sqlalchemy import select

from shop.accounts.models import PartnerMember, User
from shop.extensions import db
from shop.partners.models import Partner, PartnerLocation, PartnerMemberLocation, ReceivingHours
from tests.factories import PASSWORD, PartnerFactory
from tests.support.builders import a_user

_n = itertools.count(1)

# Monday to Saturday, 06:00–11:00 (minutes after midnight, Monday = 0); closed on Sunday.
MORNINGS = {weekday: (6 * 60, 11 * 60) for weekday in range(6)}


def make_partner(
    name: str | None = None,
    *,
    status: str = "active",
    payment_terms: str = "prepaid",
    credit_limit_vnd: int = 0,
    location: bool = True,
    hours: dict[int, tuple[int, int]] | None = None,
    owner: bool = True,
    owner_email: str | None = None,
    **fields,
) -> Partner:
    """A restaurant partner (active, prepaid, no credit unless told), billed in Phường Hoàn
    Kiếm, Hà Nội; with one location ("Chi nhánh Tây Hồ", `hours` or MORNINGS) unless
    `location=False`, and an owner user (see `owner_of`) unless `owner=False`."""
    if name is not None:
        fields["name"] = name
    fields.setdefault("einvoice_email", f"hoadon{next(_n)}@nhahang.example.vn")
    fields.setdefault("contact_phone", "02438234567")
    fields.setdefault("street", "15 Hàng Bài")
    partner = PartnerFactory(status=status, payment_terms=payment_terms, credit_limit_vnd=credit_limit_vnd, **fields)
    if location:
        make_location(partner, hours=hours)
    if owner:
        add_member(partner, "owner", email=owner_email)
    db.session.commit()
    return partner


def make_location(
    partner: Partner,
    name: str | None = None,
    *,
    hours: dict[int, tuple[int, int]] | None = None,
    province_code: int = 1,
    ward_code: int = 103,  # Phường Tây Hồ
    street: str = "27 Xuân Diệu",
    contact_name: str = "Trần Văn Bếp",
    contact_phone: str = "0912345678",
    active: bool = True,
) -> PartnerLocation:
    """A delivery location of `partner`, receiving on the weekdays of `hours` ({weekday:
    (opens_minute, closes_minute)}, Monday = 0; default MORNINGS)."""
    location = PartnerLocation(
        partner_id=partner.id,
        name=name or f"Chi nhánh Tây Hồ {next(_n)}",
        province_code=province_code,
        ward_code=ward_code,
        street=street,
        contact_name=contact_name,
        contact_phone=contact_phone,
        active=active,
    )
    for weekday, (opens, closes) in sorted((MORNINGS if hours is None else hours).items()):
        location.hours.append(ReceivingHours(weekday=weekday, opens_minute=opens, closes_minute=closes))
    db.session.add(location)
    db.session.flush()
    db.session.expire(partner, ["locations"])
    db.session.commit()
    return location


def add_member(
    partner: Partner,
    role: str = "buyer",
    *,
    email: str | None = None,
    locations=None,
    user: User | None = None,
    **user_fields,
) -> User:
    """A user acting for `partner` in `role` (a new user unless `user` is given); a buyer given
    `locations` (PartnerLocation objects or ids) orders only for those. Returns the user."""
    if user is None:
        if email is not None:
            user_fields["email"] = email
        user = a_user(**user_fields)
    member = PartnerMember(user_id=user.id, partner_id=partner.id, role=role, all_locations=locations is None)
    db.session.add(member)
    db.session.flush()
    for location in locations or ():
        location_id = location if isinstance(location, int) else location.id
        db.session.add(PartnerMemberLocation(user_id=user.id, partner_id=partner.id, location_id=location_id))
    db.session.flush()
    db.session.expire(user, ["partner_memberships"])
    db.session.commit()
    return user


def owner_of(partner: Partner) -> User:
    """The partner's first owner (by user id)."""
    return db.session.scalar(
        select(User)
        .join(PartnerMember, PartnerMember.user_id == User.id)
        .where(PartnerMember.partner_id == partner.id, PartnerMember.role == "owner")
        .order_by(User.id)
        .limit(1)
    )


def log_in(client, user: User):
    """Log `user` in on the test client (password tests.factories.PASSWORD); returns the client."""
    from tests.conftest import submit

    db.session.commit()
    response = submit(client, "/account/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, "login failed"
    return client


__all__ = ["MORNINGS", "add_member", "log_in", "make_location", "make_partner", "owner_of"]
