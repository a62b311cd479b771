import re

import pytest
from sqlalchemy import func, select

from shop.accounts import services
from shop.accounts.models import LoginSession, User
from shop.errors import ConflictError, ValidationError
from shop.extensions import db
from tests.factories import PASSWORD, UserFactory


def test_register_stores_a_lowercased_email_and_a_salted_modern_hash(app):
    user = services.register_user(email="  Lan.Nguyen@Example.VN ", name="Nguyễn Lan", password="sen-quang-an")
    db.session.commit()
    assert user.email == "lan.nguyen@example.vn"
    assert user.password_hash.startswith("scrypt:")
    assert "sen-quang-an" not in user.password_hash
    other = services.register_user(email="b@example.vn", name="B", password="sen-quang-an")
    assert other.password_hash != user.password_hash


@pytest.mark.both_databases
def test_duplicate_email_is_refused_whatever_its_case(app):
    services.register_user(email="lan@example.vn", name="Lan", password="password-1")
    db.session.commit()
    with pytest.raises(ConflictError) as exc:
        services.register_user(email="LAN@example.vn", name="Lan 2", password="password-2")
    assert exc.value.field == "email"
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


@pytest.mark.parametrize("email", ["", "lan", "lan@", "@example.vn", "lan@@example.vn", "lan example@vn.vn"])
def test_malformed_email_is_refused(app, email):
    with pytest.raises(ValidationError) as exc:
        services.register_user(email=email, name="Lan", password="password-1")
    assert exc.value.field == "email"


def test_password_under_eight_characters_is_refused(app):
    with pytest.raises(ValidationError) as exc:
        services.register_user(email="lan@example.vn", name="Lan", password="1234567")
    assert exc.value.field == "password"
    services.register_user(email="lan@example.vn", name="Lan", password="12345678")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0912 345 678", "0912345678"),
        ("+84 912.345.678", "0912345678"),
        ("84912345678", "0912345678"),
        ("024 3825 1234", "02438251234"),
        ("", None),
        (None, None),
    ],
)
def test_vietnamese_phone_numbers_are_normalised(raw, expected):
    assert services.normalize_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12345", "0912-ABC-678", "+1 415 555 0100", "09123456789012"])
def test_phone_numbers_that_are_not_vietnamese_are_refused(raw):
    with pytest.raises(ValidationError):
        services.normalize_phone(raw)


def test_authenticate_accepts_the_right_password_only(app):
    user = UserFactory(email="lan@example.vn")
    assert services.authenticate("LAN@example.vn", PASSWORD) == user
    for email, password in [("lan@example.vn", "wrong-password"), ("nobody@example.vn", PASSWORD), ("bad", PASSWORD)]:
        with pytest.raises(services.InvalidCredentials):
            services.authenticate(email, password)


def test_deactivated_account_cannot_log_in(app):
    UserFactory(email="lan@example.vn", active=False)
    with pytest.raises(services.InvalidCredentials):
        services.authenticate("lan@example.vn", PASSWORD)


def test_reset_token_works_once(app):
    user = UserFactory()
    token = services.make_reset_token(user)
    assert services.user_for_reset_token(token) == user
    services.reset_password(token, "a-new-password")
    db.session.commit()
    with pytest.raises(services.InvalidResetToken):
        services.user_for_reset_token(token)
    assert services.authenticate(user.email, "a-new-password") == user


def test_reset_token_expires(app, monkeypatch):
    user = UserFactory()
    token = services.make_reset_token(user)
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    with pytest.raises(services.ExpiredResetToken):
        services.user_for_reset_token(token)


def test_tampered_reset_token_is_refused(app):
    user = UserFactory()
    token = services.make_reset_token(user)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with pytest.raises(services.InvalidResetToken):
        services.user_for_reset_token(tampered)
    with pytest.raises(services.InvalidResetToken):
        services.user_for_reset_token("not-a-token")


def test_reset_request_for_an_unknown_email_sends_a_note_without_a_link(app):
    mail = services.request_password_reset("nobody@example.vn", locale="vi", ip="203.0.113.9")
    assert mail.to_addr == "nobody@example.vn"
    assert "/account/reset/" not in mail.body_text
    assert "http://shop.test/account/register" in mail.body_text


def test_change_password_needs_the_current_one(app):
    user = UserFactory()
    with pytest.raises(ValidationError) as exc:
        services.change_password(user, current_password="wrong", new_password="brand-new-pass")
    assert exc.value.field == "current_password"
    with pytest.raises(ValidationError) as exc:
        services.change_password(user, current_password=PASSWORD, new_password="short")
    assert exc.value.field == "new_password"
    services.change_password(user, current_password=PASSWORD, new_password="brand-new-pass")
    assert services.authenticate(user.email, "brand-new-pass") == user


def test_update_profile_validates_phone_and_language(app):
    user = UserFactory()
    services.update_profile(user, name="  Trần Thu  ", phone="0912 345 678", locale="en")
    assert (user.name, user.phone, user.locale) == ("Trần Thu", "0912345678", "en")
    with pytest.raises(ValidationError):
        services.update_profile(user, name="Thu", phone=None, locale="fr")
    with pytest.raises(ValidationError):
        services.update_profile(user, name="   ", phone=None, locale="vi")


# --- One form of an email address, everywhere -------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "admin@ocop.example",
        "ＡＤＭＩＮ@OCOP.example ",
        " Admin@Ocop.Example",
        "admin＠ｏｃｏｐ．example",
        "\u3000ADMIN@ocop.example\n",
    ],
)
def test_every_spelling_of_an_address_is_normalised_to_one(raw):
    assert services.normalize_email(raw) == "admin@ocop.example"
    assert services.normalize_email(services.normalize_email(raw)) == "admin@ocop.example"


