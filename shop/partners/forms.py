"""Shapes of the partner forms (application, billing profile, locations with receiving hours,
members, the admin's decisions). Lengths and required fields only: the rules (tax code, phone,
ward in province, hours, who may do what) are the services'."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from shop import geo
from shop.clock import format_minutes
from shop.partners.locations import LocationDetails
from shop.partners.models import PARTNER_ROLES, PAYMENT_TERMS, WEEKDAY_NAMES, WEEKDAYS, role_label, terms_label
from shop.web import PlaceChoices, place_code

_required = DataRequired(message=_l("This field is required."))


def _street():
    return StringField(
        _l("Street address"),
        validators=[Length(max=200)],
        description=_l("House number, street, hamlet or building."),
        render_kw={"autocomplete": "address-line1"},
    )


def _time(label):
    # Length's maxlength is not valid HTML on a time input (the Nu checker refuses it): left out.
    return StringField(label, validators=[Length(max=5)], render_kw={"type": "time", "step": 300, "maxlength": False})


class _Hours:
    """Opening and closing times for each weekday (opens_0 … closes_6, Monday = 0)."""

    def weekdays(self):
        """(weekday, its name, opens field, closes field) for the template."""
        return [
            (day, WEEKDAY_NAMES[day], getattr(self, f"opens_{day}"), getattr(self, f"closes_{day}")) for day in WEEKDAYS
        ]

    def hours_data(self) -> dict:
        return {day: (getattr(self, f"opens_{day}").data, getattr(self, f"closes_{day}").data) for day in WEEKDAYS}

    def fill_hours(self, hours: dict) -> None:
        for day in WEEKDAYS:
            opens, closes = hours.get(day, (None, None))
            getattr(self, f"opens_{day}").data = format_minutes(opens)
            getattr(self, f"closes_{day}").data = format_minutes(closes)


for _day in WEEKDAYS:
    setattr(_Hours, f"opens_{_day}", _time(_l("Opens")))
    setattr(_Hours, f"closes_{_day}", _time(_l("Closes")))


def put_hours_error(form, exc, *, prefix: str = "") -> bool:
    """Show a service error about a day's hours (`hours_<weekday>`, or `<prefix>hours_<weekday>`)
    on that day's opening field; True if it was one."""
    name = (exc.field or "").removeprefix(prefix)
    if not name.startswith("hours"):
        return False
    day = name.removeprefix("hours_")
    target = getattr(form, f"opens_{day}", None) if day.isdigit() else None
    if target is None:
        form.form_errors.append(str(exc.message))
    else:
        target.errors = [*target.errors, str(exc.message)]
    return True


class LocationForm(_Hours, PlaceChoices, FlaskForm):
    name = StringField(
        _l("Branch name"),
        validators=[_required, Length(max=120)],
        description=_l("How your staff and the couriers call it, e.g. Chi nhánh Tây Hồ."),
    )
    street = _street()
    province_code = SelectField(_l("Province or city"), coerce=place_code, validate_choice=False)
    ward_code = SelectField(_l("Commune or ward"), coerce=place_code, validate_choice=False)
    contact_name = StringField(
        _l("Who receives deliveries"), validators=[_required, Length(max=120)], render_kw={"autocomplete": "name"}
    )
    contact_phone = TelField(
        _l("Their phone"),
        validators=[Length(max=20)],
        description=_l("A mobile like 0912 345 678."),
        render_kw={"autocomplete": "tel"},
    )

    def details(self) -> LocationDetails:
        return LocationDetails(
            name=self.name.data,
            street=self.street.data,
            province_code=self.province_code.data,
            ward_code=self.ward_code.data,
            contact_name=self.contact_name.data,
            contact_phone=self.contact_phone.data,
            hours=self.hours_data(),
        )

    def fill(self, location) -> None:
        for name in ("name", "street", "province_code", "ward_code", "contact_name", "contact_phone"):
            getattr(self, name).data = getattr(location, name)
        self.fill_hours({h.weekday: (h.opens_minute, h.closes_minute) for h in location.hours})


class BillingForm(PlaceChoices, FlaskForm):
    street = _street()
    province_code = SelectField(_l("Province or city"), coerce=place_code, validate_choice=False)
    ward_code = SelectField(_l("Commune or ward"), coerce=place_code, validate_choice=False)
    einvoice_email = EmailField(
        _l("Email for invoices"),
        validators=[Length(max=254)],
        description=_l("Where the shop sends your invoices (and your e-invoice provider its e-invoices)."),
        render_kw={"autocomplete": "email"},
    )
    contact_phone = TelField(
        _l("Contact phone"),
        validators=[Length(max=20)],
        description=_l("A mobile like 0912 345 678 or a landline like 024 3823 4567."),
        render_kw={"autocomplete": "tel"},
    )


