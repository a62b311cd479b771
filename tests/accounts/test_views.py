import re
from email import message_from_bytes, policy

import pytest
from sqlalchemy import func, select

from shop.accounts.models import User
from shop.extensions import db
from shop.mail.models import OutboundMail
from tests.conftest import csrf_token_from, submit
from tests.factories import PASSWORD, UserFactory


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def mails_to(address: str) -> list[OutboundMail]:
    return db.session.scalars(select(OutboundMail).where(OutboundMail.to_addr == address)).all()


def link_in(mail: OutboundMail, path: str) -> str:
    return re.search(rf"http://shop\.test({path}\S+)", mail.body_text).group(1)


def register(client, email="ha@example.vn"):
    return submit(client, "/account/register", {"email": email})


def finish(client, link: str, **overrides):
    data = {"name": "Nguyễn Thu Hà", "phone": "", "password": "sen-tay-ho-1", "confirm": "sen-tay-ho-1", **overrides}
    return submit(client, link, data)


# --- Registration ---------------------------------------------------------------------------


def test_a_visitor_registers_through_the_mailed_link_and_is_logged_in(client):
    response = register(client, email=" Ha@Example.VN ")
    assert response.status_code == 302
    sent = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Chúng tôi đã gửi thư tới ha@example.vn" in sent
    assert count_users() == 0  # nothing is made until the address is confirmed
    [mail] = mails_to("ha@example.vn")
    link = link_in(mail, "/account/register/")

    form = client.get(link).get_data(as_text=True)
    assert "ha@example.vn" in form
    response = finish(client, link, phone="0912 345 678")
    assert response.status_code == 302
    user = db.session.scalar(select(User))
    assert (user.email, user.name, user.phone, user.locale) == ("ha@example.vn", "Nguyễn Thu Hà", "0912345678", "vi")
    page = client.get("/").get_data(as_text=True)
    assert "Nguyễn Thu Hà" in page
    assert "Tài khoản của bạn đã sẵn sàng" in page

    # The link made one account; used again it says so and makes nothing.
    submit(client, "/account/logout", {}, page="/")
    again = client.get(link)
    assert again.status_code == 409
    assert "đã có tài khoản" in again.get_data(as_text=True)
    assert count_users() == 1


def test_registering_an_address_that_has_an_account_answers_the_same_and_mails_the_owner(client):
    UserFactory(email="ha@example.vn", name="Thu Hà")
    new = register(client, email="lan@example.vn")
    existing = register(client, email="ＨＡ@example.vn ")
    assert new.status_code == existing.status_code == 302
    assert new.headers["Location"] == existing.headers["Location"]
    shown = client.get(existing.headers["Location"]).get_data(as_text=True)
    assert "Chúng tôi đã gửi thư tới ha@example.vn" in shown
    assert count_users() == 1

    [note] = mails_to("ha@example.vn")
    assert "đã có một tài khoản" in note.body_text
    assert "/account/register/" not in note.body_text  # no link that could make a second account
    assert "http://shop.test/account/login" in note.body_text
    # Its reset link works, for the owner who forgot the password.
    reset = link_in(note, "/account/reset/")
    assert submit(client, reset, {"password": "new-password-1", "confirm": "new-password-1"}).status_code == 302


@pytest.mark.parametrize("email", ["not-an-email", "", "ha@"])
def test_a_malformed_address_is_explained_on_the_registration_page(client, email):
    response = register(client, email=email)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<h1>Tạo tài khoản</h1>" in body
    assert 'aria-invalid="true"' in body
    assert db.session.scalar(select(func.count()).select_from(OutboundMail)) == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"password": "short", "confirm": "short"}, "ít nhất 8 ký tự"),
        ({"confirm": "something-else"}, "Hai mật khẩu không khớp"),
        ({"name": ""}, "Vui lòng điền"),
        ({"phone": "12345"}, "số điện thoại Việt Nam"),
    ],
)
def test_bad_details_when_finishing_are_explained_on_the_same_page(client, overrides, message):
    register(client)
    link = link_in(mails_to("ha@example.vn")[0], "/account/register/")
    response = finish(client, link, **overrides)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<h1>Tạo tài khoản</h1>" in body
    assert message in body
    assert 'aria-invalid="true"' in body
    assert count_users() == 0


def test_expired_and_tampered_signup_links_are_explained(app, client):
    register(client)
    link = link_in(mails_to("ha@example.vn")[0], "/account/register/")
    tampered = client.get(link[:-3] + "xyz")
    assert tampered.status_code == 400
    assert "không hợp lệ" in tampered.get_data(as_text=True)
    app.config["SIGNUP_LINK_MAX_AGE"] = -1
    expired = client.get(link)
    assert expired.status_code == 400
    assert "đã hết hạn" in expired.get_data(as_text=True)
    data = {"name": "Hà", "password": "sen-tay-ho-1", "confirm": "sen-tay-ho-1"}
    assert submit(client, link, data, page="/account/register").status_code == 400
    assert count_users() == 0


