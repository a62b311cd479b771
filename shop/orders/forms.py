from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField


class OrderActionForm(FlaskForm):
    """A button that changes an order (cancel, pay again, staff moves): only the CSRF token, and
    for staff moves the state to go to."""

    to = HiddenField()
