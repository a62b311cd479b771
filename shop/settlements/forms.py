"""The payout form: shape only; the rules are in settlements.services."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

_required = DataRequired(message=_l("This field is required."))


def parse_vnd(text: str | None) -> int | None:
    """An amount typed in đồng, with or without thousands separators ("1.250.000", "1 250 000 ₫",
    "1250000"): its whole number, or None if it is not one."""
    raw = re.sub(r"[\s.,₫]|đ|VND", "", (text or "").strip(), flags=re.IGNORECASE)
    return int(raw) if raw.isdigit() else None


def _id_or_none(value):
    """A choice's id as an int; the empty "choose" choice (or anything not a number) is None."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class VndField(StringField):
    """A whole number of đồng typed as text (separators allowed); `data` is an int or None."""

    def process_formdata(self, valuelist):
        self.raw = valuelist[0] if valuelist else ""
        self.data = parse_vnd(self.raw)

    def _value(self):
        return self.raw if getattr(self, "raw", None) is not None else ("" if self.data is None else str(self.data))

    def pre_validate(self, form):
        if getattr(self, "raw", "") and self.data is None:
            raise ValidationError(_l("Enter a whole number of đồng, e.g. 1.250.000."))


class PayoutForm(FlaskForm):
    """An admin records money sent to a producer for a statement month."""

    # The first choice is an empty "choose" (set by the view), so no producer is paid by default.
    producer_id = SelectField(_l("Producer"), coerce=_id_or_none, validators=[DataRequired(_l("Choose a producer."))])
    period = StringField(
        _l("Statement month"),
        validators=[_required, Length(max=7)],
        description=_l("The month the payout settles, like 2026-11."),
        render_kw={"inputmode": "numeric", "autocomplete": "off", "placeholder": "2026-11", "maxlength": 7},
    )
    paid_on = DateField(_l("Paid on"), validators=[InputRequired(_l("Enter the day the money was sent."))])
    amount_vnd = VndField(
        _l("Amount (₫)"),
        validators=[_required],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    bank_reference = StringField(
        _l("Bank reference"),
        validators=[_required, Length(max=60)],
        description=_l("The transfer's reference on the bank statement."),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=300)])
