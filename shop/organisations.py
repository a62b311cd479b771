"""What producers and partners share: a registered organisation with a tax code, an address and
a contact phone, and the invitations its owners send to people to act for it."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, DateTime, Integer, String, case, func, or_, select
from sqlalchemy.orm import Mapped, declared_attr, mapped_column
from stdnum import exceptions as stdnum_errors
from stdnum.vn import mst

from shop import audit, clock, geo
from shop.accounts.models import User
from shop.errors import ConflictError, Forbidden, NotFound, ValidationError
from shop.extensions import db
from shop.mail.services import queue_mail
from shop.models_base import TimestampMixin
from shop.text import clean_text

# Mã số thuế: 10 digits for the organisation, 10-3 for a branch (e.g. 0100109106-001); the 10th
# digit checks the first nine. Stored in that form (14 characters at most).
TAX_CODE_MAX_LENGTH = 14
# pending: applied, awaiting an admin; rejected: an admin said no (with a reason), the applicant
# may correct and apply again; suspended: an admin closed it for now (its products leave the catalog).
ORG_STATUSES = ("pending", "active", "suspended", "rejected")


class OrganisationMixin(geo.PlaceNames, TimestampMixin):
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    tax_code: Mapped[str] = mapped_column(String(TAX_CODE_MAX_LENGTH), unique=True, nullable=False)
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    ward_code: Mapped[int] = mapped_column(Integer, nullable=False)
    street: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12), default="pending", nullable=False)
    # The last admin decision on the application (or a suspension), and why, shown to the applicant.
    review_reason: Mapped[str | None] = mapped_column(String(500))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @staticmethod
    def organisation_constraints() -> tuple:
        return (
            CheckConstraint("status IN ('pending', 'active', 'suspended', 'rejected')", name="status_known"),
            CheckConstraint("length(tax_code) IN (10, 14)", name="tax_code_length"),
        )

    @declared_attr.directive
    def __table_args__(cls):
        return cls.organisation_constraints()

    @property
    def address(self) -> str:
        parts = [self.street, self.ward_name, self.province_name]
        return ", ".join(p for p in parts if p)


def normalize_tax_code(raw: str | None) -> str:
    """The tax code in the shop's form: "0100109106", or "0100109106-001" for a branch (spaces,
    dots and the dash as people type them are accepted). Raises ValidationError (field
    "tax_code") saying what is wrong: the length and digits, or the check digit."""
    text = (raw or "").strip()
    if not text:
        raise ValidationError(_l("Enter the tax code (mã số thuế)."), field="tax_code")
    try:
        number = mst.validate(text)
    except stdnum_errors.InvalidChecksum:
        raise ValidationError(
            _l("The tax code's check digit (the 10th digit) does not match the first nine: check the number."),
            field="tax_code",
        ) from None
    except stdnum_errors.InvalidComponent:
        raise ValidationError(
            _l("This is not a valid tax code: check it against your registration certificate."), field="tax_code"
        ) from None
    except stdnum_errors.ValidationError:
        raise ValidationError(
            _l("A tax code has 10 digits, or 10 digits, a dash and 3 digits for a branch."), field="tax_code"
        ) from None
    return mst.format(number)


def check_organisation(*, name: str, tax_code: str, province_code: int, ward_code: int, status: str) -> str:
    """Validate an organisation's fields; returns the tax code in the shop's form (see
    `normalize_tax_code`). Raises ValidationError naming the field at fault."""
    if not name or not name.strip():
        raise ValidationError(_l("Enter the organisation's name."), field="name")
    tax_code = normalize_tax_code(tax_code)
    if geo.province_name(province_code) is None:
        raise ValidationError(_l("Choose a province or city."), field="province_code")
    if not geo.ward_in_province(province_code, ward_code):
        raise ValidationError(_l("That commune/ward is not in the chosen province."), field="ward_code")
    if status not in ORG_STATUSES:
        raise ValidationError(_l("Unknown status."), field="status")
    return tax_code


_STATUS_LABELS = {
    "pending": _l("Awaiting review"),
    "active": _l("Active"),
    "suspended": _l("Suspended"),
    "rejected": _l("Not approved"),
}


def status_label(status: str) -> str:
    return str(_STATUS_LABELS.get(status, status))


# Mobile numbers have 10 digits (03x, 05x, 07x, 08x, 09x); landlines 11 (02 + area code +
# number, since 2017); 1800/1900 hotlines 8 or 10. +84 or 84 may stand for the leading 0.
_PHONE_RE = re.compile(r"^(?:0[35789]\d{8}|02\d{9}|1[89]00\d{4}(?:\d{2})?)$")


def normalize_contact_phone(raw: str | None, *, field: str = "contact_phone") -> str:
    """An organisation's Vietnamese mobile (0912 345 678), landline (024 3823 4567) or 1800/1900
    number as digits only. Raises ValidationError naming `field`."""
    compact = re.sub(r"[\s.\-()]", "", raw or "")
    if not compact:
        raise ValidationError(_l("Enter a contact phone number."), field=field)
    if compact.startswith("+84"):
        compact = "0" + compact[3:]
    elif compact.startswith("84") and len(compact) in (11, 12):
        compact = "0" + compact[2:]
    if not _PHONE_RE.match(compact):
        raise ValidationError(
            _l("Enter a Vietnamese phone number: a mobile like 0912 345 678 or a landline like 024 3823 4567."),
            field=field,
        )
    return compact


# --- Applications and the admins' decisions ------------------------------------------------
# Producers and partners apply, are approved or turned down with a reason, suspended with a
# reason and reactivated by the same moves. What each kind adds (a producer's commission and
# cached catalog pages, a partner's terms) stays in its own package, which names its model, its
# audit entity ("producer", "partner") and the words its refusals use.

MAX_REASON = 500
# Which admin decision may follow which status.
DECISIONS = {
    "approve": ("pending", "active"),
    "reject": ("pending", "rejected"),
    "suspend": ("active", "suspended"),
    "reactivate": ("suspended", "active"),
}
REVIEW_FIELDS = ("status", "review_reason", "reviewed_at")
# An application awaiting review, or turned down, is the applicant's to correct (and send again).
APPLICATION_OPEN = ("pending", "rejected")
_NOT_AWAITING_REVIEW = {
    "approve": _l("Only an application awaiting review can be approved."),
    "reject": _l("Only an application awaiting review can be turned down."),
}


def check_reason(reason: str | None, *, required: bool, missing) -> str | None:
    """A decision's reason as the organisation reads it (line breaks kept), None when empty.
    Raises ValidationError (field "reason"): longer than MAX_REASON, or empty when `required`
    (saying `missing`)."""
    reason = clean_text(reason, multiline=True) or ""
    if len(reason) > MAX_REASON:
        raise ValidationError(_l("At most %(n)d characters.", n=MAX_REASON), field="reason")
    if required and not reason:
        raise ValidationError(missing, field="reason")
    return reason or None


def decide(
    org,
    admin: User,
    action: str,
    *,
    reason: str | None,
    entity: str,
    refusals: dict,
    fields: tuple = REVIEW_FIELDS,
    changes: dict | None = None,
    producer_id: int | None = None,
) -> dict:
    """Move `org` by the admin's decision `action` (a key of DECISIONS) with `reason`, set the
    other columns the decision brings (`changes`), flush, and write the audit entry
    "<entity>.<action>" with `fields` before and after. Returns the values before. Raises
    ConflictError when the status does not allow it (the suspend and reactivate refusals, which
    name the kind, come from `refusals`)."""
    source, target = DECISIONS[action]
    if org.status != source:
        raise ConflictError({**_NOT_AWAITING_REVIEW, **refusals}[action])
    before = audit.snapshot(org, fields)
    org.status = target
    org.review_reason = reason
    org.reviewed_at = clock.now()
    for name, value in (changes or {}).items():
        setattr(org, name, value)
    db.session.flush()
    audit.record(
        f"{entity}.{action}",
        entity,
        org.id,
        actor=admin,
        role="admin",
        producer_id=producer_id,
        before=before,
        after=audit.snapshot(org, fields),
        note=reason,
    )
    return before


def check_tax_code_free(model, tax_code: str, *, except_id: int | None = None, taken) -> None:
    """Raises ConflictError (field "tax_code", saying `taken`) when another row of `model` than
    `except_id` has the tax code."""
    query = select(func.count()).select_from(model).where(model.tax_code == tax_code)
    if except_id is not None:
        query = query.where(model.id != except_id)
    if db.session.scalar(query):
        raise ConflictError(taken, field="tax_code")


def pending_application(memberships, org_of):
    """Among a user's `memberships`, the organisation (`org_of(membership)`) the user applied
    for as its owner and that is not yet approved, or was turned down; else None."""
    for membership in memberships:
        org = org_of(membership)
        if org.status in APPLICATION_OPEN and membership.role == "owner":
            return org
    return None


def reopen_application(org, values: dict) -> bool:
    """Put the corrected `values` on an application (its status in APPLICATION_OPEN), which is
    then awaiting review again. Returns whether it had been turned down (a resubmission rather
    than a correction)."""
    was_rejected = org.status == "rejected"
    for name, value in values.items():
        setattr(org, name, value)
    org.status = "pending"
    return was_rejected


def active_owners(member_model, org_column: str, org_id: int) -> list[User]:
    """The owners of the organisation (`member_model`'s rows whose `org_column` is `org_id`)
    whose accounts are active, in the order they joined the shop."""
    return list(
        db.session.scalars(
            select(User)
            .join(member_model, member_model.user_id == User.id)
            .where(getattr(member_model, org_column) == org_id, member_model.role == "owner", User.active.is_(True))
            .order_by(User.id)
        )
    )


def mail_owners(owners: list[User], template: str, **context) -> None:
    """Queue `template` to each of `owners`, in their language (else the shop's), with `user`
    and `context`."""
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    for user in owners:
        queue_mail(to=user.email, template=template, locale=user.locale or default, user=user, **context)


def for_review(model, status: str | None = None, *, q: str | None = None, limit: int = 200) -> list:
    """Rows of `model` for the admins' list: applications awaiting review first (the oldest
    first, as they came in), then the rest by name; only `status` if given, and only names or
    tax codes containing `q`."""
    query = select(model).order_by(
        case((model.status == "pending", 0), else_=1),
        case((model.status == "pending", model.created_at)),
        model.name,
        model.id,
    )
    if status:
        query = query.where(model.status == status)
    q = (clean_text(q) or "")[:100]
    if q:
        query = query.where(or_(model.name.contains(q, autoescape=True), model.tax_code.contains(q, autoescape=True)))
    return list(db.session.scalars(query.limit(limit)))


def status_counts(model) -> dict[str, int]:
    """How many rows of `model` have each status (ORG_STATUSES, 0 for none)."""
    rows = db.session.execute(select(model.status, func.count()).group_by(model.status))
    counts = dict.fromkeys(ORG_STATUSES, 0)
    counts.update({status: n for status, n in rows})
    return counts


# --- Invitations ----------------------------------------------------------------------------
# An owner invites an address to act for the organisation in a role. The link carries a random
# token; only its SHA-256 is kept. It works once, for INVITATION_DAYS, and only for a user logged
# in with the invited address. Producers' and partners' invitation models have the same columns
# but the organisation's (`producer_id` / `partner_id`), named by `org_column`.

INVITATION_DAYS = 7


class InvalidInvitation(ValidationError):
    code = "invalid_invitation"
    default_message = _l("This invitation link is not valid: it was used, withdrawn or mistyped.")


class ExpiredInvitation(InvalidInvitation):
    code = "expired_invitation"
    default_message = _l("This invitation has expired. Ask whoever invited you to send a new one.")


class WrongInvitee(Forbidden):
    code = "wrong_invitee"
    default_message = _l("This invitation was sent to another email address. Log in with the address it was sent to.")


def invitation_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_invitations(model, org_column: str, org_id: int):
    """A query of `model`'s invitations for the organisation not yet accepted, withdrawn or
    lapsed, the newest first."""
    return (
        select(model)
        .where(
            getattr(model, org_column) == org_id,
            model.accepted_at.is_(None),
            model.revoked_at.is_(None),
            model.expires_at > clock.now(),
        )
        .order_by(model.created_at.desc(), model.id.desc())
    )


def create_invitation(model, org_column: str, org_id: int, *, email: str, role: str, by) -> tuple[object, str]:
    """A new invitation of `model` for `email` in `role` (flushed), lasting INVITATION_DAYS;
    open invitations to the same address are withdrawn. Returns it and the link's token (kept
    nowhere else)."""
    now = clock.now()
    for earlier in db.session.scalars(open_invitations(model, org_column, org_id).where(model.email == email)):
        earlier.revoked_at = now
    token = secrets.token_urlsafe(32)
    invitation = model(
        email=email,
        role=role,
        token_hash=invitation_token_hash(token),
        invited_by_user_id=by.id,
        created_at=now,
        expires_at=now + timedelta(days=INVITATION_DAYS),
        **{org_column: org_id},
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation, token


def invitation_for_token(model, token: str | None):
    """The open invitation of `model` the link's token names. Raises InvalidInvitation (unknown,
    used, withdrawn) or ExpiredInvitation."""
    if not token or len(token) > 128:
        raise InvalidInvitation()
    invitation = db.session.scalar(select(model).where(model.token_hash == invitation_token_hash(token)))
    if invitation is None or invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise InvalidInvitation()
    if clock.aware(invitation.expires_at) <= clock.now():
        raise ExpiredInvitation()
    return invitation


def use_invitation(model, token: str | None, user):
    """Mark the invitation the token names as accepted by `user` (logged in with the invited
    address) and return it; the link then stops working. Raises InvalidInvitation,
    ExpiredInvitation, or WrongInvitee."""
    invitation = invitation_for_token(model, token)
    if user.email != invitation.email:
        raise WrongInvitee()
    invitation.accepted_at = clock.now()
    return invitation


# --- Members --------------------------------------------------------------------------------
# Who acts for an organisation: a row of the member model (`ProducerMember`, `PartnerMember`,
# keyed by (user_id, <org_column>)) with a role. Owners invite people and manage roles; an
# organisation always keeps at least one owner. The refusals name the kind, so callers give them.


def membership_in_use(memberships, chosen_id, *, org_of):
    """Of a user's `memberships`, the one they act in now: the one whose organisation
    (`org_of(membership)`) has the id they chose (`chosen_id`, kept in their session), else the
    first by the organisation's name. None when there is none."""
    if not memberships:
        return None
    for membership in memberships:
        if org_of(membership).id == chosen_id:
            return membership
    return min(memberships, key=lambda m: (org_of(m).name, org_of(m).id))


