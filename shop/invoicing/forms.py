"""Staff's forms for invoices: shape only; the rules (not above the balance, a reason to void)
are in shop.invoicing.services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from shop.settlements.forms import VndField


class PaymentForm(FlaskForm):
    """An admin records money that arrived for an invoice, in full or in part."""

    amount_vnd = VndField(
        _l("Amount (₫)"),
        validators=[DataRequired(_l("Enter the amount that arrived."))],
        description=_l("At most the invoice's balance."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    paid_on = DateField(_l("Received on"), validators=[InputRequired(_l("Enter the day the money arrived."))])
    reference = StringField(
        _l("Bank reference (optional)"),
        validators=[Optional(), Length(max=100)],
        description=_l("The transfer's reference on the bank statement."),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )


class VoidForm(FlaskForm):
    """An admin voids an invoice, saying why (kept with it and in the audit log)."""

    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(_l("Say why you void this invoice.")), Length(max=300)],
        render_kw={"rows": 2, "maxlength": 300},
    )
