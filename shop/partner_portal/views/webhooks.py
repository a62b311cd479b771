"""The partner's webhooks (owners only): the endpoints, adding one (its signing secret shown once),
one endpoint with its delivery log (pause, resume, roll the secret, delete), one delivery with its
payload and tries (replay). The pages are shared with the producer portal (`shop/integrations/pages.py`)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from shop.integrations import pages
from shop.partner_portal.access import OWNER, partner_required
from shop.partner_portal.views import bp, partner_nav
from shop.web import form_view, no_store

partner_nav.add(88, "partners.webhooks", _l("Webhooks"), roles=OWNER)


@bp.route("/webhooks")
@partner_required(roles=OWNER)
@no_store
def webhooks():
    return pages.webhooks_page(pages.PARTNER)


@bp.route("/webhooks", methods=["POST"])
@partner_required(roles=OWNER)
@form_view
@no_store
def webhooks_add():
    return pages.add_endpoint(pages.PARTNER)


@bp.route("/webhooks/<int:endpoint_id>")
@partner_required(roles=OWNER)
@no_store
def webhooks_show(endpoint_id: int):
    return pages.endpoint_page(pages.PARTNER, endpoint_id)


@bp.route("/webhooks/<int:endpoint_id>/pause", methods=["POST"])
@partner_required(roles=OWNER)
def webhooks_pause(endpoint_id: int):
    return pages.set_endpoint_active(pages.PARTNER, endpoint_id, False)


@bp.route("/webhooks/<int:endpoint_id>/resume", methods=["POST"])
@partner_required(roles=OWNER)
def webhooks_resume(endpoint_id: int):
    return pages.set_endpoint_active(pages.PARTNER, endpoint_id, True)


@bp.route("/webhooks/<int:endpoint_id>/secret", methods=["POST"])
@partner_required(roles=OWNER)
@no_store
def webhooks_roll_secret(endpoint_id: int):
    return pages.roll_secret(pages.PARTNER, endpoint_id)


@bp.route("/webhooks/<int:endpoint_id>/delete", methods=["POST"])
@partner_required(roles=OWNER)
def webhooks_delete(endpoint_id: int):
    return pages.delete_endpoint(pages.PARTNER, endpoint_id)


@bp.route("/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>")
@partner_required(roles=OWNER)
@no_store
def webhooks_delivery(endpoint_id: int, delivery_id: int):
    return pages.delivery_page(pages.PARTNER, endpoint_id, delivery_id)


@bp.route("/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/replay", methods=["POST"])
@partner_required(roles=OWNER)
def webhooks_replay(endpoint_id: int, delivery_id: int):
    return pages.replay_delivery(pages.PARTNER, endpoint_id, delivery_id)
