"""Shapes of the producer forms (application, profile, bank account, members, the admin's
review). Lengths and required fields only: the rules (tax code, phone, ward in province, who may
do what) are the services'."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, RadioField, SelectChoice, SelectField, StringField, TelField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from shop.producers.models import kind_label
from shop.web import PlaceChoices, place_code

_required = DataRequired(message=_l("This field is required."))


def _kind_choices():
    return [SelectChoice(kind, kind_label(kind)) for kind in ("cooperative", "company", "household")]


def _street():
    return StringField(
        _l("Street address"),
        validators=[Length(max=200)],
        description=_l("House number, street, hamlet or building."),
        render_kw={"autocomplete": "address-line1"},
    )


def _phone():
    return TelField(
        _l("Contact phone"),
        validators=[Length(max=20)],
        description=_l("A mobile like 0912 345 678 or a landline like 024 3823 4567."),
        render_kw={"autocomplete": "tel"},
    )


def _story(label, lang: str):
    return TextAreaField(
        label,
        validators=[Optional(), Length(max=5000)],
        description=_l("Who you are, what you make and how: shoppers read it on your page."),
        render_kw={"rows": 5, "lang": lang},
    )


def _bank_fields():
    return (
        StringField(_l("Bank"), validators=[Length(max=120)], description=_l("e.g. Vietcombank, Agribank, BIDV.")),
        StringField(
            _l("Account number"),
            validators=[Length(max=30)],
            render_kw={"inputmode": "numeric", "autocomplete": "off"},
        ),
        StringField(
            _l("Account holder"),
            validators=[Length(max=120)],
            description=_l("As the bank has it, e.g. HTX DICH VU NONG NGHIEP PHU THUONG."),
            render_kw={"autocomplete": "off"},
        ),
    )


class ApplicationForm(PlaceChoices, FlaskForm):
    kind = RadioField(_l("Kind of organisation"), choices=_kind_choices, default="cooperative")
    name = StringField(
        _l("Legal name"),
        validators=[_required, Length(max=200)],
        description=_l("As on your business or co-operative registration certificate."),
        render_kw={"autocomplete": "organization"},
    )
    tax_code = StringField(
        _l("Tax code (mã số thuế)"),
        validators=[_required, Length(max=20)],
        description=_l("10 digits, or 10 digits, a dash and 3 digits for a branch (0100109106-001)."),
        render_kw={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"},
    )
    street = _street()
    province_code = SelectField(_l("Province or city"), coerce=place_code, validate_choice=False)
    ward_code = SelectField(_l("Commune or ward"), coerce=place_code, validate_choice=False)
    contact_phone = _phone()
    bank_name, bank_account_number, bank_account_holder = _bank_fields()
    story_vi = _story(_l("Your story in Vietnamese"), "vi")
    story_en = _story(_l("Your story in English (optional)"), "en")


class ProfileForm(PlaceChoices, FlaskForm):
    street = _street()
    province_code = SelectField(_l("Province or city"), coerce=place_code, validate_choice=False)
    ward_code = SelectField(_l("Commune or ward"), coerce=place_code, validate_choice=False)
    former_name = StringField(
        _l("Former place name (optional)"),
        validators=[Length(max=200)],
        description=_l("The name before the 2025 reform, e.g. Phường Quảng An, quận Tây Hồ (cũ)."),
    )
    craft_village = StringField(
        _l("Craft village (optional)"),
        validators=[Length(max=200)],
        description=_l("e.g. Làng nghề Xôi Phú Thượng."),
    )
    contact_phone = _phone()
    contact_email = EmailField(
        _l("Contact email (optional)"), validators=[Length(max=254)], render_kw={"autocomplete": "email"}
    )
    story_vi = _story(_l("Your story in Vietnamese"), "vi")
    story_en = _story(_l("Your story in English (optional)"), "en")


class BankForm(FlaskForm):
    bank_name, bank_account_number, bank_account_holder = _bank_fields()


class InviteForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        validators=[_required, Length(max=254)],
        description=_l("They accept the invitation logged in with this address (or sign up with it first)."),
        render_kw={"autocomplete": "off"},
    )
    role = RadioField(
        _l("Role"),
        choices=[
            SelectChoice("staff", _l("Staff: listings, stock, certificates and shipments")),
            SelectChoice("owner", _l("Owner: also the bank account and the members")),
        ],
        default="staff",
    )


class MemberActionForm(FlaskForm):
    """Buttons on the members page (change a role, remove someone, withdraw an invitation)."""

    role = HiddenField()


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"),
        description=_l("The producer reads it."),
        render_kw={"rows": 3},
    )


class CommissionForm(FlaskForm):
    commission = StringField(
        _l("Commission"),
        description=_l("Empty: the shop's default rate."),
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    unit = SelectField(
        _l("Unit"),
        choices=[SelectChoice("percent", _l("percent (%)")), SelectChoice("bp", _l("basis points"))],
        default="percent",
        validate_choice=False,
    )


class LegalForm(FlaskForm):
    """Sent through `form_action`: only the CSRF token is checked as a form; the service names
    the field at fault."""

    kind = RadioField(_l("Kind of organisation"), choices=_kind_choices, validate_choice=False)
    name = StringField(_l("Legal name"))
    tax_code = StringField(_l("Tax code (mã số thuế)"))
