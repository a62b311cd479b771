"""Partner fixtures: an approved restaurant with one location (Mon–Sat 06:00–11:00) and its
owner, a buyer, an accountant, another partner, and a helper that logs a user in."""

from __future__ import annotations

import pytest

from tests.support.partners import add_member, log_in, make_partner, owner_of


@pytest.fixture
def partner(app):
    return make_partner("Nhà hàng Sen Tây Hồ", owner_email="chu@sentayho.vn")


@pytest.fixture
def owner(partner):
    return owner_of(partner)


@pytest.fixture
def buyer(partner):
    return add_member(partner, "buyer", email="bep@sentayho.vn", name="Người mua hàng")


@pytest.fixture
def accountant(partner):
    return add_member(partner, "accountant", email="ketoan@sentayho.vn", name="Kế toán")


@pytest.fixture
def other_partner(app):
    return make_partner("Quán Xôi Phố Cổ", owner_email="chu@xoipho.vn")


@pytest.fixture
def as_user(client):
    """Log `user` in on the test client and return the client."""

    def do(user):
        return log_in(client, user)

    return do
