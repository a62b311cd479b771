"""Account rules: sign-up, sign-in, password reset and profile changes. No commits here."""

from __future__ import annotations

import hashlib
import hmac
import re

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from shop.accounts.models import User
from shop.errors import ConflictError, ValidationError
from shop.extensions import db
from shop.mail.services import queue_mail
from shop.models_base import utcnow

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128
LOCALES = ("vi", "en")
# Vietnamese mobile and landline numbers: 0 or +84, then 9 or 10 digits; spaces, dots, dashes ignored.
PHONE_RE = re.compile(r"^(?:\+84|84|0)(\d{9,10})$")
# A hash of a password nobody has, checked when the email is unknown so that both paths take
# the same time and do not reveal which emails have accounts.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class InvalidCredentials(ValidationError):
    code = "invalid_credentials"
    default_message = _l("Wrong email or password.")


class InvalidResetToken(ValidationError):
    code = "invalid_reset_token"
    default_message = _l("This password reset link is invalid. Please ask for a new one.")


class ExpiredResetToken(InvalidResetToken):
    code = "expired_reset_token"
    default_message = _l("This password reset link has expired. Please ask for a new one.")


def normalize_email(raw: str) -> str:
    """Return the canonical, lower-cased address. Raises ValidationError if it is malformed."""
    try:
        # Deliverability needs DNS, which a shop must not wait on at sign-up.
        result = validate_email((raw or "").strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationError(_l("Enter a valid email address, like name@example.com."), field="email") from exc
    return result.normalized.lower()


def normalize_phone(raw: str | None) -> str | None:
    """Return a Vietnamese phone number as 0xxxxxxxxx, None if empty. Raises ValidationError."""
    if raw is None or not raw.strip():
        return None
    compact = re.sub(r"[\s.\-()]", "", raw)
    match = PHONE_RE.match(compact)
    if not match:
        raise ValidationError(_l("Enter a Vietnamese phone number, like 0912 345 678."), field="phone")
    return "0" + match.group(1)


def check_password_rules(password: str, *, field: str = "password") -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationError(_l("Use a password of at least %(n)d characters.", n=MIN_PASSWORD_LENGTH), field=field)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationError(_l("Use a password of at most %(n)d characters.", n=MAX_PASSWORD_LENGTH), field=field)


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError(_l("Enter your name."), field="name")
    if len(name) > 120:
        raise ValidationError(_l("Your name can be at most 120 characters."), field="name")
    return name


def _check_locale(locale: str | None) -> str | None:
    if locale is not None and locale not in LOCALES:
        raise ValidationError(_l("Choose Tiếng Việt or English."), field="locale")
    return locale


def hash_password(password: str) -> str:
    # Werkzeug's default is scrypt (memory-hard), salted per password.
    return generate_password_hash(password)


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def register_user(*, email: str, name: str, password: str, phone: str | None = None, locale: str | None = None) -> User:
    """Create a shopper account. Raises ValidationError for bad fields, ConflictError if the
    email already has an account."""
    email = normalize_email(email)
    name = _check_name(name)
    phone = normalize_phone(phone)
    check_password_rules(password)
    locale = _check_locale(locale)
    exists = db.session.scalar(select(func.count()).select_from(User).where(User.email == email))
    if exists:
        raise ConflictError(
            _l("An account with this email already exists. Log in or reset your password."), field="email"
        )
    user = User(email=email, name=name, phone=phone, password_hash=hash_password(password), locale=locale)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User:
    """Return the active user with this email and password. Raises InvalidCredentials."""
    try:
        email = normalize_email(email)
    except ValidationError:
        check_password_hash(_DUMMY_HASH, password or "")
        raise InvalidCredentials() from None
    user = find_user_by_email(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        raise InvalidCredentials()
    if not check_password_hash(user.password_hash, password or "") or not user.active:
        raise InvalidCredentials()
    user.last_login_at = utcnow()
    return user


def update_profile(user: User, *, name: str, phone: str | None, locale: str | None) -> User:
    """Change name, phone and preferred language. Raises ValidationError."""
    user.name = _check_name(name)
    user.phone = normalize_phone(phone)
    user.locale = _check_locale(locale)
    db.session.flush()
    return user


def change_password(user: User, *, current_password: str, new_password: str) -> None:
    """Raises ValidationError if the current password is wrong or the new one too short."""
    if not check_password_hash(user.password_hash, current_password or ""):
        raise ValidationError(_l("Your current password is not correct."), field="current_password")
    check_password_rules(new_password, field="new_password")
    user.password_hash = hash_password(new_password)
    db.session.flush()


def set_locale(user: User, locale: str) -> None:
    user.locale = _check_locale(locale)
    db.session.flush()


# --- Password reset -------------------------------------------------------------------------
# The token carries the user id and a digest of the current password hash, signed and dated.
# Changing the password changes the digest, so a link works once; age is checked on use.


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def _password_fingerprint(user: User) -> str:
    return hmac.new(current_app.config["SECRET_KEY"].encode(), user.password_hash.encode(), hashlib.sha256).hexdigest()[
        :16
    ]


def make_reset_token(user: User) -> str:
    return _serializer().dumps({"uid": user.id, "pw": _password_fingerprint(user)})


def user_for_reset_token(token: str) -> User:
    """Return the user a reset token was made for. Raises ExpiredResetToken or InvalidResetToken."""
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise ExpiredResetToken() from None
    except BadSignature:
        raise InvalidResetToken() from None
    if not isinstance(data, dict):
        raise InvalidResetToken()
    user = db.session.get(User, data.get("uid")) if isinstance(data.get("uid"), int) else None
    if user is None or not user.active or not hmac.compare_digest(str(data.get("pw")), _password_fingerprint(user)):
        raise InvalidResetToken()
    return user


def request_password_reset(email: str, *, reset_url_for, locale: str) -> int | None:
    """Queue a reset email if an account has this address; return the mail id, or None.

    Says nothing about whether the account exists (the view shows the same message either way).
    `reset_url_for(token)` builds the absolute link. Raises ValidationError for a malformed email.
    """
    email = normalize_email(email)
    user = find_user_by_email(email)
    if user is None or not user.active:
        return None
    token = make_reset_token(user)
    mail = queue_mail(
        to=user.email,
        template="password_reset",
        locale=user.locale or locale,
        user=user,
        reset_url=reset_url_for(token),
        max_age_minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
    )
    return mail.id


def reset_password(token: str, new_password: str) -> User:
    """Set a new password through a reset link. Raises InvalidResetToken/ExpiredResetToken or
    ValidationError for a short password."""
    user = user_for_reset_token(token)
    check_password_rules(new_password)
    user.password_hash = hash_password(new_password)
    db.session.flush()
    return user
