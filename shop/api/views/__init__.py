"""The API's blueprints, by caller and job: the public catalog; restaurant partners' prices,
orders, accounts and standing orders; producers' stock and shipments."""

from __future__ import annotations


def blueprints() -> list:
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
