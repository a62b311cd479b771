"""Shapes of the account forms. Rules that need the database live in services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectChoice,
    StringField,
    TelField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from shop.accounts.services import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

_password_length = Length(
    min=MIN_PASSWORD_LENGTH,
    max=MAX_PASSWORD_LENGTH,
    message=_l("Use a password of at least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
)
_required = DataRequired(message=_l("This field is required."))


def _new_password(label) -> PasswordField:
    return PasswordField(
        label,
        validators=[_required, _password_length],
        description=_l("At least 8 characters."),
        render_kw={"autocomplete": "new-password"},
    )


def _repeat(label, of: str) -> PasswordField:
    return PasswordField(
        label,
        validators=[_required, EqualTo(of, message=_l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )


class RegisterForm(FlaskForm):
    """Step one: the address, which gets a link to step two."""

    email = EmailField(_l("Email"), validators=[_required, Length(max=254)], render_kw={"autocomplete": "email"})


class FinishSignupForm(FlaskForm):
    """Step two, through the mailed link: who you are and your password."""

    name = StringField(_l("Full name"), validators=[_required, Length(max=120)], render_kw={"autocomplete": "name"})
    phone = TelField(_l("Phone (optional)"), validators=[Optional(), Length(max=20)], render_kw={"autocomplete": "tel"})
    password = _new_password(_l("Password"))
    confirm = _repeat(_l("Repeat password"), of="password")


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[_required], render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[_required], render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Remember me"))
    next = HiddenField()


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[_required], render_kw={"autocomplete": "email"})


class ResetPasswordForm(FlaskForm):
    password = _new_password(_l("New password"))
    confirm = _repeat(_l("Repeat new password"), of="password")


class ProfileForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[_required, Length(max=120)], render_kw={"autocomplete": "name"})
    phone = TelField(_l("Phone (optional)"), validators=[Optional(), Length(max=20)], render_kw={"autocomplete": "tel"})
    locale = RadioField(
        _l("Preferred language"),
        choices=[
            SelectChoice("vi", "Tiếng Việt", render_kw={"lang": "vi"}),
            SelectChoice("en", "English", render_kw={"lang": "en"}),
        ],
        validators=[_required],
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[_required], render_kw={"autocomplete": "current-password"}
    )
    new_password = _new_password(_l("New password"))
    confirm = _repeat(_l("Repeat new password"), of="new_password")


class LanguageForm(FlaskForm):
    lang = HiddenField(validators=[_required])
    next = HiddenField()


class LogoutForm(FlaskForm):
    pass
