"""Checkout forms: shape and length. Phone, ward-in-province and which deliveries and payments
are possible are decided by the checkout service."""

from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from shop import geo
from shop.cart.services import parse_id
from shop.orders.services import DELIVERY_LABELS
from shop.payments import registry as payments

_required = DataRequired(message=_l("This field is required."))


def _code(value):
    """A province or ward code from the form: a bounded whole number, else None (the service then
    asks for a province or ward of the list), so no huge number reaches the database."""
    return parse_id(value)


def _printable(value):
    """Control characters are dropped (a NUL byte cannot even be stored in PostgreSQL text); tabs
    and line breaks become spaces."""
    if not isinstance(value, str):
        return value
    return "".join(" " if ch in "\t\r\n" else ch for ch in value if ch in "\t\r\n" or not _control(ch))


def _printable_lines(value):
    """Like _printable, keeping line breaks (a delivery note may have several lines)."""
    if not isinstance(value, str):
        return value
    return "".join(ch for ch in value.replace("\r\n", "\n") if ch == "\n" or not _control(ch))


def _control(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cs")


def _first_payment_method() -> str | None:
    """The way to pay chosen until the shopper picks one: the first the shop offers."""
    offered = payments.enabled()
    return offered[0].code if offered else None


class CheckoutForm(FlaskForm):
    contact_name = StringField(
        _l("Full name"),
        validators=[_required, Length(max=120)],
        filters=[_printable],
        render_kw={"autocomplete": "name"},
    )
    phone = TelField(
        _l("Phone number"),
        validators=[_required, Length(max=20)],
        filters=[_printable],
        description=_l("The courier calls this number, e.g. 0912 345 678."),
        render_kw={"autocomplete": "tel"},
    )
    email = EmailField(
        _l("Email"),
        validators=[_required, Email(message=_l("Enter a valid email address.")), Length(max=254)],
        filters=[_printable],
        description=_l("We send the order confirmation here."),
        render_kw={"autocomplete": "email"},
    )
    saved_address = SelectField(_l("Saved address"), choices=[], validators=[Optional()], validate_choice=False)
    province_code = SelectField(_l("Province or city"), coerce=_code, validate_choice=False)
    ward_code = SelectField(_l("Commune or ward"), coerce=_code, validate_choice=False)
    street = StringField(
        _l("Street and house number"),
        validators=[Length(max=200)],
        filters=[_printable],
        description=_l("House number, street, hamlet or building."),
        render_kw={"autocomplete": "address-line1"},
    )
    delivery_note = TextAreaField(
        _l("Note for the delivery (optional)"),
        validators=[Optional(), Length(max=300)],
        filters=[_printable_lines],
        render_kw={"rows": 2},
    )
    delivery_method = RadioField(
        _l("Delivery"),
        choices=[SelectChoice(key, label) for key, label in DELIVERY_LABELS.items()],
        default="standard",
        validators=[_required],
    )
    payment_method = RadioField(_l("Payment"), choices=[], default=_first_payment_method, validators=[_required])
    save_address = BooleanField(_l("Save this address for next time"))

    def set_choices(self, *, methods, addresses=(), province: int | None = None) -> None:
        """`methods`: the ways to pay offered (PaymentMethod objects, in their order)."""
        self.payment_method.choices = [SelectChoice(m.code, m.label) for m in methods]
        self.province_code.choices = [SelectChoice("", _l("Choose a province or city"))] + [
            SelectChoice(code, name) for code, name in geo.provinces()
        ]
        wards = geo.wards(province) if province else ()
        self.ward_code.choices = [SelectChoice("", _l("Choose a commune or ward"))] + [
            SelectChoice(code, name) for code, name in wards
        ]
        self.saved_address.choices = [SelectChoice("", _l("A new address"))] + [
            SelectChoice(str(a.id), f"{a.contact_name}, {a.street}, {a.ward_name}, {a.province_name}")
            for a in addresses
        ]


class PlaceOrderForm(FlaskForm):
    # Made by new_checkout_token (URL-safe base64); anything else is refused before any lookup.
    checkout_token = HiddenField(validators=[DataRequired(), Regexp(r"^[A-Za-z0-9_-]{16,64}$")])
    # The total the shopper saw; it never sets a price, it only tells whether something changed.
    expected_total = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9]{1,15}$")])
    # The quantities it showed ("variant:quantity,…"), to tell "sold out since" from other changes.
    expected_lines = HiddenField(validators=[Optional(), Length(max=4000)])
