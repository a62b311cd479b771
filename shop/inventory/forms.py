"""Stock forms: their shape and the CSRF token. Figures are typed as text and read by the stock
services, which give the one clear message for any bad number or reason."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, StringField


class SetStockForm(FlaskForm):
    """ "Set to N", carrying the figure the person saw (compare-and-set)."""

    on_hand = StringField(_l("Set on hand to"))
    seen = HiddenField()
    note = StringField(_l("Note (optional)"))


class AdjustStockForm(FlaskForm):
    amount = StringField(_l("Amount (+ to add, − to take away)"))
    # One of ADJUST_REASONS (the page offers them in a select); the service refuses any other.
    reason = StringField(_l("Reason"))
    note = StringField(_l("Note (optional)"))


class ThresholdForm(FlaskForm):
    threshold = StringField(_l("Warn when available falls to"))


class UploadForm(FlaskForm):
    file = FileField(
        _l("CSV file"),
        validators=[FileRequired(message=_l("Choose the CSV file to upload."))],
        description=_l("The file you downloaded, edited: UTF-8, comma or semicolon, at most 5,000 rows."),
        render_kw={"accept": ".csv,text/csv"},
    )


class ApplyUploadForm(FlaskForm):
    """The button that applies a previewed upload: only the CSRF token."""
