"""Account rules: sign-up, sign-in, login sessions, password reset and profile changes. No commits
here."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from datetime import timedelta

from blinker import Namespace
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import format_timedelta
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, or_, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from shop import clock
from shop.accounts import throttle
from shop.accounts.models import LoginSession, User
from shop.errors import ConflictError, RateLimited, ValidationError
from shop.extensions import db
from shop.mail.models import OutboundMail
from shop.mail.services import queue_mail
from shop.models_base import utcnow
from shop.text import fold_email
from shop.urls import external_url

_signals = Namespace()
# Sent once a log-in has started a new session: the sender is the user, `previous` what the
# session held before (a guest's cart key). Packages above accounts subscribe, so accounts never
# imports them.
logged_in = _signals.signal("logged-in")

MAX_EMAIL_LENGTH = 254
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


class InvalidSignupLink(ValidationError):
    code = "invalid_signup_link"
    default_message = _l("This link to finish creating your account is not valid. Please start again.")


class ExpiredSignupLink(InvalidSignupLink):
    code = "expired_signup_link"
    default_message = _l("This link to finish creating your account has expired. Please start again.")


def normalize_email(raw: str | None) -> str:
    """The one form of an address used for every lookup and everything stored: Unicode NFKC,
    trimmed, validated, case-folded, so "ＡＤＭＩＮ@OCOP.example " is "admin@ocop.example".
    Raises ValidationError if it is malformed."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    try:
        # Deliverability needs DNS, which a shop must not wait on at sign-up.
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationError(_l("Enter a valid email address, like name@example.com."), field="email") from exc
    email = fold_email(result.normalized)
    if len(email) > MAX_EMAIL_LENGTH:
        raise ValidationError(_l("Enter a valid email address, like name@example.com."), field="email")
    return email


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


def find_user_by_email(email: str | None) -> User | None:
    """The account with this address, however it is written; None if none (or not an address)."""
    try:
        email = normalize_email(email)
    except ValidationError:
        return None
    return db.session.scalar(select(User).where(User.email == email))


def register_user(*, email: str, name: str, password: str, phone: str | None = None, locale: str | None = None) -> User:
    """Create a shopper account at once (commands, and the end of a confirmed sign-up). Raises
    ValidationError for bad fields, ConflictError if the email already has an account."""
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
    user = find_user_by_email(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        raise InvalidCredentials()
    if not check_password_hash(user.password_hash, password or "") or not user.active:
        raise InvalidCredentials()
    return user


def _wait_message(seconds: int) -> LazyString:
    # Formatted when shown, in the reader's language ("2 seconds", "15 phút").
    wait = LazyString(format_timedelta, timedelta(seconds=seconds), threshold=1)
    return _l(
        "Too many failed attempts to log in. Please wait %(wait)s and try again, "
        "or choose a new password with “Forgot your password?”.",
        wait=wait,
    )


def log_in(email: str, password: str, *, ip: str | None) -> User:
    """authenticate(), slowed down after failures: while the wait for this account from this
    address (or for this address) runs, refuses without looking at the password. Raises
    RateLimited or InvalidCredentials."""
    wait = throttle.login_wait(email, ip)
    if wait:
        raise RateLimited(_wait_message(wait), retry_after=wait)
    try:
        user = authenticate(email, password)
    except InvalidCredentials:
        throttle.record_failed_login(email, ip)
        raise
    throttle.forget_failed_logins(email, ip)
    return user


# --- Login sessions -------------------------------------------------------------------------
# Each log-in gets a random token; its sha256 is kept in login_sessions and Flask-Login's id for
# the user is "<user id>:<token>", in the session cookie and the remember cookie alike. The user
# loader accepts only a live row, so logging out, or a password change elsewhere, ends a session
# on the server and a copied cookie stops working. Loading a user writes nothing.


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _oldest_live_session():
    # No login outlives "remember me": a session cookie kept for ever does not either.
    return clock.now() - current_app.config["REMEMBER_COOKIE_DURATION"]


def start_login_session(user: User, *, remember: bool) -> str:
    """Open a login session for `user` and attach its token to the object (for get_id()).
    Returns the token; only its hash is stored. Raises nothing."""
    # Housekeeping while writing anyway: this user's ended and expired sessions go.
    db.session.execute(
        delete(LoginSession).where(
            LoginSession.user_id == user.id,
            or_(LoginSession.revoked_at.is_not(None), LoginSession.created_at < _oldest_live_session()),
        )
    )
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(user_id=user.id, token_hash=_token_hash(token), remember=remember))
    user.last_login_at = utcnow()
    db.session.flush()
    user.session_token = token
    return token


def user_for_session_id(session_id: str | None) -> User | None:
    """The active user whose live login session `session_id` ("<user id>:<token>") names, with
    the token attached; None for anything else, old-style ids ("<user id>") included. Reads only."""
    user_id, sep, token = (session_id or "").partition(":")
    if not (sep and user_id.isascii() and user_id.isdigit() and len(user_id) <= 10 and 0 < len(token) <= 128):
        return None
    user = db.session.scalar(
        select(User)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(
            User.id == int(user_id),
            LoginSession.token_hash == _token_hash(token),
            LoginSession.revoked_at.is_(None),
            LoginSession.created_at >= _oldest_live_session(),
        )
    )
    if user is None or not user.active:
        return None
    user.session_token = token
    return user


