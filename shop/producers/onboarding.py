"""Becoming a producer and the admin's review of producers: the application (and its corrections
after a rejection), approval or rejection with a reason (the applicant is mailed either way),
suspension and reactivation, the shop's commission, and the producer's own profile and bank
account. Every admin action and every change to a producer's profile or bank account is written
to the audit log with the values before and after. Services flush, never commit."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from shop import audit, geo
from shop import organisations as org
from shop.accounts.models import ProducerMember, User
from shop.accounts.services import normalize_email
from shop.errors import ConflictError, Forbidden, ValidationError
from shop.extensions import cache, db
from shop.mail.services import after_commit
from shop.organisations import check_organisation, normalize_contact_phone
from shop.producers.models import Producer
from shop.text import clean_text, slugify
from shop.urls import external_url

KINDS = ("cooperative", "company", "household")
MAX_NAME = 200
MAX_STREET = 200
MAX_STORY = 5000
MAX_BANK_NAME = 120
MAX_HOLDER = 120

# What an applicant states; the admin sees all of it. Bank details may wait until after approval
# (the onboarding checklist asks for them), but if one is given all three are needed.
APPLICATION_FIELDS = (
    "kind",
    "name",
    "tax_code",
    "street",
    "province_code",
    "ward_code",
    "contact_phone",
    "bank_name",
    "bank_account_number",
    "bank_account_holder",
    "story_vi",
    "story_en",
)
# What members may change once approved. The kind, legal name and tax code are what the admin
# checked when approving: after approval only an admin changes them (correct_legal_details).
PROFILE_FIELDS = (
    "street",
    "province_code",
    "ward_code",
    "former_name",
    "craft_village",
    "contact_phone",
    "contact_email",
    "story_vi",
    "story_en",
)
LEGAL_FIELDS = ("kind", "name", "tax_code")
BANK_FIELDS = ("bank_name", "bank_account_number", "bank_account_holder")
# The admins' decisions that name the kind (the others are the organisations' own).
_REFUSALS = {
    "suspend": _l("Only an active producer can be suspended."),
    "reactivate": _l("Only a suspended producer can be reactivated."),
}

_ACCOUNT_RE = re.compile(r"^\d{6,19}$")


def _clean(text: str | None, *, lines: bool = False) -> str:
    """Trimmed text without control characters (line breaks kept where `lines`); "" if empty."""
    return clean_text(text, multiline=lines) or ""


def _optional(text: str | None, *, limit: int, field: str, lines: bool = False) -> str | None:
    text = _clean(text, lines=lines)
    if len(text) > limit:
        raise ValidationError(_l("At most %(n)d characters.", n=limit), field=field)
    return text or None


def check_bank_account(bank_name: str | None, number: str | None, holder: str | None, *, required: bool) -> dict:
    """The bank account's three fields, cleaned ({} when none is given and none is `required`).
    Raises ValidationError naming the field at fault."""
    name = _clean(bank_name)
    digits = re.sub(r"[\s.\-]", "", number or "")
    holder = " ".join(_clean(holder).split())
    if not (name or digits or holder) and not required:
        return {name_: None for name_ in BANK_FIELDS}
    if not name:
        raise ValidationError(_l("Enter the bank's name."), field="bank_name")
    if len(name) > MAX_BANK_NAME:
        raise ValidationError(_l("At most %(n)d characters.", n=MAX_BANK_NAME), field="bank_name")
    if not _ACCOUNT_RE.match(digits):
        raise ValidationError(_l("An account number has 6 to 19 digits."), field="bank_account_number")
    if not holder:
        raise ValidationError(_l("Enter the account holder's name, as the bank has it."), field="bank_account_holder")
    if len(holder) > MAX_HOLDER:
        raise ValidationError(_l("At most %(n)d characters.", n=MAX_HOLDER), field="bank_account_holder")
    return {"bank_name": name, "bank_account_number": digits, "bank_account_holder": holder}


def _check_kind(kind: str | None) -> str:
    if kind not in KINDS:
        raise ValidationError(_l("Choose co-operative, company or household business."), field="kind")
    return kind


def _check_name(name: str | None) -> str:
    name = " ".join(_clean(name).split())
    if not name:
        raise ValidationError(_l("Enter the legal name, as on the registration certificate."), field="name")
    if len(name) > MAX_NAME:
        raise ValidationError(_l("At most %(n)d characters.", n=MAX_NAME), field="name")
    return name


def _check_place(province_code, ward_code, street, *, status: str = "pending") -> dict:
    street = _optional(street, limit=MAX_STREET, field="street")
    if not street:
        raise ValidationError(_l("Enter the street address (house number, street, hamlet)."), field="street")
    if geo.province_name(province_code) is None:
        raise ValidationError(_l("Choose a province or city."), field="province_code")
    if not geo.ward_in_province(province_code, ward_code):
        raise ValidationError(_l("That commune/ward is not in the chosen province."), field="ward_code")
    return {"street": street, "province_code": int(province_code), "ward_code": int(ward_code)}


def _check_reason(reason: str | None, *, required: bool) -> str | None:
    return org.check_reason(reason, required=required, missing=_l("Give the reason: the producer reads it."))


@dataclass
class Application:
    """What an applicant types (strings as sent; province and ward codes as whole numbers or None)."""

    kind: str | None = None
    name: str | None = None
    tax_code: str | None = None
    street: str | None = None
    province_code: int | None = None
    ward_code: int | None = None
    contact_phone: str | None = None
    bank_name: str | None = None
    bank_account_number: str | None = None
    bank_account_holder: str | None = None
    story_vi: str | None = None
    story_en: str | None = None

    @classmethod
    def from_form(cls, form) -> Application:
        return cls(**{f.name: getattr(form, f.name).data for f in fields(cls)})

    def checked(self) -> dict:
        """The fields cleaned, in the order the form shows them. Raises ValidationError."""
        kind = _check_kind(self.kind)
        name = _check_name(self.name)
        tax_code = check_organisation(
            name=name,
            tax_code=self.tax_code or "",
            province_code=self.province_code,
            ward_code=self.ward_code,
            status="pending",
        )
        place = _check_place(self.province_code, self.ward_code, self.street)
        phone = normalize_contact_phone(self.contact_phone)
        bank = check_bank_account(self.bank_name, self.bank_account_number, self.bank_account_holder, required=False)
        return {
            "kind": kind,
            "name": name,
            "tax_code": tax_code,
            **place,
            "contact_phone": phone,
            **bank,
            "story_vi": _optional(self.story_vi, limit=MAX_STORY, field="story_vi", lines=True),
            "story_en": _optional(self.story_en, limit=MAX_STORY, field="story_en", lines=True),
        }


def _check_tax_code_free(tax_code: str, *, producer_id: int | None = None) -> None:
    org.check_tax_code_free(
        Producer,
        tax_code,
        except_id=producer_id,
        taken=_l("A producer with this tax code is already registered with the shop. Ask its owner to invite you."),
    )


def _unique_slug(name: str) -> str:
    base = slugify(name, 100)
    slug, n = base, 1
    while db.session.scalar(select(func.count()).select_from(Producer).where(Producer.slug == slug)):
        n += 1
        slug = f"{base}-{n}"
    return slug


def application_of(user: User) -> Producer | None:
    """The producer `user` applied for (owner of one not yet approved, or turned down), if any."""
    return org.pending_application(user.producer_memberships, lambda membership: membership.producer)


def apply_to_sell(user: User, application: Application) -> Producer:
    """Create a pending producer from `application`, with `user` as its owner. Raises
    ValidationError for a field at fault, ConflictError when the user already has an application
    or the tax code is registered."""
    if application_of(user) is not None:
        raise ConflictError(_l("You have already applied: see your application below."))
    values = application.checked()
    _check_tax_code_free(values["tax_code"])
    producer = Producer(
        **values,
        slug=_unique_slug(values["name"]),
        status="pending",
        contact_email=user.email,
    )
    db.session.add(producer)
    db.session.flush()
    db.session.add(ProducerMember(user_id=user.id, producer_id=producer.id, role="owner"))
    db.session.flush()
    db.session.expire(user, ["producer_memberships"])
    audit.record(
        "producer.apply",
        "producer",
        producer.id,
        actor=user,
        producer_id=producer.id,
        after=audit.snapshot(producer, (*APPLICATION_FIELDS, "status")),
    )
    return producer


def resubmit_application(producer: Producer, user: User, application: Application) -> Producer:
    """Correct an application awaiting review, or one turned down (it is then reviewed again).
    Raises Forbidden unless `user` owns it, ConflictError once it has been approved."""
    _require_owner(producer, user)
    if producer.status not in org.APPLICATION_OPEN:
        raise ConflictError(_l("This application has been approved: change the profile in the portal instead."))
    values = application.checked()
    _check_tax_code_free(values["tax_code"], producer_id=producer.id)
    before = audit.snapshot(producer, (*APPLICATION_FIELDS, "status"))
    was_rejected = org.reopen_application(producer, values)
    db.session.flush()
    audit.record(
        "producer.resubmit" if was_rejected else "producer.application.update",
        "producer",
        producer.id,
        actor=user,
        producer_id=producer.id,
        before=before,
        after=audit.snapshot(producer, (*APPLICATION_FIELDS, "status")),
    )
    return producer


# --- Admin decisions ------------------------------------------------------------------------


def _move(producer: Producer, admin: User, action: str, reason: str | None) -> dict:
    before = org.decide(
        producer, admin, action, reason=reason, entity="producer", refusals=_REFUSALS, producer_id=producer.id
    )
    # Catalog pages kept for anonymous visitors show (or no longer show) the producer's products
    # at once: the listings' columns follow catalog_state's version, which the status change moves.
    after_commit(_forget_cached_pages)
    return before


def _forget_cached_pages() -> None:
    cache.clear()


def owners_of(producer: Producer) -> list[User]:
    return org.active_owners(ProducerMember, "producer_id", producer.id)


def _mail_owners(producer: Producer, template: str, **context) -> None:
    org.mail_owners(owners_of(producer), template, producer=producer, **context)


def approve_producer(producer: Producer, admin: User) -> Producer:
    """Approve a pending application; its owners are mailed a link to the portal. Raises
    ConflictError if it is not awaiting review."""
    _move(producer, admin, "approve", None)
    _mail_owners(producer, "producer_approved", portal_url=external_url("producers.dashboard"))
    return producer


def reject_producer(producer: Producer, admin: User, reason: str | None) -> Producer:
    """Turn down a pending application with a reason the applicant is mailed (with a link to
    correct and send it again). Raises ValidationError without a reason, ConflictError if it is
    not awaiting review."""
    reason = _check_reason(reason, required=True)
    _move(producer, admin, "reject", reason)
    _mail_owners(producer, "producer_rejected", reason=reason, application_url=external_url("producers.application"))
    return producer


def suspend_producer(producer: Producer, admin: User, reason: str | None) -> Producer:
    """Close an active producer for now: its products leave the catalog at once (it still ships
    what was ordered). Raises ValidationError without a reason, ConflictError unless active."""
    reason = _check_reason(reason, required=True)
    _move(producer, admin, "suspend", reason)
    _mail_owners(producer, "producer_suspended", reason=reason, portal_url=external_url("producers.dashboard"))
    return producer


def reactivate_producer(producer: Producer, admin: User, note: str | None = None) -> Producer:
    """Open a suspended producer again: its published products return to the catalog at once.
    Raises ConflictError unless suspended."""
    note = _check_reason(note, required=False)
    _move(producer, admin, "reactivate", note)
    _mail_owners(producer, "producer_reactivated", portal_url=external_url("producers.dashboard"))
    return producer


def parse_commission(value: str | None, unit: str) -> int | None:
    """A commission typed as a percent ("12.5", "12,5 %": up to two decimals) or in basis points
    ("1250"), as basis points; None for an empty value (the shop's default). Raises ValidationError."""
    text = (value or "").strip().replace(" ", "")
    if not text:
        return None
    if unit == "percent":
        text = text.removesuffix("%").replace(",", ".")
        match = re.fullmatch(r"(\d{1,3})(?:\.(\d{1,2}))?", text)
        if not match:
            raise ValidationError(_l("Enter a percentage like 10 or 12.5."), field="commission")
        bp = int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))
    elif unit == "bp":
        if not re.fullmatch(r"\d{1,5}", text):
            raise ValidationError(_l("Enter whole basis points, like 1250 for 12.5 %."), field="commission")
        bp = int(text)
    else:
        raise ValidationError(_l("Choose percent or basis points."), field="unit")
    if bp > 10_000:
        raise ValidationError(_l("A commission is between 0 and 100 %."), field="commission")
    return bp


