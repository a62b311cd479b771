"""The API's demo: one key per kind of caller, with published secrets (README), so that `make run`
can be tried with curl at once. Like every demo account, never made with SHOP_ENV=production
(`shop.demo.seed` refuses before it gets here)."""

from __future__ import annotations

from sqlalchemy import select

from shop.extensions import db
from shop.integrations.keys import SHOWN_CHARACTERS, token_hash
from shop.integrations.models import ApiKey
from shop.partners.models import Partner
from shop.producers.models import Producer

# (secret, name, role, organisation model, its tax code)
DEMO_KEYS = (
    ("ocop_demo_producer_xoi_phu_thuong", "Kho HTX (demo)", "producer", Producer, "0109000015"),
    ("ocop_demo_partner_ordering", "Phần mềm mua hàng (demo)", "ordering", Partner, "0109001019"),
    ("ocop_demo_partner_accounting", "Phần mềm kế toán (demo)", "accounting", Partner, "0109001019"),
)


def seed_api_keys() -> int:
    """Add the demo keys that are missing; returns how many were added. Flushes only."""
    added = 0
    known = set(db.session.scalars(select(ApiKey.token_hash)))
    for secret, name, role, model, tax_code in DEMO_KEYS:
        if token_hash(secret) in known:
            continue
        organisation = db.session.scalar(select(model).where(model.tax_code == tax_code))
        if organisation is None:
            continue
        owner = {"producer_id": organisation.id} if model is Producer else {"partner_id": organisation.id}
        db.session.add(
            ApiKey(name=name, role=role, prefix=secret[:SHOWN_CHARACTERS], token_hash=token_hash(secret), **owner)
        )
        added += 1
    db.session.flush()
    return added
