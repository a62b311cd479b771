"""The API's blueprints, by caller and job: the public catalog; restaurant partners' prices,
orders, accounts and standing orders; producers' stock and shipments."""

from __future__ import annotations

import importlib


def blueprints() -> list:
    # The catalog's parts add their routes to catalog.bp, in the order of the API's description.
    for part in ("catalog_products", "catalog_product", "catalog_producers", "catalog_origins"):
        importlib.import_module(f"shop.api.views.{part}")
    from shop.api.views import (
        catalog,
        partner_accounts,
        partner_orders,
        partner_standing,
        partners,
        producer_shipments,
        producer_stock,
    )

    return [
        catalog.bp,
        partners.bp,
        partner_orders.bp,
        partner_accounts.bp,
        partner_standing.bp,
        producer_stock.bp,
        producer_shipments.bp,
    ]
