"""Cart forms: only their shape and the CSRF token; quantities are checked by the cart service."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField


class AddToCartForm(FlaskForm):
    variant_id = HiddenField()
    product_id = HiddenField()  # from a listing: the product's cheapest pack in stock
    # Text, not IntegerField: the service gives the one clear message for any bad quantity.
    quantity = StringField(_l("Quantity"), default="1")
    next = HiddenField()


class LineForm(FlaskForm):
    quantity = StringField(_l("Quantity"))


class RemoveLineForm(FlaskForm):
    pass
