"""The producer's webhooks (owners only): the endpoints, adding one (its signing secret shown once),
one endpoint with its delivery log (pause, resume, roll the secret, delete), one delivery with its
payload and tries (replay). The pages are shared with the partner area (`shop/integrations/pages.py`)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from shop.integrations import pages
from shop.portal.access import producer_required
from shop.portal.views import bp, portal_nav
from shop.web import form_view, no_store

portal_nav.add(88, "producers.webhooks", _l("Webhooks"), owner_only=True)


@bp.route("/webhooks")
@producer_required(owner=True)
@no_store
def webhooks():
    return pages.webhooks_page(pages.PRODUCER)


@bp.route("/webhooks", methods=["POST"])
@producer_required(owner=True)
@form_view
@no_store
def webhooks_add():
    return pages.add_endpoint(pages.PRODUCER)


@bp.route("/webhooks/<int:endpoint_id>")
@producer_required(owner=True)
@no_store
def webhooks_show(endpoint_id: int):
    return pages.endpoint_page(pages.PRODUCER, endpoint_id)


@bp.route("/webhooks/<int:endpoint_id>/pause", methods=["POST"])
@producer_required(owner=True)
def webhooks_pause(endpoint_id: int):
    return pages.set_endpoint_active(pages.PRODUCER, endpoint_id, False)


@bp.route("/webhooks/<int:endpoint_id>/resume", methods=["POST"])
@producer_required(owner=True)
def webhooks_resume(endpoint_id: int):
    return pages.set_endpoint_active(pages.PRODUCER, endpoint_id, True)


@bp.route("/webhooks/<int:endpoint_id>/secret", methods=["POST"])
@producer_required(owner=True)
@no_store
def webhooks_roll_secret(endpoint_id: int):
    return pages.roll_secret(pages.PRODUCER, endpoint_id)


@bp.route("/webhooks/<int:endpoint_id>/delete", methods=["POST"])
@producer_required(owner=True)
def webhooks_delete(endpoint_id: int):
    return pages.delete_endpoint(pages.PRODUCER, endpoint_id)


@bp.route("/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>")
@producer_required(owner=True)
@no_store
def webhooks_delivery(endpoint_id: int, delivery_id: int):
    return pages.delivery_page(pages.PRODUCER, endpoint_id, delivery_id)


@bp.route("/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/replay", methods=["POST"])
@producer_required(owner=True)
def webhooks_replay(endpoint_id: int, delivery_id: int):
    return pages.replay_delivery(pages.PRODUCER, endpoint_id, delivery_id)
