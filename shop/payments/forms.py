"""Payment forms: only their shape; what a Stripe session means is decided by the service."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import Length


class StripeReturnForm(FlaskForm):
    """Posted by the page Stripe sends the shopper back to, with the session Stripe named."""

    session_id = HiddenField(validators=[Length(max=255)])