def end_login_session(user: User) -> None:
    """Log out on the server: the session this user object was loaded for stops working, with
    its remember cookie. Raises nothing."""
    if user.session_token:
        db.session.execute(
            update(LoginSession)
            .where(LoginSession.token_hash == _token_hash(user.session_token), LoginSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


def end_other_login_sessions(user: User, *, keep: str | None = None) -> None:
    """End every login session of `user` except the one whose token is `keep` (all if None)."""
    query = update(LoginSession).where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
    if keep:
        query = query.where(LoginSession.token_hash != _token_hash(keep))
    db.session.execute(query.values(revoked_at=utcnow()))


def set_password(user: User, password: str, *, keep_session: str | None = None, field: str = "password") -> None:
    """Give `user` a new password and end their other login sessions (all but `keep_session`):
    whoever knew the old one is logged out everywhere. Raises ValidationError for a bad password."""
    check_password_rules(password, field=field)
    user.password_hash = hash_password(password)
    end_other_login_sessions(user, keep=keep_session)
    db.session.flush()


def update_profile(user: User, *, name: str, phone: str | None, locale: str | None) -> User:
    """Change name, phone and preferred language. Raises ValidationError."""
    user.name = _check_name(name)
    user.phone = normalize_phone(phone)
    user.locale = _check_locale(locale)
    db.session.flush()
    return user


def change_password(user: User, *, current_password: str, new_password: str) -> None:
    """Change the password; the session `user` was loaded for stays logged in, every other one
    ends. Raises ValidationError if the current password is wrong or the new one too short."""
    if not check_password_hash(user.password_hash, current_password or ""):
        raise ValidationError(_l("Your current password is not correct."), field="current_password")
    set_password(user, new_password, keep_session=user.session_token, field="new_password")


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


def request_password_reset(email: str, *, locale: str, ip: str | None) -> OutboundMail:
    """Mail the account with this address a link to choose a new password; an address without an
    (active) account gets a note saying so instead, so that whoever asked learns nothing and the
    work is the same either way. Counts against RESET_LIMIT_PER_IP for `ip`, which failed log-ins
    do not touch: the way back in stays open while a log-in has to wait. Returns the queued mail.
    Raises RateLimited, or ValidationError for a malformed email."""
    throttle.limit("reset", current_app.config["RESET_LIMIT_PER_IP"], ip)
    email = normalize_email(email)
    user = find_user_by_email(email)
    if user is None or not user.active:
        return queue_mail(
            to=email, template="password_reset_unknown", locale=locale, register_url=external_url("accounts.register")
        )
    return queue_mail(
        to=user.email,
        template="password_reset",
        locale=user.locale or locale,
        user=user,
        reset_url=external_url("accounts.reset_password", token=make_reset_token(user)),
        max_age_minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
    )


def reset_password(token: str, new_password: str) -> User:
    """Set a new password through a reset link; every login session of the account ends (the
    caller starts a new one). Raises InvalidResetToken/ExpiredResetToken or ValidationError for a
    short password."""
    user = user_for_reset_token(token)
    set_password(user, new_password)
    return user


# --- Sign-up --------------------------------------------------------------------------------
# Signing up answers the same whether or not the address has an account: "we have sent you a
# message". A new address gets a signed, dated link to finish (name, password); the owner of an
# existing account gets a note with a link to log in or choose a new password. The link needs no
# table: it carries the address, and it is single-use because the account exists once it is used.


def _signup_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="signup")


def make_signup_token(email: str, locale: str | None) -> str:
    """The token of a finish-sign-up link for `email` (already normalised)."""
    return _signup_serializer().dumps({"email": email, "locale": locale})


def request_signup(email: str, *, locale: str, ip: str | None) -> OutboundMail:
    """Start creating an account for `email`: mail it a link to finish, or, if the address has an
    account already, a note saying so. Counts against REGISTER_LIMIT_PER_IP for `ip`. Returns the
    queued mail (its to_addr is the address as the shop writes it). Raises RateLimited, or
    ValidationError for a malformed email."""
    throttle.limit("register", current_app.config["REGISTER_LIMIT_PER_IP"], ip)
    email = normalize_email(email)
    user = find_user_by_email(email)
    if user is None:
        token = make_signup_token(email, locale)
        return queue_mail(
            to=email,
            template="signup",
            locale=locale,
            finish_url=external_url("accounts.finish_signup", token=token),
            max_age_hours=max(current_app.config["SIGNUP_LINK_MAX_AGE"] // 3600, 1),
        )
    return queue_mail(
        to=user.email,
        template="signup_existing",
        locale=user.locale or locale,
        user=user,
        login_url=external_url("accounts.login"),
        reset_url=external_url("accounts.reset_password", token=make_reset_token(user)),
        max_age_minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
    )


def signup_for_token(token: str) -> tuple[str, str | None]:
    """The address (and language) a finish-sign-up link was made for. Raises ExpiredSignupLink or
    InvalidSignupLink, and ConflictError once the address has an account (the link was used)."""
    try:
        data = _signup_serializer().loads(token, max_age=current_app.config["SIGNUP_LINK_MAX_AGE"])
    except SignatureExpired:
        raise ExpiredSignupLink() from None
    except BadSignature:
        raise InvalidSignupLink() from None
    if not isinstance(data, dict) or not isinstance(data.get("email"), str):
        raise InvalidSignupLink()
    email = data["email"]
    if find_user_by_email(email) is not None:
        raise ConflictError(_l("This address has an account already: please log in."))
    locale = data.get("locale") if data.get("locale") in LOCALES else None
    return email, locale


def finish_signup(token: str, *, name: str, password: str, phone: str | None = None, locale: str | None = None) -> User:
    """Create the account a finish-sign-up link was mailed for. Raises what signup_for_token()
    raises, or ValidationError for bad fields."""
    email, link_locale = signup_for_token(token)
    return register_user(email=email, name=name, password=password, phone=phone, locale=locale or link_locale)
