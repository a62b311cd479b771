from shop.partner_portal.access import allowed_location_ids
from tests.support.partners import add_member, make_location


def test_a_partner_has_a_location_open_monday_to_saturday_mornings_and_an_owner(partner, owner):
    (location,) = partner.locations
    assert [h.weekday for h in location.hours] == [0, 1, 2, 3, 4, 5]
    assert (location.hours_on(0).opens_minute, location.hours_on(0).closes_minute) == (360, 660)
    assert location.hours_on(6) is None
    assert owner.partner_memberships[0].role == "owner"


def test_a_buyer_limited_to_some_locations_orders_only_for_them(partner):
    second = make_location(partner, "Chi nhánh Ba Đình")
    buyer = add_member(partner, "buyer", locations=[second])
    assert allowed_location_ids(buyer.partner_memberships[0]) == {second.id}
