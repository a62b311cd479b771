from __future__ import annotations

from shop.extensions import db
from shop.organisations import OrganisationMixin


class Partner(OrganisationMixin, db.Model):
    """A restaurant partner (e.g. a chain serving Xôi Phú Thượng). Minimal for now."""

    __tablename__ = "partners"

    def __repr__(self) -> str:
        return f"<Partner {self.id} {self.name}>"
