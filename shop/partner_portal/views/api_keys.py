"""The partner's API keys (owners only): the keys, a new one for ordering or for accounting (its
secret shown once), revoking one. The pages are shared with the producer portal
(`shop/integrations/pages.py`)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from shop.integrations import pages
from shop.partner_portal.access import OWNER, partner_required
from shop.partner_portal.views import bp, partner_nav
from shop.web import form_view, no_store

partner_nav.add(86, "partners.api_keys", _l("API keys"), roles=OWNER)


@bp.route("/api-keys")
@partner_required(roles=OWNER)
@no_store
def api_keys():
    return pages.keys_page(pages.PARTNER)


@bp.route("/api-keys", methods=["POST"])
@partner_required(roles=OWNER)
@form_view
@no_store
def api_keys_create():
    return pages.create_key(pages.PARTNER)


@bp.route("/api-keys/<int:key_id>/revoke", methods=["POST"])
@partner_required(roles=OWNER)
def api_keys_revoke(key_id: int):
    return pages.revoke_key(pages.PARTNER, key_id)
