"""Becoming a restaurant partner and the admin's review of partners: the application (legal name,
tax code, billing address, e-invoice email, phone and at least one delivery location) and its
correction after a rejection; approval with payment terms and a credit limit, rejection with a
reason, suspension and reactivation, later changes of terms and limit, and lifting the overdue
hold until a date. Each admin decision is written to the audit log and mailed to the partner's
owners. Services flush, never commit."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from shop import audit, clock, geo
from shop import organisations as org
from shop.accounts.models import PartnerMember, User
from shop.accounts.services import normalize_email
from shop.audit.models import AuditEvent
from shop.errors import ConflictError, ValidationError
from shop.extensions import db
from shop.organisations import REVIEW_FIELDS, check_organisation, normalize_contact_phone
from shop.partners.locations import LocationDetails, create_location, require_owner, update_location
from shop.partners.models import PAYMENT_TERMS, Partner, PartnerLocation, terms_label
from shop.text import clean_text
from shop.urls import external_url

MAX_NAME = 200
MAX_STREET = 200
# The largest credit limit an admin may type (one thousand billion đồng): a typo guard.
MAX_CREDIT_LIMIT_VND = 10**12

APPLICATION_FIELDS = ("name", "tax_code", "street", "province_code", "ward_code", "einvoice_email", "contact_phone")
# What owners may change once approved; the legal name and tax code are what the admin checked.
PROFILE_FIELDS = ("street", "province_code", "ward_code", "einvoice_email", "contact_phone")
LEGAL_FIELDS = ("name", "tax_code")
TERMS_FIELDS = ("payment_terms", "credit_limit_vnd")
STATUS_ORDER = org.ORG_STATUSES

# The admins' decisions that name the kind (the others are the organisations' own).
_REFUSALS = {
    "suspend": _l("Only an active partner can be suspended."),
    "reactivate": _l("Only a suspended partner can be reactivated."),
}


def _clean(text: str | None, *, lines: bool = False) -> str:
    return clean_text(text, multiline=lines) or ""


def _check_name(name: str | None) -> str:
    name = " ".join(_clean(name).split())
    if not name:
        raise ValidationError(_l("Enter the legal name, as on the business registration certificate."), field="name")
    if len(name) > MAX_NAME:
        raise ValidationError(_l("At most %(n)d characters.", n=MAX_NAME), field="name")
    return name


def _check_address(province_code, ward_code, street) -> dict:
    street = " ".join(_clean(street).split())
    if not street:
        raise ValidationError(_l("Enter the street address (house number, street, hamlet)."), field="street")
    if len(street) > MAX_STREET:
        raise ValidationError(_l("At most %(n)d characters.", n=MAX_STREET), field="street")
    if geo.province_name(province_code) is None:
        raise ValidationError(_l("Choose a province or city."), field="province_code")
    if not geo.ward_in_province(province_code, ward_code):
        raise ValidationError(_l("That commune/ward is not in the chosen province."), field="ward_code")
    return {"street": street, "province_code": int(province_code), "ward_code": int(ward_code)}


def _check_einvoice_email(email: str | None) -> str:
    if not _clean(email):
        raise ValidationError(_l("Enter the address invoices are sent to."), field="einvoice_email")
    try:
        return normalize_email(email)
    except ValidationError as exc:
        raise ValidationError(exc.message, field="einvoice_email") from None


def _check_reason(reason: str | None, *, required: bool) -> str | None:
    return org.check_reason(reason, required=required, missing=_l("Give the reason: the partner reads it."))


@dataclass
class Billing:
    """The billing details an owner may change: address, e-invoice email, phone."""

    street: str | None = None
    province_code: int | None = None
    ward_code: int | None = None
    einvoice_email: str | None = None
    contact_phone: str | None = None

    @classmethod
    def from_form(cls, form) -> Billing:
        return cls(**{f.name: getattr(form, f.name).data for f in fields(cls)})

    @classmethod
    def of(cls, partner: Partner) -> Billing:
        return cls(**{f.name: getattr(partner, f.name) for f in fields(cls)})

    def checked(self) -> dict:
        return {
            **_check_address(self.province_code, self.ward_code, self.street),
            "einvoice_email": _check_einvoice_email(self.einvoice_email),
            "contact_phone": normalize_contact_phone(self.contact_phone),
        }


@dataclass
class Application:
    """What a business applying types: its legal details, billing details and its delivery
    locations (at least one)."""

    name: str | None = None
    tax_code: str | None = None
    street: str | None = None
    province_code: int | None = None
    ward_code: int | None = None
    einvoice_email: str | None = None
    contact_phone: str | None = None
    locations: list[LocationDetails] = field(default_factory=list)

    def checked(self) -> dict:
        """The organisation's fields cleaned, in the form's order (the locations are checked
        when they are saved). Raises ValidationError naming the field at fault."""
        name = _check_name(self.name)
        tax_code = check_organisation(
            name=name,
            tax_code=self.tax_code or "",
            province_code=self.province_code,
            ward_code=self.ward_code,
            status="pending",
        )
        billing = Billing(
            street=self.street,
            province_code=self.province_code,
            ward_code=self.ward_code,
            einvoice_email=self.einvoice_email,
            contact_phone=self.contact_phone,
        ).checked()
        if not self.locations:
            raise ValidationError(_l("Add at least one delivery location."), field="locations")
        return {"name": name, "tax_code": tax_code, **billing}


def _check_tax_code_free(tax_code: str, *, partner_id: int | None = None) -> None:
    org.check_tax_code_free(
        Partner,
        tax_code,
        except_id=partner_id,
        taken=_l("A partner with this tax code is already registered with the shop. Ask its owner to invite you."),
    )


def application_of(user: User) -> Partner | None:
    """The partner `user` applied for (owner of one not yet approved, or turned down), if any."""
    return org.pending_application(user.partner_memberships, lambda membership: membership.partner)


def _audit(partner: Partner, action: str, actor: User | None, *, role: str, before=None, after=None, note=None):
    audit.record(action, "partner", partner.id, actor=actor, role=role, before=before, after=after, note=note)


def apply_as_partner(user: User, application: Application) -> Partner:
    """Create a pending partner from `application`, with its locations and `user` as its owner.
    Raises ValidationError for a field at fault (a location's fields are named
    `location_<field>`), ConflictError when the user already has an application or the tax code
    is registered."""
    if application_of(user) is not None:
        raise ConflictError(_l("You have already applied: see your application below."))
    values = application.checked()
    for details in application.locations:
        _location_errors_named(details.checked)
    _check_tax_code_free(values["tax_code"])
    partner = Partner(**values, status="pending", payment_terms="prepaid", credit_limit_vnd=0)
    db.session.add(partner)
    db.session.flush()
    db.session.add(PartnerMember(user_id=user.id, partner_id=partner.id, role="owner", all_locations=True))
    for details in application.locations:
        _location_errors_named(lambda d=details: create_location(partner, d, actor=user))
    db.session.flush()
    db.session.expire(user, ["partner_memberships"])
    _audit(
        partner,
        "partner.apply",
        user,
        role="partner",
        after=audit.snapshot(partner, (*APPLICATION_FIELDS, "status")),
    )
    return partner


def _location_errors_named(work):
    # The application's form shows a location's fields as location_<field>.
    try:
        return work()
    except ValidationError as exc:
        raise ValidationError(exc.message, field=f"location_{exc.field}" if exc.field else None) from None


def first_location(partner: Partner) -> PartnerLocation | None:
    """The location given first with the application (the lowest id)."""
    return min(partner.locations, key=lambda location: location.id, default=None)


def resubmit_application(partner: Partner, user: User, application: Application) -> Partner:
    """Correct an application awaiting review, or one turned down (it is then reviewed again):
    its details and its first location (`application.locations[0]`). Raises Forbidden unless
    `user` owns it, ConflictError once it has been approved, ValidationError for a field."""
    require_owner(partner, user)
    if partner.status not in org.APPLICATION_OPEN:
        raise ConflictError(_l("This application has been approved: change the profile in the partner area instead."))
    values = application.checked()
    _check_tax_code_free(values["tax_code"], partner_id=partner.id)
    before = audit.snapshot(partner, (*APPLICATION_FIELDS, "status"))
    was_rejected = org.reopen_application(partner, values)
    location = first_location(partner)
    if location is None:
        _location_errors_named(lambda: create_location(partner, application.locations[0], actor=user))
    else:
        _location_errors_named(
            lambda: update_location(partner, user, location.id, application.locations[0], check_owner=False)
        )
    db.session.flush()
    _audit(
        partner,
        "partner.resubmit" if was_rejected else "partner.application.update",
        user,
        role="partner",
        before=before,
        after=audit.snapshot(partner, (*APPLICATION_FIELDS, "status")),
    )
    return partner


def update_billing(partner: Partner, user: User, billing: Billing) -> bool:
    """An owner changes the billing address, e-invoice email and phone (the legal name and tax
    code only an admin changes). Returns whether anything changed. Raises Forbidden unless
    `user` is an owner, ValidationError for a field at fault."""
    require_owner(partner, user)
    values = billing.checked()
    before = audit.snapshot(partner, PROFILE_FIELDS)
    for name, value in values.items():
        setattr(partner, name, value)
    after = audit.snapshot(partner, PROFILE_FIELDS)
    if after == before:
        return False
    db.session.flush()
    _audit(partner, "partner.profile.update", user, role="partner", before=before, after=after)
    return True


# --- Admin decisions ------------------------------------------------------------------------


def parse_credit_limit(text: str | int | None) -> int:
    """A credit limit typed in đồng ("50.000.000", "50 000 000 ₫", "0") as an int. Raises
    ValidationError (field "credit_limit_vnd")."""
    if isinstance(text, int) and not isinstance(text, bool):
        value = text
    else:
        compact = re.sub(r"[\s.,_₫đ]|VND", "", str(text or ""), flags=re.IGNORECASE)
        if not compact:
            raise ValidationError(_l("Enter the credit limit in đồng (0 for none)."), field="credit_limit_vnd")
        if not (compact.isascii() and compact.isdecimal()):
            raise ValidationError(
                _l("Enter the credit limit as a whole number of đồng, like 50.000.000."), field="credit_limit_vnd"
            )
        value = int(compact)
    if not 0 <= value <= MAX_CREDIT_LIMIT_VND:
        raise ValidationError(_l("A credit limit is between 0 and 1.000.000.000.000 đồng."), field="credit_limit_vnd")
    return value


def _check_terms(payment_terms: str | None, credit_limit_vnd) -> dict:
    if payment_terms not in PAYMENT_TERMS:
        raise ValidationError(_l("Choose the payment terms."), field="payment_terms")
    return {"payment_terms": payment_terms, "credit_limit_vnd": parse_credit_limit(credit_limit_vnd)}


def owners_of(partner: Partner) -> list[User]:
    return org.active_owners(PartnerMember, "partner_id", partner.id)


def _mail_owners(partner: Partner, template: str, *, partner_url: str | None = None, **context) -> None:
    partner_url = partner_url or external_url("partners.dashboard")
    org.mail_owners(owners_of(partner), template, partner=partner, partner_url=partner_url, **context)


def _move(partner: Partner, admin: User, action: str, reason: str | None, *, terms: dict | None = None) -> None:
    org.decide(
        partner,
        admin,
        action,
        reason=reason,
        entity="partner",
        refusals=_REFUSALS,
        fields=(*REVIEW_FIELDS, *TERMS_FIELDS),
        changes=terms,
    )


def approve_partner(partner: Partner, admin: User, *, payment_terms: str, credit_limit_vnd) -> Partner:
    """Approve a pending application with its payment terms (PAYMENT_TERMS) and credit limit in
    đồng (≥ 0); its owners are mailed. Raises ValidationError for bad terms or limit,
    ConflictError if it is not awaiting review."""
    terms = _check_terms(payment_terms, credit_limit_vnd)
    _move(partner, admin, "approve", None, terms=terms)
    _mail_owners(partner, "partner_decision", decision="approved", terms=terms_label(partner.payment_terms))
    return partner


def reject_partner(partner: Partner, admin: User, reason: str | None) -> Partner:
    """Turn down a pending application with a reason the owners are mailed (with a link to
    correct and send it again). Raises ValidationError without a reason, ConflictError if it is
    not awaiting review."""
    reason = _check_reason(reason, required=True)
    _move(partner, admin, "reject", reason)
    _mail_owners(
        partner,
        "partner_decision",
        decision="rejected",
        reason=reason,
        partner_url=external_url("partners.application"),
    )
    return partner


def suspend_partner(partner: Partner, admin: User, reason: str | None) -> Partner:
    """Close an active partner for now: its staff can no longer order or see partner prices.
    Raises ValidationError without a reason, ConflictError unless active."""
    reason = _check_reason(reason, required=True)
    _move(partner, admin, "suspend", reason)
    _mail_owners(partner, "partner_decision", decision="suspended", reason=reason)
    return partner


def reactivate_partner(partner: Partner, admin: User, note: str | None = None) -> Partner:
    """Open a suspended partner again. Raises ConflictError unless suspended."""
    note = _check_reason(note, required=False)
    _move(partner, admin, "reactivate", note)
    _mail_owners(partner, "partner_decision", decision="reactivated", reason=note)
    return partner


def set_terms(partner: Partner, admin: User, *, payment_terms: str, credit_limit_vnd) -> bool:
    """Change an approved partner's payment terms and credit limit (orders already placed keep
    theirs). Returns whether anything changed. Raises ValidationError for bad terms or limit,
    ConflictError for an application not yet approved (approving sets them)."""
    if partner.status in ("pending", "rejected"):
        raise ConflictError(_l("Set the terms when approving the application."))
    terms = _check_terms(payment_terms, credit_limit_vnd)
    before = audit.snapshot(partner, TERMS_FIELDS)
    for name, value in terms.items():
        setattr(partner, name, value)
    after = audit.snapshot(partner, TERMS_FIELDS)
    if after == before:
        return False
    db.session.flush()
    _audit(partner, "partner.terms", admin, role="admin", before=before, after=after)
    _mail_owners(partner, "partner_decision", decision="terms", terms=terms_label(partner.payment_terms))
    return True


def parse_hold_date(text: str | None) -> date:
    """The hold's end as typed in a date field (2026-12-15). Raises ValidationError (field "until")."""
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        raise ValidationError(
            _l("Choose the last day the partner may order, like 2026-12-15."), field="until"
        ) from None


