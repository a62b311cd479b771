"""The producer's API keys (owners only): the keys, a new one (its secret shown once), revoking
one. The pages are shared with the partner area (`shop/integrations/pages.py`)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from shop.integrations import pages
from shop.portal.access import producer_required
from shop.portal.views import bp, portal_nav
from shop.web import form_view, no_store

portal_nav.add(86, "producers.api_keys", _l("API keys"), owner_only=True)


@bp.route("/api-keys")
@producer_required(owner=True)
@no_store
def api_keys():
    return pages.keys_page(pages.PRODUCER)


@bp.route("/api-keys", methods=["POST"])
@producer_required(owner=True)
@form_view
@no_store
def api_keys_create():
    return pages.create_key(pages.PRODUCER)


@bp.route("/api-keys/<int:key_id>/revoke", methods=["POST"])
@producer_required(owner=True)
def api_keys_revoke(key_id: int):
    return pages.revoke_key(pages.PRODUCER, key_id)