def test_addresses_are_case_folded_not_just_lower_cased():
    assert services.normalize_email("STRASSE@example.vn") == services.normalize_email("straße@example.vn")


@pytest.mark.both_databases
def test_login_registration_and_reset_find_the_account_however_its_address_is_written(app):
    user = services.register_user(email="ＡＤＭＩＮ@OCOP.example ", name="Quản trị", password="password-1")
    db.session.commit()
    assert user.email == "admin@ocop.example"
    assert services.authenticate("ＡＤＭＩＮ@OCOP.example ", "password-1") == user
    assert services.find_user_by_email(" Admin@ocop.EXAMPLE") == user
    with pytest.raises(ConflictError):
        services.register_user(email="admin@ＯＣＯＰ.example", name="Kẻ khác", password="password-2")
    db.session.rollback()
    mail = services.request_password_reset("ＡＤＭＩＮ@OCOP.example ", locale="vi", ip="203.0.113.9")
    assert mail.to_addr == "admin@ocop.example"
    assert "/account/reset/" in mail.body_text
    note = services.request_signup("ＡＤＭＩＮ@OCOP.example", locale="vi", ip="203.0.113.9")
    assert "/account/register/" not in note.body_text  # the owner is told, no second account


# --- Login sessions ---------------------------------------------------------------------------


@pytest.mark.both_databases
def test_a_login_session_is_named_by_user_id_and_token_and_stored_as_a_hash(app):
    user = UserFactory()
    token = services.start_login_session(user, remember=True)
    db.session.commit()
    assert user.get_id() == f"{user.id}:{token}"
    assert user.last_login_at is not None
    [row] = db.session.scalars(select(LoginSession)).all()
    assert row.remember and row.revoked_at is None
    assert token not in row.token_hash
    loaded = services.user_for_session_id(f"{user.id}:{token}")
    assert loaded == user and loaded.session_token == token


@pytest.mark.parametrize(
    "session_id", ["", "1", "1:", ":abc", "abc:def", "1:wrong-token", "٣:token", "99999999999999999999999:token"]
)
def test_anything_but_a_live_login_session_loads_nobody(app, session_id):
    user = UserFactory()
    services.start_login_session(user, remember=False)
    db.session.commit()
    assert services.user_for_session_id(session_id) is None
    assert services.user_for_session_id(str(user.id)) is None  # the old form of the id


def test_a_users_id_is_refused_with_another_users_token(app):
    first, second = UserFactory(), UserFactory()
    token = services.start_login_session(first, remember=False)
    db.session.commit()
    assert services.user_for_session_id(f"{second.id}:{token}") is None


def test_logging_in_without_a_login_session_is_impossible(app):
    user = UserFactory()
    with pytest.raises(RuntimeError):
        user.get_id()


def test_ending_a_login_session_ends_only_that_one(app):
    user = UserFactory()
    kept = services.start_login_session(user, remember=False)
    ended = services.start_login_session(user, remember=True)
    services.end_login_session(user)  # the object carries the last token it was given
    db.session.commit()
    assert services.user_for_session_id(f"{user.id}:{ended}") is None
    assert services.user_for_session_id(f"{user.id}:{kept}") == user


@pytest.mark.both_databases
def test_a_login_session_ends_when_remember_me_would_have(app, clock):
    from datetime import timedelta

    user = UserFactory()
    token = services.start_login_session(user, remember=True)
    db.session.commit()
    clock.shift(app.config["REMEMBER_COOKIE_DURATION"] - timedelta(minutes=1))
    assert services.user_for_session_id(f"{user.id}:{token}") == user
    clock.shift(timedelta(minutes=2))
    assert services.user_for_session_id(f"{user.id}:{token}") is None


@pytest.mark.both_databases
def test_a_new_password_ends_every_other_login_session(app):
    user = UserFactory()
    other = services.start_login_session(user, remember=True)
    mine = services.start_login_session(user, remember=False)
    services.change_password(user, current_password=PASSWORD, new_password="brand-new-pass")
    db.session.commit()
    assert services.user_for_session_id(f"{user.id}:{other}") is None
    assert services.user_for_session_id(f"{user.id}:{mine}") == user

    services.reset_password(services.make_reset_token(user), "another-new-pass")
    db.session.commit()
    assert services.user_for_session_id(f"{user.id}:{mine}") is None


def test_logging_in_clears_out_the_users_ended_sessions(app):
    user = UserFactory()
    services.start_login_session(user, remember=False)
    services.end_login_session(user)
    services.start_login_session(user, remember=False)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 1


# --- Sign-up --------------------------------------------------------------------------------


def test_signing_up_makes_no_account_until_the_link_is_used(app):
    mail = services.request_signup(" Lan@Example.VN", locale="en", ip="203.0.113.9")
    db.session.commit()
    assert mail.to_addr == "lan@example.vn"
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    token = re.search(r"/account/register/(\S+)", mail.body_text).group(1)
    assert services.signup_for_token(token) == ("lan@example.vn", "en")
    user = services.finish_signup(token, name="Lan", password="password-1")
    db.session.commit()
    assert (user.email, user.locale) == ("lan@example.vn", "en")
    with pytest.raises(ConflictError):
        services.signup_for_token(token)


def test_only_a_signup_link_made_for_sign_up_is_accepted(app):
    user = UserFactory()
    for token in (services.make_reset_token(user), "not-a-token", ""):  # a reset link is another kind
        with pytest.raises(services.InvalidSignupLink):
            services.signup_for_token(token)
