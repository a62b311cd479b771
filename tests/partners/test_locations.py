"""Delivery locations: owners add, change and close them (receiving hours per weekday); every
member sees them; another partner's location is a 404."""

from __future__ import annotations

import pytest

from shop.errors import ConflictError, Forbidden, ValidationError
from shop.extensions import db
from shop.partners import locations
from shop.partners.locations import LocationDetails
from tests.conftest import submit
from tests.support.partners import log_in, make_location

EN = {"Accept-Language": "en"}


def details(**changes) -> LocationDetails:
    values = {
        "name": "Chi nhánh Ba Đình",
        "street": "5 Phan Đình Phùng",
        "province_code": 1,
        "ward_code": 103,
        "contact_name": "Lê Thị Thu",
        "contact_phone": "+84 912 000 111",
        "hours": {0: ("05:30", "10:00"), 6: ("", "")},
    }
    values.update(changes)
    return LocationDetails(**values)


def form(**changes) -> dict:
    data = {
        "name": "Chi nhánh Ba Đình",
        "street": "5 Phan Đình Phùng",
        "province_code": "1",
        "ward_code": "103",
        "contact_name": "Lê Thị Thu",
        "contact_phone": "0912000111",
        "opens_0": "05:30",
        "closes_0": "10:00",
    }
    data.update(changes)
    return data


def test_an_owner_adds_a_location_open_only_on_the_days_given(partner, owner):
    location = locations.add_location(partner, owner, details())
    db.session.commit()
    assert location.contact_phone == "0912000111"
    assert [(h.weekday, h.opens_minute, h.closes_minute) for h in location.hours] == [(0, 330, 600)]


@pytest.mark.parametrize(
    ("hours", "field"),
    [
        ({0: ("10:00", "10:00")}, "hours_0"),
        ({2: ("06:00", "")}, "hours_2"),
        ({3: ("25:00", "26:00")}, "hours_3"),
        ({}, "hours"),
    ],
)
def test_receiving_hours_must_open_before_they_close(partner, owner, hours, field):
    with pytest.raises(ValidationError) as raised:
        locations.add_location(partner, owner, details(hours=hours))
    assert raised.value.field == field


def test_a_ward_outside_the_province_is_refused(partner, owner):
    with pytest.raises(ValidationError) as raised:
        locations.add_location(partner, owner, details(province_code=1, ward_code=1))
    assert raised.value.field == "ward_code"


def test_changing_hours_keeps_one_row_per_weekday(partner, owner):
    (location,) = partner.locations
    changed = locations.update_location(partner, owner, location.id, details(hours={0: (420, 600), 6: (480, 540)}))
    db.session.commit()
    assert changed
    db.session.refresh(location)
    assert [(h.weekday, h.opens_minute) for h in location.hours] == [(0, 420), (6, 480)]


def test_buyers_cannot_change_locations(partner, buyer):
    with pytest.raises(Forbidden):
        locations.add_location(partner, buyer, details())


def test_the_last_open_location_cannot_be_closed(partner, owner):
    (only,) = partner.locations
    with pytest.raises(ConflictError):
        locations.close_location(partner, owner, only.id)
    second = make_location(partner, "Chi nhánh Cầu Giấy")
    locations.close_location(partner, owner, second.id)
    assert not second.active


def test_the_owner_adds_and_closes_a_location_on_the_pages(client, partner, owner):
    log_in(client, owner)
    response = submit(client, "/partner/locations/new", form())
    assert response.status_code == 302
    page = client.get("/partner/locations", headers=EN).get_data(as_text=True)
    assert "Chi nhánh Ba Đình" in page and "05:30–10:00" in page
    new = next(loc for loc in partner.locations if loc.name == "Chi nhánh Ba Đình")
    response = submit(client, f"/partner/locations/{new.id}/close", {}, page="/partner/locations")
    assert response.status_code == 302
    db.session.refresh(new)
    assert not new.active


def test_bad_hours_on_the_page_are_shown_next_to_the_day(client, partner, owner):
    log_in(client, owner)
    response = submit(client, "/partner/locations/new", form(closes_0="04:00"), headers=EN)
    assert response.status_code == 400
    assert "The opening time must be before the closing time." in response.get_data(as_text=True)


def test_buyers_and_accountants_see_the_locations_read_only(app, partner, buyer, accountant):
    (location,) = partner.locations
    for member in (buyer, accountant):
        client = log_in(app.test_client(), member)
        page = client.get("/partner/locations").get_data(as_text=True)
        assert location.name in page
        assert f"/partner/locations/{location.id}/close" not in page
        assert client.get(f"/partner/locations/{location.id}").status_code == 403


def test_another_partners_location_is_not_found(client, partner, owner, other_partner):
    (theirs,) = other_partner.locations
    log_in(client, owner)
    assert client.get(f"/partner/locations/{theirs.id}").status_code == 404
    response = submit(client, f"/partner/locations/{theirs.id}/close", {}, page="/partner/locations")
    assert response.status_code == 404
    db.session.refresh(theirs)
    assert theirs.active
