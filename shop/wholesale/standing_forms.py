"""Shapes of the standing-order forms (the partner area's pages). Lengths and types only: what
makes a standing order valid is shop.wholesale.standing's."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, FieldList, Form, FormField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from shop.partners.models import WEEKDAY_NAMES
from shop.wholesale.delivery import Window

LINE_ROWS = 8


def _quantity(raw):
    """A typed quantity as an int, "" as None, anything else kept as text for the service to
    refuse next to the field."""
    text = (raw or "").strip().replace(".", "").replace(",", "") if isinstance(raw, str) else raw
    if text in ("", None):
        return None
    try:
        return int(text)
    except (TypeError, ValueError):
        return text


class LineForm(Form):
    sku = StringField(_l("SKU"), validators=[Length(max=64)], render_kw={"autocomplete": "off", "spellcheck": "false"})
    quantity = StringField(_l("Quantity"), validators=[Length(max=9)], render_kw={"inputmode": "numeric"})


class _Lines:
    lines = FieldList(FormField(LineForm), min_entries=LINE_ROWS, max_entries=60)

    def line_pairs(self) -> list[tuple[str, object]]:
        return [(entry.form.sku.data or "", _quantity(entry.form.quantity.data)) for entry in self.lines]

    def fill_lines(self, lines) -> None:
        """Put (sku, quantity) pairs in the rows, with empty rows after them."""
        while len(self.lines) < max(len(lines) + 2, LINE_ROWS):
            self.lines.append_entry()
        for entry, (sku, quantity) in zip(self.lines, lines, strict=False):
            entry.form.sku.data, entry.form.quantity.data = sku, str(quantity)

    def put_line_error(self, field_name: str | None, message: str) -> bool:
        """Show a service error named "lines-<n>-sku" or "lines-<n>-quantity" on that field."""
        parts = (field_name or "").split("-")
        if len(parts) != 3 or parts[0] != "lines" or not parts[1].isdigit() or int(parts[1]) >= len(self.lines):
            return False
        target = getattr(self.lines[int(parts[1])].form, parts[2], None)
        if target is None:
            return False
        target.errors = [*target.errors, message]
        return True


class StandingOrderForm(_Lines, FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[Length(max=120)],
        description=_l("How your staff call it, e.g. Morning xôi."),
    )
    weekdays = SelectMultipleField(
        _l("Delivery days"),
        choices=[SelectChoice(str(day), name) for day, name in enumerate(WEEKDAY_NAMES)],
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    window = SelectField(_l("Delivery window"), validate_choice=False)
    start_date = DateField(_l("First delivery date"), validators=[Optional()])
    end_date = DateField(
        _l("Last delivery date"), validators=[Optional()], description=_l("Leave it empty to go on until you end it.")
    )
    po_number = StringField(
        _l("Purchase-order number (optional)"),
        validators=[Length(max=40)],
        description=_l("Printed on every order and invoice it makes."),
    )

    def set_windows(self, windows: list[Window]) -> None:
        self.window.choices = [SelectChoice("", _l("Choose a window"))] + [
            SelectChoice(w.value, w.label) for w in windows
        ]

    def weekday_list(self) -> list[int]:
        return [int(day) for day in self.weekdays.data or () if str(day).isdigit()]


class ChangeLinesForm(_Lines, FlaskForm):
    from_date = DateField(_l("From"), validators=[Optional()])


def parse_date(raw) -> date | None:
    """A date as a form sends it ("2026-12-04"); None for anything else (the service says
    "Choose a date" rather than the form "Your form expired")."""
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


class DateActionForm(FlaskForm):
    """Skip or deliver again on one date; end on a date."""

    day = StringField(_l("Date"), render_kw={"type": "date"})
    last_date = StringField(_l("Last delivery date"), render_kw={"type": "date"})


class ActionForm(FlaskForm):
    """Pause and resume buttons."""
