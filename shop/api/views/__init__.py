"""The API's blueprints, one per kind of caller: the public catalog, restaurant partners and
producers."""

from __future__ import annotations


def blueprints() -> list:
    from shop.api.views import catalog, partners, producers

    return [catalog.bp, partners.bp, producers.bp]