def membership_of(member_model, org_id: int, user_id: int):
    """The user's membership of the organisation, or None."""
    return db.session.get(member_model, (user_id, org_id))


def require_owner(member_model, org_id: int, user: User, *, refusal) -> None:
    """Raises Forbidden (saying `refusal`) unless `user` is an owner of the organisation."""
    membership = membership_of(member_model, org_id, user.id)
    if membership is None or membership.role != "owner":
        raise Forbidden(refusal)


def member_or_404(member_model, org_id: int, user_id: int):
    """The membership of `user_id` (an int, as a URL names it). Raises NotFound for anyone who
    is not a member."""
    membership = membership_of(member_model, org_id, user_id) if isinstance(user_id, int) else None
    if membership is None:
        raise NotFound()
    return membership


def members_of(member_model, org_column: str, org_id: int, *, role_order) -> list:
    """The organisation's memberships by role (`role_order`, e.g. `member_model.role.desc()`),
    then by name."""
    return list(
        db.session.scalars(
            select(member_model)
            .join(User, User.id == member_model.user_id)
            .where(getattr(member_model, org_column) == org_id)
            .order_by(role_order, User.name, User.id)
        )
    )


def keep_an_owner(member_model, org_column: str, membership, *, refusal) -> None:
    """Raises ConflictError (saying `refusal`) when `membership` is its organisation's last
    owner (who may then neither leave nor take another role)."""
    if membership.role != "owner":
        return
    owners = db.session.scalar(
        select(func.count())
        .select_from(member_model)
        .where(getattr(member_model, org_column) == getattr(membership, org_column), member_model.role == "owner")
    )
    if owners <= 1:
        raise ConflictError(refusal)