def default_commission_bp() -> int:
    return int(current_app.config.get("PRODUCER_COMMISSION_BP", 1000))


def commission_of(producer: Producer) -> int:
    """The producer's commission in basis points (its own rate, else the shop's default)."""
    return producer.commission_bp if producer.commission_bp is not None else default_commission_bp()


def set_commission(producer: Producer, admin: User, commission_bp: int | None) -> Producer:
    """Set the shop's commission on the producer's delivered lines (None: the shop's default).
    Raises ValidationError outside 0–10,000 basis points."""
    if commission_bp is not None and not 0 <= commission_bp <= 10_000:
        raise ValidationError(_l("A commission is between 0 and 100 %."), field="commission")
    before = audit.snapshot(producer, ("commission_bp",))
    producer.commission_bp = commission_bp
    db.session.flush()
    audit.record(
        "producer.commission",
        "producer",
        producer.id,
        actor=admin,
        role="admin",
        producer_id=producer.id,
        before=before,
        after=audit.snapshot(producer, ("commission_bp",)),
    )
    return producer


def correct_legal_details(producer: Producer, admin: User, *, kind: str, name: str, tax_code: str) -> Producer:
    """An admin corrects the kind, legal name or tax code (fixed for members once approved).
    Raises ValidationError, or ConflictError when the tax code belongs to another producer."""
    kind, name = _check_kind(kind), _check_name(name)
    tax_code = check_organisation(
        name=name,
        tax_code=tax_code,
        province_code=producer.province_code,
        ward_code=producer.ward_code,
        status=producer.status,
    )
    _check_tax_code_free(tax_code, producer_id=producer.id)
    before = audit.snapshot(producer, LEGAL_FIELDS)
    producer.kind, producer.name, producer.tax_code = kind, name, tax_code
    db.session.flush()
    audit.record(
        "producer.legal.update",
        "producer",
        producer.id,
        actor=admin,
        role="admin",
        producer_id=producer.id,
        before=before,
        after=audit.snapshot(producer, LEGAL_FIELDS),
    )
    if before != audit.snapshot(producer, LEGAL_FIELDS):
        after_commit(_forget_cached_pages)  # the name shows on product and producer pages
    return producer


