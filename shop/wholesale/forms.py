"""The partner ordering pages' forms: shape and size only; the rules are the services'."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from shop.wholesale.ordering import PO_NUMBER_MAX


class CsrfOnlyForm(FlaskForm):
    """A button or a grid of inputs read by the view: only the CSRF token."""


class UploadOrderForm(FlaskForm):
    file = FileField(
        _l("CSV file"),
        description=_l("Two columns, SKU and quantity; UTF-8; comma, semicolon or tab; at most 500 rows."),
        render_kw={"accept": ".csv,.txt,text/csv,text/plain"},
    )
    text = TextAreaField(
        _l("Or paste the lines"),
        description=_l("One line per product: SKU, then the quantity (e.g. XOI-500G,20)."),
        validators=[Optional(), Length(max=1024 * 1024)],
        render_kw={"rows": 8, "spellcheck": "false", "autocomplete": "off"},
    )


class ConfirmUploadForm(FlaskForm):
    # "variant:quantity,…" of the rows that passed; checked again when they reach the draft.
    lines = HiddenField(validators=[DataRequired(), Length(max=12_000)])


class PlaceOrderForm(FlaskForm):
    location_id = StringField(_l("Delivery location"), validators=[Length(max=12)])
    delivery_date = StringField(_l("Delivery date"), validators=[Length(max=12)])
    window = StringField(_l("Delivery window"), validators=[Length(max=12)])
    po_number = StringField(
        _l("Purchase-order number (optional)"),
        validators=[Length(max=PO_NUMBER_MAX)],
        render_kw={"maxlength": PO_NUMBER_MAX, "autocomplete": "off"},
    )
    note = TextAreaField(
        _l("Note for the delivery (optional)"),
        validators=[Length(max=300)],
        render_kw={"rows": 2, "maxlength": 300},
    )
    payment_method = StringField(_l("Payment"), validators=[Length(max=20)])
    checkout_token = HiddenField(validators=[DataRequired(), Regexp(r"^[A-Za-z0-9_-]{16,64}$")])
    expected_total = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9]{1,15}$")])
