from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, StringField
from wtforms.validators import DataRequired, Length

_required = DataRequired(message=_l("This field is required."))


class OrderActionForm(FlaskForm):
    """A button that changes an order (cancel, pay again, staff moves): only the CSRF token, for
    staff moves the state to go to, and where to go back to afterwards."""

    to = HiddenField()
    next = HiddenField()


class OrderLinkForm(FlaskForm):
    """Ask for a fresh link to an order: its number and the email address it was placed with."""

    number = StringField(
        _l("Order number"),
        validators=[_required, Length(max=20)],
        description=_l("As in your order email, e.g. OCOP-2611-0042."),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    email = EmailField(
        _l("Email address used for the order"),
        validators=[_required, Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
