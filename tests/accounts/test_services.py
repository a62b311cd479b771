import pytest
from sqlalchemy import func, select

from shop.accounts import services
from shop.accounts.models import User
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
    assert user.last_login_at is not None
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


def test_reset_request_for_unknown_email_sends_nothing(app):
    assert services.request_password_reset("nobody@example.vn", reset_url_for=str, locale="vi") is None


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