def test_messages_follow_the_browsers_language(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en-US,en;q=0.9"
    response = register(client, email="nope")
    assert "Enter a valid email address" in response.get_data(as_text=True)


# --- CSRF -----------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_register_without_a_valid_csrf_token_shows_a_message_on_the_form(client, token):
    client.get("/account/register")
    data = {"email": "ha@example.vn"}
    if token:
        data["csrf_token"] = token
    response = client.post("/account/register", data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<h1>Tạo tài khoản</h1>" in body
    assert "Biểu mẫu đã hết hạn" in body
    assert mails_to("ha@example.vn") == []


def test_logout_without_csrf_token_is_refused(client, login):
    UserFactory(email="ha@example.vn")
    login("ha@example.vn", PASSWORD)
    response = client.post("/account/logout")
    assert response.status_code == 400
    assert client.get("/account/profile").status_code == 200  # still logged in


# --- Login, logout, remember me -------------------------------------------------------------


def test_login_and_logout(client, login):
    UserFactory(email="ha@example.vn", name="Thu Hà")
    response = login("HA@example.vn", PASSWORD)
    assert response.status_code == 302
    assert "Thu Hà" in client.get("/").get_data(as_text=True)
    submit(client, "/account/logout", {}, page="/")
    assert client.get("/account/profile").status_code == 302


def test_wrong_password_is_explained_without_saying_which_part_was_wrong(client, login):
    UserFactory(email="ha@example.vn")
    for email in ("ha@example.vn", "nobody@example.vn"):
        response = login(email, "wrong-password")
        assert response.status_code == 400
        assert "Email hoặc mật khẩu không đúng" in response.get_data(as_text=True)


def test_remember_me_sets_a_long_lived_http_only_cookie(client, login):
    UserFactory(email="ha@example.vn")
    response = login("ha@example.vn", PASSWORD, remember=True)
    cookies = response.headers.getlist("Set-Cookie")
    remember = next(c for c in cookies if c.startswith("remember_token="))
    assert "HttpOnly" in remember and "SameSite=Lax" in remember and "Expires=" in remember
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie

    # A new browser session (no session cookie) is still logged in thanks to the remember cookie.
    client.delete_cookie("session", domain="shop.test")
    assert client.get("/account/profile").status_code == 200


def test_without_remember_me_a_new_browser_session_is_logged_out(client, login):
    UserFactory(email="ha@example.vn")
    response = login("ha@example.vn", PASSWORD)
    assert not any(c.startswith("remember_token=") for c in response.headers.getlist("Set-Cookie"))
    client.delete_cookie("session", domain="shop.test")
    assert client.get("/account/profile").status_code == 302


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/account/profile", "/account/profile"),
        ("https://evil.example/", "/"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_only_redirects_within_the_site(client, next_url, expected):
    UserFactory(email="ha@example.vn")
    response = submit(client, "/account/login", {"email": "ha@example.vn", "password": PASSWORD, "next": next_url})
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_anonymous_visitor_is_sent_to_login_and_back(client, login):
    response = client.get("/account/profile")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/login?next=%2Faccount%2Fprofile"
    UserFactory(email="ha@example.vn")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'name="next" value="/account/profile"' in html
    response = client.post(
        "/account/login",
        data={
            "csrf_token": csrf_token_from(html),
            "email": "ha@example.vn",
            "password": PASSWORD,
            "next": "/account/profile",
        },
    )
    assert response.headers["Location"] == "/account/profile"


# --- Password reset -------------------------------------------------------------------------


def reset_link_from(message) -> str:
    text = message.get_body(("plain",)).get_content()
    return re.search(r"http://shop\.test(/account/reset/\S+)", text).group(1)


def test_password_reset_by_email_through_a_real_smtp_server(client, smtp_sink, login):
    UserFactory(email="ha@example.vn", locale="en")
    response = submit(client, "/account/forgot", {"email": "ha@example.vn"})
    assert response.status_code == 302
    [message] = smtp_sink.wait_for(1)
    assert message["To"] == "ha@example.vn"
    assert message["Subject"] == "Choose a new password for Chợ OCOP"  # the account's language
    link = reset_link_from(message)

    assert "Chọn mật khẩu mới" in client.get(link).get_data(as_text=True)
    response = submit(client, link, {"password": "new-password-1", "confirm": "new-password-1"})
    assert response.status_code == 302
    submit(client, "/account/logout", {}, page="/")
    assert login("ha@example.vn", "new-password-1").status_code == 302

    # The link worked once (and the pages now follow the account's language, English).
    response = client.get(link)
    assert response.status_code == 400
    assert "This password reset link is invalid" in response.get_data(as_text=True)


def test_reset_request_answers_the_same_for_unknown_emails(client, smtp_sink):
    UserFactory(email="ha@example.vn")
    answers = []
    for email in ("ＨＡ@example.vn ", "nobody@example.vn"):
        response = submit(client, "/account/forgot", {"email": email})
        assert response.status_code == 302
        answers.append((response.headers["Location"], client.get(response.headers["Location"]).get_data(as_text=True)))
    assert answers[0][0] == answers[1][0]
    assert all("Nếu địa chỉ này thuộc về một tài khoản" in page for _, page in answers)
    # Each address gets one message (the same work either way); only the account's has a link.
    by_address = {str(m["To"]): m.get_body(("plain",)).get_content() for m in smtp_sink.wait_for(2)}
    assert "/account/reset/" in by_address["ha@example.vn"]
    assert "/account/reset/" not in by_address["nobody@example.vn"]
    assert "không có tài khoản nào" in by_address["nobody@example.vn"]


def test_expired_and_tampered_reset_links_are_explained(app, client, smtp_sink):
    UserFactory(email="ha@example.vn")
    submit(client, "/account/forgot", {"email": "ha@example.vn"})
    link = reset_link_from(smtp_sink.wait_for(1)[0])
    tampered = client.get(link[:-3] + "xyz")
    assert tampered.status_code == 400
    assert "không hợp lệ" in tampered.get_data(as_text=True)
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    expired = client.get(link)
    assert expired.status_code == 400
    assert "đã hết hạn" in expired.get_data(as_text=True)
    expired_post = submit(
        client, link, {"password": "new-password-1", "confirm": "new-password-1"}, page="/account/forgot"
    )
    assert expired_post.status_code == 400
    assert login_ok(client, "ha@example.vn", "new-password-1") is False


def login_ok(client, email, password) -> bool:
    return submit(client, "/account/login", {"email": email, "password": password}).status_code == 302


def test_a_failing_smtp_server_never_loses_the_users_action(app, client, runner, smtp_sink_server):
    from tests.support.servers import free_port

    UserFactory(email="ha@example.vn")
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)  # nothing listens there
    response = submit(client, "/account/forgot", {"email": "ha@example.vn"}, follow_redirects=True)
    assert response.status_code == 200
    assert "Nếu địa chỉ này thuộc về một tài khoản" in response.get_data(as_text=True)
    mail = db.session.scalar(select(OutboundMail))
    assert (mail.status, mail.attempts) == ("pending", 1)
    assert "ConnectionRefusedError" in mail.last_error

    smtp_sink_server.messages.clear()
    app.config.update(MAIL_PORT=smtp_sink_server.port)
    result = runner.invoke(args=["shop", "send-pending-mail"])
    assert result.exit_code == 0, result.output
    assert "Sent 1" in result.output
    assert len(smtp_sink_server.wait_for(1)) == 1
    db.session.refresh(mail)
    assert mail.status == "sent"


def test_without_a_mail_server_mail_is_written_to_the_outbox(app, client, tmp_path):
    UserFactory(email="ha@example.vn")
    submit(client, "/account/forgot", {"email": "ha@example.vn"})
    [eml] = list((tmp_path / "outbox").glob("*.eml"))
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert message["To"] == "ha@example.vn"
    assert reset_link_from(message).startswith("/account/reset/")


# --- Profile --------------------------------------------------------------------------------


def test_profile_changes_name_phone_and_language(client, login):
    user = UserFactory(email="ha@example.vn")
    login("ha@example.vn", PASSWORD)
    response = submit(
        client,
        "/account/profile",
        {"name": "Trần Thu Hà", "phone": "0987 654 321", "locale": "en"},
        follow_redirects=True,
    )
    assert "Your profile has been saved." in response.get_data(as_text=True)
    db.session.refresh(user)
    assert (user.name, user.phone, user.locale) == ("Trần Thu Hà", "0987654321", "en")


def test_profile_rejects_a_bad_phone_on_the_same_page(client, login):
    user = UserFactory(email="ha@example.vn", name="Hà")
    login("ha@example.vn", PASSWORD)
    response = submit(client, "/account/profile", {"name": "Khác", "phone": "abc", "locale": "vi"})
    assert response.status_code == 400
    assert "số điện thoại Việt Nam" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.name == "Hà"


def test_password_change_from_the_profile(client, login):
    UserFactory(email="ha@example.vn")
    login("ha@example.vn", PASSWORD)
    wrong = submit(
        client,
        "/account/profile",
        {"current_password": "nope", "new_password": "brand-new-1", "confirm": "brand-new-1"},
    )
    assert wrong.status_code == 400
    assert "Mật khẩu hiện tại không đúng" in wrong.get_data(as_text=True)
    ok = submit(
        client,
        "/account/profile",
        {"current_password": PASSWORD, "new_password": "brand-new-1", "confirm": "brand-new-1"},
    )
    assert ok.status_code == 302
    submit(client, "/account/logout", {}, page="/")
    assert login_ok(client, "ha@example.vn", "brand-new-1")