class ApplicationForm(_Hours, BillingForm):
    """The application: the business, its billing details, and its first delivery location
    (location_*; more can be added once approved)."""

    name = StringField(
        _l("Legal name"),
        validators=[_required, Length(max=200)],
        description=_l("As on your business registration certificate."),
        render_kw={"autocomplete": "organization"},
    )
    tax_code = StringField(
        _l("Tax code (mã số thuế)"),
        validators=[_required, Length(max=20)],
        description=_l("10 digits, or 10 digits, a dash and 3 digits for a branch (0100109106-001)."),
        render_kw={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"},
    )
    location_name = LocationForm.name
    location_street = _street()
    location_province_code = SelectField(_l("Province or city"), coerce=place_code, validate_choice=False)
    location_ward_code = SelectField(_l("Commune or ward"), coerce=place_code, validate_choice=False)
    location_contact_name = LocationForm.contact_name
    location_contact_phone = LocationForm.contact_phone

    def set_place_choices(self, province: int | None, location_province: int | None = None) -> None:
        super().set_place_choices(province)
        self.location_province_code.choices = self.province_code.choices
        wards = geo.wards(location_province) if location_province else ()
        self.location_ward_code.choices = [SelectChoice("", _l("Choose a commune or ward"))] + [
            SelectChoice(code, name) for code, name in wards
        ]

    def location(self) -> LocationDetails:
        return LocationDetails(
            name=self.location_name.data,
            street=self.location_street.data,
            province_code=self.location_province_code.data,
            ward_code=self.location_ward_code.data,
            contact_name=self.location_contact_name.data,
            contact_phone=self.location_contact_phone.data,
            hours=self.hours_data(),
        )

    def fill(self, partner, location) -> None:
        for name in ("name", "tax_code", "street", "province_code", "ward_code", "einvoice_email", "contact_phone"):
            getattr(self, name).data = getattr(partner, name)
        if location is not None:
            for name in ("name", "street", "province_code", "ward_code", "contact_name", "contact_phone"):
                getattr(self, f"location_{name}").data = getattr(location, name)
            self.fill_hours({h.weekday: (h.opens_minute, h.closes_minute) for h in location.hours})


def _role_choices():
    descriptions = {
        "owner": _l("staff, locations, orders and invoices"),
        "buyer": _l("orders, for all or some locations; no invoices"),
        "accountant": _l("invoices and statements; no ordering"),
    }
    return [SelectChoice(role, f"{role_label(role)}: {descriptions[role]}") for role in PARTNER_ROLES]


class InviteForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        validators=[_required, Length(max=254)],
        description=_l("They accept the invitation logged in with this address (or sign up with it first)."),
        render_kw={"autocomplete": "off"},
    )
    role = RadioField(_l("Role"), choices=_role_choices, default="buyer")


class MemberActionForm(FlaskForm):
    """Buttons on the members page (change a role, remove someone, withdraw an invitation)."""

    role = HiddenField()


class MemberLocationsForm(FlaskForm):
    """Which locations a buyer orders for: all of them, or those ticked."""

    scope = RadioField(
        _l("Orders for"),
        choices=[SelectChoice("all", _l("Every location")), SelectChoice("some", _l("Only the locations ticked"))],
        default="all",
        validate_choice=False,
    )
    locations = SelectMultipleField(
        _l("Locations"),
        coerce=int,
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


# --- The admin's forms ----------------------------------------------------------------------


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), description=_l("The partner reads it."), render_kw={"rows": 3})


class TermsForm(FlaskForm):
    """Sent through `form_action`: the service checks the values and names the field at fault."""

    payment_terms = SelectField(
        _l("Payment terms"),
        choices=lambda: [SelectChoice(terms, terms_label(terms)) for terms in PAYMENT_TERMS],
        validate_choice=False,
    )
    credit_limit_vnd = StringField(
        _l("Credit limit (đồng)"),
        description=_l("Unpaid invoices plus a new order on terms may not go above it. 0: no credit."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )


class HoldForm(FlaskForm):
    until = StringField(_l("Allow orders until (inclusive)"), render_kw={"type": "date"})
    reason = TextAreaField(_l("Note (optional)"), render_kw={"rows": 2})


class LegalForm(FlaskForm):
    name = StringField(_l("Legal name"))
    tax_code = StringField(_l("Tax code (mã số thuế)"))
