"""The producer's listing forms: shape only (lengths, which fields there are). Numbers, codes
and every rule are read and checked by shop.catalog.editing and shop.catalog.images, which
name each field they refuse."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from shop import geo
from shop.catalog import editing
from shop.catalog.groups import GROUPS

_MONTHS = (
    _l("January"),
    _l("February"),
    _l("March"),
    _l("April"),
    _l("May"),
    _l("June"),
    _l("July"),
    _l("August"),
    _l("September"),
    _l("October"),
    _l("November"),
    _l("December"),
)


def _month_choices():
    return [("", _l("No season"))] + [(str(n), name) for n, name in enumerate(_MONTHS, start=1)]


def _numeric(**kw):
    return {"inputmode": "numeric", "autocomplete": "off", **kw}


class ProductForm(FlaskForm):
    name_vi = StringField(_l("Name in Vietnamese"), validators=[Length(max=200)])
    name_en = StringField(_l("Name in English (optional)"), validators=[Optional(), Length(max=200)])
    summary_vi = TextAreaField(
        _l("Short summary in Vietnamese"),
        validators=[Optional(), Length(max=300)],
        description=_l("One or two sentences shown under the name."),
        render_kw={"rows": 2},
    )
    summary_en = TextAreaField(
        _l("Short summary in English"), validators=[Optional(), Length(max=300)], render_kw={"rows": 2}
    )
    description_vi = TextAreaField(
        _l("Description in Vietnamese"),
        validators=[Optional(), Length(max=editing.MAX_DESCRIPTION)],
        render_kw={"rows": 6},
    )
    description_en = TextAreaField(
        _l("Description in English"),
        validators=[Optional(), Length(max=editing.MAX_DESCRIPTION)],
        render_kw={"rows": 6},
    )
    group_code = SelectField(_l("OCOP product group"), validate_choice=False)
    subgroup_code = SelectField(_l("Subgroup (optional)"), validate_choice=False)
    unit_vi = StringField(
        _l("Unit in Vietnamese (optional)"),
        validators=[Optional(), Length(max=60)],
        description=_l("How it is sold, e.g. hộp, chai, cành."),
    )
    unit_en = StringField(_l("Unit in English (optional)"), validators=[Optional(), Length(max=60)])
    shelf_life_days = StringField(
        _l("Shelf life in days (optional)"),
        description=_l("1 for xôi made the same morning; leave empty if it keeps."),
        render_kw=_numeric(),
    )
    season_start_month = SelectField(_l("Season starts in"), validate_choice=False)
    season_end_month = SelectField(
        _l("Season ends in"),
        validate_choice=False,
        description=_l("The season may run over the new year, e.g. December to February."),
    )
    province_code = SelectField(_l("Province or city of origin"), validate_choice=False)
    ward_code = SelectField(_l("Commune or ward of origin"), validate_choice=False)
    former_name = StringField(
        _l("Former name of the place (optional)"),
        validators=[Optional(), Length(max=200)],
        description=_l("As people still know it, e.g. Phường Quảng An, quận Tây Hồ (cũ)."),
    )
    craft_village = StringField(
        _l("Craft village (optional)"),
        validators=[Optional(), Length(max=200)],
        description=_l("e.g. làng nghề Xôi Phú Thượng."),
    )

    def set_choices(self) -> None:
        self.group_code.choices = [("", _l("Choose a group"))] + [(g.code, g.name) for g in GROUPS]
        self.subgroup_code.choices = {
            "": [("", _l("No subgroup"))],
            **{str(g.name): [(s.code, s.name) for s in g.subgroups] for g in GROUPS},
        }
        self.season_start_month.choices = _month_choices()
        self.season_end_month.choices = _month_choices()
        self.province_code.choices = [("", _l("Choose a province or city"))] + [
            (str(code), name) for code, name in geo.provinces()
        ]
        province = self.province_code.data
        wards = geo.wards(int(province)) if str(province or "").isdigit() and len(str(province)) <= 2 else ()
        self.ward_code.choices = [("", _l("Choose a commune or ward"))] + [(str(code), name) for code, name in wards]


class VariantForm(FlaskForm):
    sku = StringField(
        _l("SKU"),
        validators=[Length(max=40)],
        description=_l("Your code for this pack, unique in the shop, e.g. XOI-PT-500."),
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"},
    )
    name_vi = StringField(_l("Pack name in Vietnamese"), validators=[Length(max=120)])
    name_en = StringField(_l("Pack name in English (optional)"), validators=[Optional(), Length(max=120)])
    price_vnd = StringField(
        _l("Price (đồng)"),
        description=_l("A whole number, e.g. 125000 or 125.000."),
        render_kw=_numeric(),
    )
    weight_g = StringField(
        _l("Weight with packaging, in grams (optional)"),
        description=_l("Used to work out shipping."),
        render_kw=_numeric(),
    )
    low_stock_threshold = StringField(
        _l("Warn me when stock falls to (optional)"),
        description=_l("The dashboard lists the pack when what can be sold is at or below this."),
        render_kw=_numeric(),
    )


class ImageForm(FlaskForm):
    file = FileField(
        _l("Picture"),
        description=_l("JPEG, PNG or WebP, at least 320×240 pixels. It is cropped to 4:3."),
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )
    alt_vi = StringField(
        _l("Description in Vietnamese"),
        validators=[Length(max=200)],
        description=_l("What the picture shows, for people who cannot see it."),
    )
    alt_en = StringField(_l("Description in English"), validators=[Length(max=200)])


class AltForm(FlaskForm):
    alt_vi = StringField(_l("Description in Vietnamese"), validators=[Length(max=200)])
    alt_en = StringField(_l("Description in English"), validators=[Length(max=200)])


class ActionForm(FlaskForm):
    """A button: only the CSRF token and, for moves, the direction."""

    direction = HiddenField()
