"""Forms for partners' prices: shape only. Numbers, dates and every rule are read and checked by
shop.pricing.editing, which names each field it refuses."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Length

from shop.catalog.groups import GROUPS


def _numeric(**kw):
    return {"inputmode": "numeric", "autocomplete": "off", **kw}


def _date(**kw):
    return {"type": "date", "autocomplete": "off", **kw}


class RulesForm(FlaskForm):
    """A pack's quantity rules for partners (prefix the form with the pack's id)."""

    partner_min_qty = StringField(
        _l("Minimum (optional)"), description=_l("Leave empty for no minimum."), render_kw=_numeric()
    )
    partner_max_qty = StringField(
        _l("Maximum (optional)"), description=_l("Leave empty for no maximum."), render_kw=_numeric()
    )
    partner_step = StringField(
        _l("Pack step"),
        description=_l("Partners order in multiples of this, e.g. 6 for a case of 6. 1 for any quantity."),
        render_kw=_numeric(),
    )


class BreakForm(FlaskForm):
    """A volume price: from a quantity, a unit price (prefix the form with the pack's id)."""

    min_qty = StringField(_l("From (units)"), render_kw=_numeric())
    unit_price_vnd = StringField(
        _l("Unit price (đồng)"), description=_l("VAT included, below the retail price."), render_kw=_numeric()
    )


class ButtonForm(FlaskForm):
    """A button that removes something: only the CSRF token."""


class PartnerPriceForm(FlaskForm):
    sku = StringField(
        _l("SKU"),
        validators=[Length(max=40)],
        description=_l("Find a pack above by its SKU or name."),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    unit_price_vnd = StringField(_l("Negotiated unit price (đồng)"), render_kw=_numeric())
    valid_from = StringField(_l("Valid from"), render_kw=_date())
    valid_to = StringField(_l("Valid to (optional)"), description=_l("The last day it applies."), render_kw=_date())


class EndPriceForm(FlaskForm):
    """The last day a negotiated price applies (prefix the form with the price's id)."""

    last_day = StringField(_l("Last day"), render_kw=_date())


class VatRateForm(FlaskForm):
    group_code = SelectField(_l("Product group"), validate_choice=False)
    subgroup_code = SelectField(
        _l("Subgroup (optional)"), validate_choice=False, description=_l("A subgroup's own rate wins over its group's.")
    )
    rate = StringField(_l("Rate (%)"), description=_l("e.g. 10, 8 or 5."), render_kw={"inputmode": "decimal"})
    valid_from = StringField(
        _l("Valid from"),
        description=_l("The group's open-ended rate ends the day before."),
        render_kw=_date(),
    )
    basis = StringField(
        _l("Legal basis"),
        validators=[Length(max=200)],
        description=_l("The law or decision, e.g. Luật Thuế GTGT 48/2024/QH15."),
    )

    def set_choices(self) -> None:
        self.group_code.choices = [("", _l("Choose a group"))] + [(g.code, g.name) for g in GROUPS]
        self.subgroup_code.choices = {
            "": [("", _l("The whole group"))],
            **{str(g.name): [(s.code, s.name) for s in g.subgroups] for g in GROUPS},
        }
