"""Login sessions end on the server: logging in starts a new one, logging out ends it with its
remember cookie, and a new password ends every other one. A copied cookie is worth nothing after."""

import re

from sqlalchemy import select

from shop.accounts.models import LoginSession
from shop.extensions import db
from shop.mail.models import OutboundMail
from tests.conftest import csrf_token_from, submit
from tests.factories import PASSWORD, UserFactory

HOST = "shop.test"


def cookie(client, name: str) -> str | None:
    found = client.get_cookie(name, domain=HOST)
    return found.value if found else None


def browser(app, cookies: dict[str, str] | None = None):
    """Another browser, optionally with copies of some cookies."""
    other = app.test_client()
    for name, value in (cookies or {}).items():
        other.set_cookie(name, value, domain=HOST)
    return other


def logged_in(client) -> bool:
    return client.get("/account/profile").status_code == 200


def log_in(client, email="ha@example.vn", password=PASSWORD, remember=False):
    data = {"email": email, "password": password, **({"remember": "y"} if remember else {})}
    response = submit(client, "/account/login", data, page="/")  # the header's forms have a token too
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def log_out(client):
    return submit(client, "/account/logout", {}, page="/")


def signed_session(app, data: dict) -> str:
    """A session cookie as the app would sign it (someone who knows the key could make any)."""
    return app.session_interface.get_signing_serializer(app).dumps(data)


# --- Logging in starts a new session ----------------------------------------------------------


def test_logging_in_starts_a_new_session_so_a_planted_one_is_worth_nothing(app, client):
    user = UserFactory(email="ha@example.vn")
    # Someone opens the shop, takes the session cookie (with its CSRF token) and plants it in
    # another person's browser, who then logs in there.
    attacker = browser(app)
    planted_token = csrf_token_from(attacker.get("/account/login").get_data(as_text=True))
    victim = browser(app, {"session": cookie(attacker, "session")})
    log_in(victim)

    # The planted session does not carry the login, and its CSRF token is no longer the victim's.
    assert cookie(victim, "session") != cookie(attacker, "session")
    assert not logged_in(attacker)
    forged = victim.post(
        "/account/profile", data={"csrf_token": planted_token, "name": "Kẻ gian", "phone": "", "locale": "vi"}
    )
    assert forged.status_code == 400
    db.session.refresh(user)
    assert user.name != "Kẻ gian"


def test_logging_in_keeps_the_language_picked_before(app, client):
    UserFactory(email="ha@example.vn", locale=None)
    submit(client, "/lang", {"lang": "en", "next": "/"}, page="/")
    log_in(client)
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_every_login_has_its_own_session_on_the_server(app, client):
    user = UserFactory(email="ha@example.vn")
    log_in(client)
    log_in(browser(app))
    rows = db.session.scalars(select(LoginSession).where(LoginSession.user_id == user.id)).all()
    assert len(rows) == 2
    assert len({row.token_hash for row in rows}) == 2
    assert all(len(row.token_hash) == 64 for row in rows)  # a sha256, never the token itself
    assert all(row.token_hash not in (cookie(client, "session") or "") for row in rows)


def test_logging_in_again_in_the_same_browser_ends_the_previous_session(app, client):
    UserFactory(email="ha@example.vn")
    UserFactory(email="lan@example.vn")
    log_in(client)
    first = cookie(client, "session")
    log_in(client, email="lan@example.vn")
    assert not logged_in(browser(app, {"session": first}))


# --- Logging out ends the session and the remember cookie ---------------------------------------


def test_logout_ends_the_session_on_the_server(app, client):
    UserFactory(email="ha@example.vn")
    log_in(client)
    copy = cookie(client, "session")
    assert logged_in(browser(app, {"session": copy}))
    log_out(client)
    assert not logged_in(client)
    assert not logged_in(browser(app, {"session": copy}))


def test_logout_ends_the_remember_cookie_on_the_server(app, client):
    UserFactory(email="ha@example.vn")
    log_in(client, remember=True)
    remember = cookie(client, "remember_token")
    assert remember
    assert logged_in(browser(app, {"remember_token": remember}))
    response = log_out(client)
    assert any(c.startswith("remember_token=;") for c in response.headers.getlist("Set-Cookie"))
    assert not logged_in(browser(app, {"remember_token": remember}))


def test_a_session_id_without_a_login_session_token_is_refused(app, client):
    user = UserFactory(email="ha@example.vn")
    # What a session cookie held before login sessions existed: just the user id.
    old_style = signed_session(app, {"_user_id": str(user.id), "_fresh": True})
    assert not logged_in(browser(app, {"session": old_style}))
    guessed = signed_session(app, {"_user_id": f"{user.id}:not-a-real-token", "_fresh": True})
    assert not logged_in(browser(app, {"session": guessed}))


def test_a_deactivated_account_is_logged_out_everywhere(app, client):
    user = UserFactory(email="ha@example.vn")
    log_in(client)
    user.active = False
    db.session.commit()
    assert not logged_in(client)


def test_a_login_session_lasts_no_longer_than_remember_me(app, client, clock):
    from datetime import timedelta

    UserFactory(email="ha@example.vn")
    log_in(client)
    clock.shift(app.config["REMEMBER_COOKIE_DURATION"] + timedelta(minutes=1))
    assert not logged_in(client)


def test_reading_pages_while_logged_in_writes_nothing(app, client):
    from sqlalchemy import event

    UserFactory(email="ha@example.vn")
    log_in(client, remember=True)
    client.delete_cookie("session", domain=HOST)  # so the remember cookie is read too
    writes = []

    def count(session, flush_context, instances):
        writes.extend(session.new | session.dirty | session.deleted)

    event.listen(db.session, "before_flush", count)
    try:
        for url in ("/", "/account/profile", "/account/orders"):
            assert client.get(url).status_code == 200
    finally:
        event.remove(db.session, "before_flush", count)
    assert writes == []


# --- A new password ends every other session ----------------------------------------------------


def test_changing_the_password_ends_every_other_session_but_not_this_one(app, client):
    UserFactory(email="ha@example.vn")
    laptop = browser(app)
    log_in(laptop, remember=True)
    laptop_remember = cookie(laptop, "remember_token")
    log_in(client)

    response = submit(
        client,
        "/account/profile",
        {"current_password": PASSWORD, "new_password": "brand-new-1", "confirm": "brand-new-1"},
    )
    assert response.status_code == 302
    assert logged_in(client)
    assert not logged_in(laptop)
    assert not logged_in(browser(app, {"remember_token": laptop_remember}))


def test_resetting_the_password_ends_every_other_session(app, client):
    UserFactory(email="ha@example.vn")
    thief = browser(app)
    log_in(thief, remember=True)
    stolen = cookie(thief, "remember_token")

    submit(client, "/account/forgot", {"email": "ha@example.vn"})
    mail = db.session.scalar(select(OutboundMail).where(OutboundMail.to_addr == "ha@example.vn"))
    link = re.search(r"http://shop\.test(/account/reset/\S+)", mail.body_text).group(1)
    assert submit(client, link, {"password": "new-password-1", "confirm": "new-password-1"}).status_code == 302

    assert logged_in(client)
    assert not logged_in(thief)
    assert not logged_in(browser(app, {"remember_token": stolen}))
