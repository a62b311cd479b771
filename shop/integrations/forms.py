"""Shapes of the owners' forms for API keys and webhook endpoints (lengths only: a name, a role
the organisation may give, an HTTPS address and at least one event are the services' rules)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectMultipleField, StringField
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget

from shop.integrations.keys import NAME_MAX


class ApiKeyForm(FlaskForm):
    """A new key: its name, and (for a partner) what it may do. The choices are the
    organisation's roles, set by the page."""

    name = StringField(
        _l("Name of the key"),
        validators=[Length(max=NAME_MAX)],
        description=_l(
            "What will use it, e.g. “Kho MISA” or “Phần mềm đặt hàng”, so that you can tell your keys apart."
        ),
        render_kw={"autocomplete": "off"},
    )
    role = RadioField(_l("What the key may do"), choices=[], validate_choice=False)


class ActionForm(FlaskForm):
    """A button that changes one thing (revoke a key; pause, resume, delete an endpoint; roll its
    secret; replay a delivery): only its CSRF token."""


class WebhookEndpointForm(FlaskForm):
    """A new webhook endpoint: its HTTPS address, a description and the events it is told about
    (the choices are the organisation's events, set by the page)."""

    url = StringField(
        _l("Address (HTTPS)"),
        validators=[Length(max=500)],
        description=_l("Where the shop sends the events, e.g. https://erp.example.vn/ocop/webhooks."),
        render_kw={"type": "url", "inputmode": "url", "autocomplete": "off", "spellcheck": "false"},
    )
    description = StringField(
        _l("Description (optional)"),
        validators=[Length(max=200)],
        description=_l("What receives them, for you and your colleagues."),
        render_kw={"autocomplete": "off"},
    )
    events = SelectMultipleField(
        _l("Events"),
        choices=[],
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