# --- The producer's own changes -------------------------------------------------------------


def membership_of(producer: Producer, user: User) -> ProducerMember | None:
    return org.membership_of(ProducerMember, producer.id, user.id)


def _require_member(producer: Producer, user: User) -> ProducerMember:
    membership = membership_of(producer, user)
    if membership is None:
        raise Forbidden()
    return membership


def _require_owner(producer: Producer, user: User) -> ProducerMember:
    membership = _require_member(producer, user)
    if membership.role != "owner":
        raise Forbidden(_l("Only an owner of the producer may do that."))
    return membership


@dataclass
class Profile:
    """What members may change about their producer once approved."""

    street: str | None = None
    province_code: int | None = None
    ward_code: int | None = None
    former_name: str | None = None
    craft_village: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    story_vi: str | None = None
    story_en: str | None = None

    @classmethod
    def from_form(cls, form) -> Profile:
        return cls(**{f.name: getattr(form, f.name).data for f in fields(cls)})

    @classmethod
    def of(cls, producer: Producer) -> Profile:
        return cls(**{f.name: getattr(producer, f.name) for f in fields(cls)})

    def checked(self) -> dict:
        email = _clean(self.contact_email)
        return {
            **_check_place(self.province_code, self.ward_code, self.street),
            "former_name": _optional(self.former_name, limit=200, field="former_name"),
            "craft_village": _optional(self.craft_village, limit=200, field="craft_village"),
            "contact_phone": normalize_contact_phone(self.contact_phone),
            "contact_email": _contact_email(email) if email else None,
            "story_vi": _optional(self.story_vi, limit=MAX_STORY, field="story_vi", lines=True),
            "story_en": _optional(self.story_en, limit=MAX_STORY, field="story_en", lines=True),
        }