def change_role(member_model, org_column: str, membership, role: str, *, last_owner) -> str | None:
    """Give `membership` the (checked) `role`. Returns the role it had, or None when it had
    that role already. Raises ConflictError (saying `last_owner`) for the last owner."""
    if membership.role == role:
        return None
    keep_an_owner(member_model, org_column, membership, refusal=last_owner)
    previous, membership.role = membership.role, role
    return previous


def invite(invitation_model, member_model, org_column: str, org_id: int, *, by: User, email: str, role: str, member):
    """A new invitation for the (normalised) `email` in the (checked) `role`, as
    `create_invitation` makes it. Returns it, the link's token and the invitee's account if
    there is one. Raises ConflictError (field "email", saying `member`) when that person acts
    for the organisation already."""
    invitee = db.session.scalar(select(User).where(User.email == email))
    if invitee is not None and membership_of(member_model, org_id, invitee.id) is not None:
        raise ConflictError(member, field="email")
    invitation, token = create_invitation(invitation_model, org_column, org_id, email=email, role=role, by=by)
    return invitation, token, invitee


def withdraw_invitation(invitation_model, org_column: str, org_id: int, invitation_id: int):
    """Withdraw the organisation's invitation not yet accepted (flushed) and return it. Raises
    NotFound for another organisation's invitation or one no longer open."""
    invitation = db.session.get(invitation_model, invitation_id) if isinstance(invitation_id, int) else None
    if (
        invitation is None
        or getattr(invitation, org_column) != org_id
        or invitation.accepted_at
        or invitation.revoked_at
    ):
        raise NotFound()
    invitation.revoked_at = clock.now()
    db.session.flush()
    return invitation


def join(invitation_model, member_model, org_column: str, token: str | None, user: User, **member_values):
    """`user` (logged in with the invited address) joins the organisation in the invited role
    (a new membership gets `member_values` too); the link then stops working. Returns the
    membership and the invitation. Raises InvalidInvitation, ExpiredInvitation, WrongInvitee."""
    invitation = use_invitation(invitation_model, token, user)
    org_id = getattr(invitation, org_column)
    membership = membership_of(member_model, org_id, user.id)
    if membership is None:
        membership = member_model(user_id=user.id, role=invitation.role, **{org_column: org_id}, **member_values)
        db.session.add(membership)
    db.session.flush()
    return membership, invitation
