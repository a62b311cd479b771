"""The API's blueprints, one per kind of caller: the public catalog, restaurant partners and
producers."""

from __future__ import annotations


def blueprints() -> list:
    from shop.api.views import catalog, partner_accounts, partner_orders, partner_standing, partners, producers

    return [catalog.bp, partners.bp, partner_orders.bp, partner_accounts.bp, partner_standing.bp, producers.bp]