def _contact_email(email: str) -> str:
    try:
        return normalize_email(email)
    except ValidationError as exc:
        raise ValidationError(exc.message, field="contact_email") from None


def update_profile(producer: Producer, user: User, profile: Profile) -> bool:
    """Change the producer's address, origin, contact and story (any member). Returns whether
    anything changed. Raises ValidationError for a field at fault, Forbidden for a non-member."""
    _require_member(producer, user)
    values = profile.checked()
    before = audit.snapshot(producer, PROFILE_FIELDS)
    for name, value in values.items():
        setattr(producer, name, value)
    after = audit.snapshot(producer, PROFILE_FIELDS)
    if after == before:
        return False
    db.session.flush()
    audit.record(
        "producer.profile.update",
        "producer",
        producer.id,
        actor=user,
        producer_id=producer.id,
        before=before,
        after=after,
    )
    # The producer's page and its products' pages show the address and story.
    after_commit(_forget_cached_pages)
    return True


def update_bank_account(
    producer: Producer, user: User, *, bank_name: str | None, number: str | None, holder: str | None
) -> bool:
    """Change where the shop pays the producer (owners only). Returns whether anything changed.
    Raises ValidationError for a field at fault, Forbidden for staff and non-members."""
    _require_owner(producer, user)
    values = check_bank_account(bank_name, number, holder, required=True)
    before = audit.snapshot(producer, BANK_FIELDS)
    for name, value in values.items():
        setattr(producer, name, value)
    after = audit.snapshot(producer, BANK_FIELDS)
    if after == before:
        return False
    db.session.flush()
    audit.record(
        "producer.bank.update", "producer", producer.id, actor=user, producer_id=producer.id, before=before, after=after
    )
    return True


def has_bank_account(producer: Producer) -> bool:
    return all(getattr(producer, name) for name in BANK_FIELDS)


# --- The admin's list -----------------------------------------------------------------------

STATUS_ORDER = org.ORG_STATUSES


def producers_for_review(status: str | None = None, *, q: str | None = None, limit: int = 200) -> list[Producer]:
    """Producers for the admin's list: applications awaiting review first (the oldest first, as
    they came in), then the rest by name; only `status` if given, and only names or tax codes
    containing `q`."""
    return org.for_review(Producer, status, q=q, limit=limit)


def status_counts() -> dict[str, int]:
    return org.status_counts(Producer)


def members_of(producer: Producer) -> list[ProducerMember]:
    """The producer's members, owners first, then by name."""
    return org.members_of(ProducerMember, "producer_id", producer.id, role_order=ProducerMember.role)
