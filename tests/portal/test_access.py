"""Who may open the portal, and for which producer."""

from __future__ import annotations

from tests.conftest import submit
from tests.factories import ProducerMemberFactory
from tests.portal.conftest import a_member
from tests.support.builders import a_producer, a_user


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/producer/")
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]


def test_a_shopper_who_acts_for_no_producer_is_refused(client, as_member):
    as_member(a_user())
    assert client.get("/producer/").status_code == 403


def test_a_member_of_two_producers_switches_between_them(client, as_member, producer):
    second = a_producer(name="Làng hoa Nhật Tân")
    user = a_member(producer)
    ProducerMemberFactory(producer=second, user=user, role="staff")
    as_member(user)
    page = client.get("/producer/").get_data(as_text=True)
    assert "HTX Xôi Phú Thượng" in page.split("portal-org")[1][:200]
    response = submit(client, "/producer/switch", {"producer_id": second.id}, page="/producer/")
    assert response.status_code == 302
    page = client.get("/producer/").get_data(as_text=True)
    assert "Làng hoa Nhật Tân" in page.split("portal-org")[1][:200]


def test_switching_to_a_producer_one_does_not_act_for_is_404(client, as_member, owner, other_producer):
    as_member(owner)
    response = submit(client, "/producer/switch", {"producer_id": other_producer.id}, page="/producer/")
    assert response.status_code == 404
