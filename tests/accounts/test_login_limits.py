"""Failed log-ins slow down whoever fails, per (account, address) and per address, with a wait
that doubles; never a lock a stranger can put on the owner. Registration and reset requests are
limited per address. Every limit answers 429 with Retry-After, as a page or as JSON."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.mail.models import OutboundMail
from tests.conftest import submit
from tests.factories import PASSWORD, UserFactory

STRANGER = "198.51.100.7"
OWNER = "203.0.113.20"


@pytest.fixture
def app_config(app_config):
    return {**app_config, "LOGIN_FREE_FAILURES": 3, "LOGIN_FREE_FAILURES_PER_IP": 10, "LOGIN_MAX_DELAY": 60}


def browser_at(app, ip: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    return client


def attempt(client, email="ha@example.vn", password="wrong-password", **kwargs):
    return submit(client, "/account/login", {"email": email, "password": password}, **kwargs)


def test_after_the_free_failures_each_next_try_waits_twice_as_long(app, clock):
    UserFactory(email="ha@example.vn")
    stranger = browser_at(app, STRANGER)
    assert [attempt(stranger).status_code for _ in range(3)] == [400, 400, 400]

    waiting = attempt(stranger, password=PASSWORD)  # even the right password waits its turn
    assert waiting.status_code == 429
    assert waiting.headers["Retry-After"] == "2"
    body = waiting.get_data(as_text=True)
    assert "<h1>Đăng nhập</h1>" in body
    assert "Bạn đã đăng nhập sai quá nhiều lần" in body
    assert "2 giây" in body

    clock.shift(timedelta(seconds=3))
    assert attempt(stranger).status_code == 400
    assert attempt(stranger).headers["Retry-After"] == "4"
    clock.shift(timedelta(seconds=5))
    assert attempt(stranger).status_code == 400
    assert attempt(stranger).headers["Retry-After"] == "8"
    clock.shift(timedelta(seconds=9))
    assert attempt(stranger, password=PASSWORD).status_code == 302


def test_the_wait_is_capped(app, clock):
    app.config["LOGIN_MAX_DELAY"] = 5
    stranger = browser_at(app, STRANGER)
    for _ in range(8):
        clock.shift(timedelta(seconds=6))
        assert attempt(stranger).status_code == 400
    assert attempt(stranger).headers["Retry-After"] == "5"


def test_a_stranger_failing_for_an_account_does_not_slow_its_owner(app):
    UserFactory(email="ha@example.vn")
    stranger = browser_at(app, STRANGER)
    for _ in range(6):
        attempt(stranger)
    assert attempt(stranger).status_code == 429

    owner = browser_at(app, OWNER)
    assert attempt(owner, password=PASSWORD).status_code == 302


def test_failures_from_one_address_count_across_accounts(app):
    app.config["LOGIN_FREE_FAILURES_PER_IP"] = 4
    stranger = browser_at(app, STRANGER)
    for n in range(4):
        assert attempt(stranger, email=f"user{n}@example.vn").status_code == 400
    refused = attempt(stranger, email="user9@example.vn")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    UserFactory(email="ha@example.vn")
    assert attempt(browser_at(app, OWNER), password=PASSWORD).status_code == 302


def test_ipv6_addresses_count_by_their_64_bit_network(app):
    UserFactory(email="ha@example.vn")
    for n in range(3):
        attempt(browser_at(app, f"2001:db8:1:2::{n + 1}"))
    assert attempt(browser_at(app, "2001:db8:1:2::99")).status_code == 429
    assert attempt(browser_at(app, "2001:db8:1:3::1"), password=PASSWORD).status_code == 302


def test_every_spelling_of_an_address_counts_as_the_same_account(app):
    UserFactory(email="admin@ocop.example")
    stranger = browser_at(app, STRANGER)
    for email in ("ＡＤＭＩＮ@OCOP.example ", "Admin@ocop.EXAMPLE", " admin@ocop.example"):
        assert attempt(stranger, email=email).status_code == 400
    assert attempt(stranger, email="admin@ocop.example", password=PASSWORD).status_code == 429


def test_a_successful_login_clears_the_count_for_that_account_and_address(app):
    UserFactory(email="ha@example.vn")
    client = browser_at(app, OWNER)
    for _ in range(4):
        assert attempt(client).status_code == 400
        assert attempt(client).status_code == 400
        assert attempt(client, password=PASSWORD).status_code == 302
        submit(client, "/account/logout", {}, page="/")


def test_the_reset_mail_still_works_while_logging_in_has_to_wait(app):
    UserFactory(email="ha@example.vn")
    stranger = browser_at(app, STRANGER)
    for _ in range(4):
        attempt(stranger)
    assert attempt(stranger).status_code == 429
    # Even from the very address that has to wait.
    response = submit(stranger, "/account/forgot", {"email": "ha@example.vn"})
    assert response.status_code == 302
    [mail] = db.session.scalars(select(OutboundMail).where(OutboundMail.to_addr == "ha@example.vn")).all()
    assert "/account/reset/" in mail.body_text


def test_a_waiting_json_client_gets_a_json_429(app):
    stranger = browser_at(app, STRANGER)
    for _ in range(3):
        attempt(stranger)
    response = attempt(stranger, headers={"Accept": "application/json"})
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "2"
    assert response.json["error"]["code"] == "rate_limited"


def test_limits_can_be_turned_off(app):
    app.config["RATELIMIT_ENABLED"] = False
    stranger = browser_at(app, STRANGER)
    assert {attempt(stranger).status_code for _ in range(8)} == {400}


# --- Registration and reset requests --------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "setting", "heading"),
    [
        ("/account/register", "REGISTER_LIMIT_PER_IP", "<h1>Tạo tài khoản</h1>"),
        ("/account/forgot", "RESET_LIMIT_PER_IP", "<h1>Đặt lại mật khẩu</h1>"),
    ],
)
def test_mail_sending_forms_are_limited_per_address(app, url, setting, heading):
    app.config[setting] = "2 per hour"
    UserFactory(email="ha@example.vn")
    stranger = browser_at(app, STRANGER)
    for n in range(2):
        assert submit(stranger, url, {"email": f"someone{n}@example.vn"}).status_code == 302
    refused = submit(stranger, url, {"email": "ha@example.vn"})
    assert refused.status_code == 429
    assert 3000 < int(refused.headers["Retry-After"]) <= 3600
    body = refused.get_data(as_text=True)
    assert heading in body
    assert "Bạn đã thử quá nhiều lần" in body
    as_json = submit(stranger, url, {"email": "ha@example.vn"}, headers={"Accept": "application/json"})
    assert as_json.status_code == 429
    assert as_json.json["error"]["code"] == "rate_limited"
    assert "Retry-After" in as_json.headers
    assert db.session.scalar(select(func.count()).select_from(OutboundMail)) == 2
    # Someone else, elsewhere, is not affected.
    assert submit(browser_at(app, OWNER), url, {"email": "ha@example.vn"}).status_code == 302
