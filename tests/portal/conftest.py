"""Portal fixtures: a producer's owner and staff member, another producer, logged-in clients."""

from __future__ import annotations

import pytest

from shop.extensions import db
from tests.factories import PASSWORD, ProducerMemberFactory
from tests.support.builders import a_producer, a_user


def a_member(producer=None, *, role="owner", **user_fields):
    """A user who acts for `producer` (a new active one by default) in `role`."""
    membership = ProducerMemberFactory(producer=producer or a_producer(), user=a_user(**user_fields), role=role)
    db.session.flush()
    return membership.user


@pytest.fixture
def producer():
    return a_producer(name="HTX Xôi Phú Thượng")


@pytest.fixture
def owner(producer):
    return a_member(producer, role="owner", name="Chủ nhiệm HTX")


@pytest.fixture
def staff(producer):
    return a_member(producer, role="staff", name="Nhân viên kho")


@pytest.fixture
def other_producer():
    return a_producer(name="HTX Chè Sen Quảng An")


@pytest.fixture
def as_member(client, login):
    """Log `user` in on the test client (commits first, so the request sees what the test made)."""

    def do(user):
        db.session.commit()
        response = login(user.email, PASSWORD)
        assert response.status_code == 302, "login failed"
        return client

    return do
