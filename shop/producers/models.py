from __future__ import annotations

from shop.extensions import db
from shop.organisations import OrganisationMixin


class Producer(OrganisationMixin, db.Model):
    """An OCOP chủ thể. Minimal for now: the catalog issue adds kind, story, origin details."""

    __tablename__ = "producers"

    def __repr__(self) -> str:
        return f"<Producer {self.id} {self.name}>"
