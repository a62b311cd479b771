"""What producers and partners share: a registered organisation with a tax code and an address."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, DateTime, Integer, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column
from stdnum import exceptions as stdnum_errors
from stdnum.vn import mst

from shop import geo
from shop.errors import ValidationError
from shop.models_base import TimestampMixin

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