def lift_hold(partner: Partner, admin: User, until: date | None, reason: str | None = None) -> Partner:
    """Let the partner order despite overdue invoices until the end of `until` (Vietnam's date,
    today or later); None puts the hold back at once. Raises ValidationError for a past date."""
    if until is not None and until < clock.today():
        raise ValidationError(_l("Choose today or a later date."), field="until")
    reason = _check_reason(reason, required=False)
    before = audit.snapshot(partner, ("hold_lifted_until",))
    partner.hold_lifted_until = until
    db.session.flush()
    _audit(
        partner,
        "partner.hold",
        admin,
        role="admin",
        before=before,
        after=audit.snapshot(partner, ("hold_lifted_until",)),
        note=reason,
    )
    _mail_owners(partner, "partner_decision", decision="hold", until=until, reason=reason)
    return partner


def correct_legal_details(partner: Partner, admin: User, *, name: str | None, tax_code: str | None) -> bool:
    """An admin corrects the legal name or tax code (as on the registration certificate).
    Returns whether anything changed. Raises ValidationError, ConflictError for a tax code
    registered to another partner."""
    name = _check_name(name)
    tax_code = check_organisation(
        name=name,
        tax_code=tax_code or "",
        province_code=partner.province_code,
        ward_code=partner.ward_code,
        status=partner.status,
    )
    _check_tax_code_free(tax_code, partner_id=partner.id)
    before = audit.snapshot(partner, LEGAL_FIELDS)
    partner.name, partner.tax_code = name, tax_code
    after = audit.snapshot(partner, LEGAL_FIELDS)
    if after == before:
        return False
    db.session.flush()
    _audit(partner, "partner.legal.update", admin, role="admin", before=before, after=after)
    return True


# --- The admin's list -----------------------------------------------------------------------


def partners_for_review(status: str | None = None, *, q: str | None = None, limit: int = 200) -> list[Partner]:
    """Partners for the admin's list: applications awaiting review first (the oldest first),
    then the rest by name; only `status` if given, only names or tax codes containing `q`."""
    return org.for_review(Partner, status, q=q, limit=limit)


def status_counts() -> dict[str, int]:
    return org.status_counts(Partner)


def decisions_of(partner: Partner, *, limit: int = 20) -> list[AuditEvent]:
    """The newest audit entries about the partner itself (application, decisions, terms, hold,
    profile), for the admin's page."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity == "partner", AuditEvent.entity_id == str(partner.id))
            .order_by(AuditEvent.id.desc())
            .limit(limit)
        )
    )
