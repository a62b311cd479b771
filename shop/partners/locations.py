"""A partner's delivery locations: the branch's name and address under the current units, who
receives and on which phone, and its receiving hours per weekday (a weekday may be closed).
Owners add, change and close them; a closed location keeps its past orders but no new order may
name it. Every change is written to the audit log. Services flush, never commit."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from shop import audit, geo
from shop import organisations as org
from shop.accounts.models import PartnerMember, User
from shop.accounts.services import normalize_phone
from shop.errors import ConflictError, NotFound, ValidationError
from shop.extensions import db
from shop.partners.models import MINUTES_PER_DAY, WEEKDAYS, Partner, PartnerLocation, ReceivingHours
from shop.text import clean_text

MAX_NAME = 120
MAX_STREET = 200
MAX_CONTACT = 120
LOCATION_FIELDS = ("name", "street", "province_code", "ward_code", "contact_name", "contact_phone")

_TIME_RE = re.compile(r"^(\d{1,2})[:hH.](\d{2})$")


def parse_time(text: str | int | None, *, field: str) -> int | None:
    """ "06:30" (or "6h30", "06.30"; 24:00 for midnight at the end of a day) as minutes after
    midnight, an int as it is, None when empty. Raises ValidationError naming `field`."""
    if text is None or isinstance(text, int):
        return text
    text = text.strip()
    if not text:
        return None
    match = _TIME_RE.match(text)
    if match:
        hours, minutes = int(match.group(1)), int(match.group(2))
        if minutes < 60 and (hours < 24 or (hours == 24 and minutes == 0)):
            return hours * 60 + minutes
    raise ValidationError(_l("Enter a time like 06:00 or 14:30."), field=field)


def _text(value: str | None, *, limit: int, field: str, missing) -> str:
    text = " ".join((clean_text(value) or "").split())
    if not text:
        raise ValidationError(missing, field=field)
    if len(text) > limit:
        raise ValidationError(_l("At most %(n)d characters.", n=limit), field=field)
    return text


@dataclass
class LocationDetails:
    """What an owner types for a location. `hours` maps a weekday (Monday = 0) to (opens,
    closes), as minutes after midnight or as typed ("06:00"); a weekday left out, or with both
    times empty, is closed."""

    name: str | None = None
    street: str | None = None
    province_code: int | None = None
    ward_code: int | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    hours: dict = field(default_factory=dict)

    @classmethod
    def of(cls, location: PartnerLocation) -> LocationDetails:
        return cls(
            **{name: getattr(location, name) for name in LOCATION_FIELDS},
            hours={h.weekday: (h.opens_minute, h.closes_minute) for h in location.hours},
        )

    def checked(self) -> tuple[dict, dict[int, tuple[int, int]]]:
        """The location's fields cleaned and its hours as {weekday: (opens, closes)} in minutes.
        Raises ValidationError naming the field at fault (`hours_<weekday>` for a day's hours)."""
        values = {
            "name": _text(
                self.name, limit=MAX_NAME, field="name", missing=_l("Name the branch, e.g. Chi nhánh Tây Hồ.")
            ),
            "street": _text(
                self.street,
                limit=MAX_STREET,
                field="street",
                missing=_l("Enter the street address (house number, street, hamlet)."),
            ),
        }
        if geo.province_name(self.province_code) is None:
            raise ValidationError(_l("Choose a province or city."), field="province_code")
        if not geo.ward_in_province(self.province_code, self.ward_code):
            raise ValidationError(_l("That commune/ward is not in the chosen province."), field="ward_code")
        values["province_code"] = int(self.province_code)
        values["ward_code"] = int(self.ward_code)
        values["contact_name"] = _text(
            self.contact_name, limit=MAX_CONTACT, field="contact_name", missing=_l("Enter who receives deliveries.")
        )
        try:
            phone = normalize_phone(self.contact_phone)
        except ValidationError as exc:
            raise ValidationError(exc.message, field="contact_phone") from None
        if phone is None:
            raise ValidationError(_l("Enter the phone number of who receives deliveries."), field="contact_phone")
        values["contact_phone"] = phone
        return values, check_hours(self.hours)


def check_hours(hours: dict) -> dict[int, tuple[int, int]]:
    """Receiving hours {weekday: (opens, closes)} in minutes, checked: weekdays 0–6, a day's
    opening before its closing, within the day; days with neither time are closed, and at least
    one day is open. Raises ValidationError naming `hours_<weekday>`."""
    checked: dict[int, tuple[int, int]] = {}
    for weekday, times in sorted((hours or {}).items()):
        if weekday not in WEEKDAYS:
            raise ValidationError(_l("Unknown weekday."), field="hours")
        where = f"hours_{weekday}"
        opens, closes = (parse_time(t, field=where) for t in times)
        if opens is None and closes is None:
            continue
        if opens is None or closes is None:
            raise ValidationError(
                _l("Give both the opening and the closing time, or leave both empty for a closed day."), field=where
            )
        if not 0 <= opens < closes <= MINUTES_PER_DAY:
            raise ValidationError(_l("The opening time must be before the closing time."), field=where)
        checked[weekday] = (opens, closes)
    if not checked:
        raise ValidationError(_l("Give the receiving hours of at least one day."), field="hours")
    return checked


def _snapshot(location: PartnerLocation) -> dict:
    return {
        **audit.snapshot(location, (*LOCATION_FIELDS, "active")),
        "hours": {str(h.weekday): [h.opens_minute, h.closes_minute] for h in location.hours},
    }


def _set_hours(location: PartnerLocation, hours: dict[int, tuple[int, int]]) -> None:
    # Rows are changed in place (a weekday keeps its row) so the unique (location, weekday)
    # key never sees a deleted row and its replacement in one flush.
    kept = {h.weekday: h for h in location.hours}
    for weekday, row in kept.items():
        if weekday not in hours:
            location.hours.remove(row)
    for weekday, (opens, closes) in hours.items():
        row = kept.get(weekday)
        if row is None:
            location.hours.append(ReceivingHours(weekday=weekday, opens_minute=opens, closes_minute=closes))
        else:
            row.opens_minute, row.closes_minute = opens, closes
    location.hours.sort(key=lambda h: h.weekday)


def require_owner(partner: Partner, user: User) -> None:
    """Raises Forbidden unless `user` is an owner of `partner`."""
    org.require_owner(PartnerMember, partner.id, user, refusal=_l("Only an owner of the partner may do that."))


def create_location(partner: Partner, details: LocationDetails, *, actor: User | None = None) -> PartnerLocation:
    """Add a location to `partner` (no owner check: the application adds its first ones).
    Raises ValidationError for a field at fault."""
    values, hours = details.checked()
    location = PartnerLocation(partner_id=partner.id, **values)
    _set_hours(location, hours)
    db.session.add(location)
    db.session.flush()
    db.session.expire(partner, ["locations"])
    audit.record(
        "partner.location.add",
        "partner_location",
        location.id,
        actor=actor,
        role="partner",
        after={"partner_id": partner.id, **_snapshot(location)},
    )
    return location


def add_location(partner: Partner, user: User, details: LocationDetails) -> PartnerLocation:
    """An owner adds a delivery location. Raises Forbidden unless `user` is an owner,
    ValidationError for a field at fault."""
    require_owner(partner, user)
    return create_location(partner, details, actor=user)


def location_of(partner: Partner, location_id: int) -> PartnerLocation:
    """`partner`'s location `location_id`. Raises NotFound for another partner's or none."""
    location = db.session.get(PartnerLocation, location_id) if isinstance(location_id, int) else None
    if location is None or location.partner_id != partner.id:
        raise NotFound()
    return location


def update_location(
    partner: Partner, user: User | None, location_id: int, details: LocationDetails, *, check_owner: bool = True
) -> bool:
    """Change a location's name, address, contact and receiving hours. Returns whether anything
    changed. Raises Forbidden unless `user` is an owner, NotFound for another partner's location,
    ValidationError for a field at fault."""
    if check_owner:
        require_owner(partner, user)
    location = location_of(partner, location_id)
    values, hours = details.checked()
    before = _snapshot(location)
    for name, value in values.items():
        setattr(location, name, value)
    _set_hours(location, hours)
    db.session.flush()
    after = _snapshot(location)
    if after == before:
        return False
    audit.record(
        "partner.location.update",
        "partner_location",
        location.id,
        actor=user,
        role="partner",
        before=before,
        after=after,
    )
    return True


def close_location(partner: Partner, user: User, location_id: int) -> PartnerLocation:
    """Close a location: it keeps its past orders, and no new order or standing order may name
    it. Raises Forbidden unless `user` is an owner, NotFound for another partner's location,
    ConflictError for the partner's last open location."""
    require_owner(partner, user)
    location = location_of(partner, location_id)
    if not location.active:
        return location
    if not any(other.active and other.id != location.id for other in partner.locations):
        raise ConflictError(_l("A partner needs at least one open location: add another before closing this one."))
    location.active = False
    db.session.flush()
    audit.record(
        "partner.location.close",
        "partner_location",
        location.id,
        actor=user,
        role="partner",
        before={"active": True},
        after={"active": False},
    )
    return location


def reopen_location(partner: Partner, user: User, location_id: int) -> PartnerLocation:
    """Open a closed location again. Raises Forbidden unless `user` is an owner, NotFound for
    another partner's location."""
    require_owner(partner, user)
    location = location_of(partner, location_id)
    if location.active:
        return location
    location.active = True
    db.session.flush()
    audit.record(
        "partner.location.reopen",
        "partner_location",
        location.id,
        actor=user,
        role="partner",
        before={"active": False},
        after={"active": True},
    )
    return location
