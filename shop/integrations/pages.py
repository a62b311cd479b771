"""What the producer portal's and the partner area's pages for API keys and webhooks share: one
`Portal` for each side (its layout, its blueprint and the organisation it acts for), and the
pages themselves, which each side's views call after `producer_required(owner=True)` or
`partner_required(roles=OWNER)` has said who acts for which organisation.

A secret (a new key, a new endpoint's signing secret, a rolled one) is shown once, in the answer
to the POST that made it, with `Cache-Control: no-store`: never in a URL, a flash message (kept
in the session cookie) or a log."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from shop import clock, urls
from shop.accounts.models import User
from shop.errors import NotFound, ShopError
from shop.extensions import db
from shop.integrations import keys, webhooks
from shop.integrations.forms import ActionForm, ApiKeyForm, WebhookEndpointForm
from shop.integrations.models import ApiKey, WebhookDelivery
from shop.integrations.sending import body_of
from shop.web import form_action, put_error_on_form

API_DOCS_PATH = "/api/v1/docs"

# What a program with a key of each role may do (beside the role's short label).
ROLE_HINTS = {
    "producer": _l(
        "A program with this key reads your own products and variants, sets and adjusts their stock "
        "(written to the stock ledger with the key's name) and marks your shipments packed, shipped or "
        "delivered. It cannot order or see other producers' data."
    ),
    "ordering": _l(
        "A program with this key sees your prices and quantity rules, places orders for your "
        "locations, reads your orders and manages your standing orders. It does not see invoices or "
        "statements."
    ),
    "accounting": _l(
        "A program with this key reads your orders, invoices and statements. It cannot order or change anything."
    ),
}
# The request shown in the example after a key is made: one the key's role may send.
EXAMPLE_PATHS = {"producer": "/api/v1/variants", "ordering": "/api/v1/prices", "accounting": "/api/v1/invoices"}


@dataclass(frozen=True)
class Portal:
    """One side's pages: `kind` "producer" or "partner", the layout its pages extend and its
    blueprint's name (endpoints are `<blueprint>.api_keys`, `<blueprint>.webhooks_show`, …)."""

    kind: str
    layout: str
    blueprint: str

    def owner(self) -> dict[str, int]:
        """The organisation the user acts for, as the services take it (producer_id= or partner_id=)."""
        organisation = g.producer if self.kind == "producer" else g.partner
        return {f"{self.kind}_id": organisation.id}

    def url(self, page: str, **values) -> str:
        return url_for(f"{self.blueprint}.{page}", **values)

    @property
    def roles(self) -> tuple[str, ...]:
        """The roles a key of this side may have."""
        return keys.PRODUCER_ROLES if self.kind == "producer" else keys.PARTNER_ROLES


PRODUCER = Portal("producer", "portal/_layout.html", "producers")
PARTNER = Portal("partner", "partner_portal/_layout.html", "partners")


def _render(portal: Portal, template: str, status: int = 200, **context):
    return render_template(template, portal=portal, api_docs_url=API_DOCS_PATH, **context), status


def _names_of_users(ids) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {user.id: user.name for user in db.session.scalars(select(User).where(User.id.in_(ids)))}


# --- API keys -------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyRow:
    """A key as its page lists it."""

    key: ApiKey
    role_label: str
    created_by: str | None
    last_used: object  # a datetime or None
    revoked_by: str | None


def key_form(portal: Portal, **kwargs) -> ApiKeyForm:
    form = ApiKeyForm(**kwargs)
    form.role.choices = [(role, keys.role_label(role)) for role in portal.roles]
    if form.role.data is None and len(portal.roles) == 1:
        form.role.data = portal.roles[0]
    return form


def keys_page(portal: Portal, *, form: ApiKeyForm | None = None, created=None, status: int = 200):
    """The organisation's keys, the form for a new one and, just after one was made, its
    secret (`created`: (key, secret))."""
    listed = keys.keys_of(**portal.owner())
    names = _names_of_users([k.created_by_user_id for k in listed] + [k.revoked_by_user_id for k in listed])
    rows = [
        KeyRow(
            key=key,
            role_label=keys.role_label(key.role),
            created_by=names.get(key.created_by_user_id),
            last_used=keys.last_used(key),
            revoked_by=names.get(key.revoked_by_user_id),
        )
        for key in listed
    ]
    created_context = None
    if created is not None:
        key, secret = created
        created_context = {
            "key": key,
            "secret": secret,
            "example": f'curl -H "Authorization: Bearer {secret}" {urls.base_url()}{EXAMPLE_PATHS[key.role]}',
        }
    return _render(
        portal,
        "integrations/api_keys.html",
        status,
        rows=rows,
        form=form or key_form(portal, formdata=None),
        created=created_context,
        role_hints=ROLE_HINTS,
        action_form=ActionForm(formdata=None),
    )


def create_key(portal: Portal):
    """The form's POST: make the key and show its secret once on the answer (or the form again
    with what is wrong next to its field)."""
    form = key_form(portal)
    if form.validate_on_submit():
        role = form.role.data if len(portal.roles) > 1 else portal.roles[0]
        try:
            created = keys.create_key(name=form.name.data, role=role, by=current_user, **portal.owner())
        except ShopError as exc:
            db.session.rollback()
            put_error_on_form(form, exc)
        else:
            db.session.commit()
            return keys_page(portal, created=created)
    return keys_page(portal, form=form, status=400)


def revoke_key(portal: Portal, key_id: int):
    """A Revoke button: programs using the key are refused from now on. Another organisation's
    key is a 404."""

    def work():
        key = keys.revoke_key(key_id, by=current_user, **portal.owner())
        return _("The key “%(name)s” is revoked: programs that send it are refused from now on.", name=key.name)

    return form_action(ActionForm(), back=portal.url("api_keys"), work=work)


# --- Webhooks -------------------------------------------------------------------------------

# How far back the endpoints' list counts deliveries by status.
RECENT_DAYS = 7
DELIVERY_STATUS_LABELS = {
    "pending": _l("Waiting to be sent"),
    "delivered": _l("Delivered"),
    "failed": _l("Failed"),
}


def endpoint_form(portal: Portal, **kwargs) -> WebhookEndpointForm:
    form = WebhookEndpointForm(**kwargs)
    form.events.choices = [(event, webhooks.event_label(event)) for event in webhooks.events_for(portal.kind)]
    return form


def _recent_counts(endpoint_ids: list[int]) -> dict[int, dict[str, int]]:
    """{endpoint id: {status: number of deliveries made in the last RECENT_DAYS days}}."""
    counts: dict[int, dict[str, int]] = {i: dict.fromkeys(DELIVERY_STATUS_LABELS, 0) for i in endpoint_ids}
    if not endpoint_ids:
        return counts
    since = clock.now() - timedelta(days=RECENT_DAYS)
    query = (
        select(WebhookDelivery.endpoint_id, WebhookDelivery.status, func.count())
        .where(WebhookDelivery.endpoint_id.in_(endpoint_ids), WebhookDelivery.created_at >= since)
        .group_by(WebhookDelivery.endpoint_id, WebhookDelivery.status)
    )
    for endpoint_id, status, number in db.session.execute(query):
        counts[endpoint_id][status] = number
    return counts


def webhooks_page(portal: Portal, *, form: WebhookEndpointForm | None = None, created=None, status: int = 200):
    """The organisation's endpoints with their recent deliveries by status, the form for a new
    one and, just after one was added, its signing secret (`created`: (endpoint, secret))."""
    endpoints = webhooks.endpoints_of(**portal.owner())
    return _render(
        portal,
        "integrations/webhooks.html",
        status,
        endpoints=endpoints,
        counts=_recent_counts([e.id for e in endpoints]),
        recent_days=RECENT_DAYS,
        form=form or endpoint_form(portal, formdata=None),
        created=dict(zip(("endpoint", "secret"), created, strict=True)) if created else None,
        event_label=webhooks.event_label,
        status_labels=DELIVERY_STATUS_LABELS,
    )


def add_endpoint(portal: Portal):
    """The form's POST: register the endpoint and show its signing secret once on the answer (or
    the form again with what is wrong next to its field)."""
    form = endpoint_form(portal)
    if form.validate_on_submit():
        try:
            created = webhooks.register_endpoint(
                url=form.url.data,
                events=form.events.data or [],
                description=form.description.data,
                by=current_user,
                **portal.owner(),
            )
        except ShopError as exc:
            db.session.rollback()
            put_error_on_form(form, exc)
        else:
            db.session.commit()
            return webhooks_page(portal, created=created)
    return webhooks_page(portal, form=form, status=400)


def endpoint_page(portal: Portal, endpoint_id: int, *, new_secret: str | None = None):
    """One endpoint: its details, its buttons and its delivery log (newest first); just after
    its secret was rolled, the new one. Another organisation's endpoint is a 404."""
    endpoint = webhooks.endpoint_of(endpoint_id, **portal.owner())
    deliveries = webhooks.deliveries_of(endpoint.id, **portal.owner())
    return _render(
        portal,
        "integrations/webhook.html",
        endpoint=endpoint,
        deliveries=deliveries,
        created_by=_names_of_users([endpoint.created_by_user_id]).get(endpoint.created_by_user_id),
        new_secret=new_secret,
        event_label=webhooks.event_label,
        status_labels=DELIVERY_STATUS_LABELS,
        replay_requested=webhooks.replay_requested,
        action_form=ActionForm(formdata=None),
    )


def set_endpoint_active(portal: Portal, endpoint_id: int, active: bool):
    """The Pause and Resume buttons."""

    def work():
        webhooks.set_endpoint_active(endpoint_id, active, by=current_user, **portal.owner())
        if active:
            return _("The endpoint is active again: new events are sent to it.")
        return _("The endpoint is paused: events are kept for it and sent once you resume it.")

    return form_action(ActionForm(), back=portal.url("webhooks_show", endpoint_id=endpoint_id), work=work)


def delete_endpoint(portal: Portal, endpoint_id: int):
    """The Delete button (after its confirmation): the endpoint and its delivery log go."""

    def work():
        webhooks.delete_endpoint(endpoint_id, by=current_user, **portal.owner())
        return _("The endpoint was deleted: nothing more is sent to it.")

    return form_action(ActionForm(), back=portal.url("webhooks"), work=work)


def roll_secret(portal: Portal, endpoint_id: int):
    """The Roll secret button: a new signing secret, shown once on the answer."""
    form = ActionForm()
    if not form.validate_on_submit():
        flash(_("Your form expired. Please try again."), "error")
        return redirect(portal.url("webhooks_show", endpoint_id=endpoint_id))
    secret = webhooks.roll_secret(endpoint_id, by=current_user, **portal.owner())
    db.session.commit()
    return endpoint_page(portal, endpoint_id, new_secret=secret)


def _delivery_of_endpoint(portal: Portal, endpoint_id: int, delivery_id: int) -> WebhookDelivery:
    delivery = webhooks.delivery_of(delivery_id, **portal.owner())
    if delivery.endpoint_id != endpoint_id:
        raise NotFound()
    return delivery


def delivery_page(portal: Portal, endpoint_id: int, delivery_id: int):
    """One delivery: the payload as it is sent (pretty JSON), each try and the Replay button.
    A delivery of another endpoint or organisation is a 404."""
    delivery = _delivery_of_endpoint(portal, endpoint_id, delivery_id)
    payload = json.dumps(json.loads(body_of(delivery.event)), ensure_ascii=False, indent=2)
    return _render(
        portal,
        "integrations/delivery.html",
        endpoint=delivery.endpoint,
        delivery=delivery,
        attempts=webhooks.attempts_of(delivery),
        payload=payload,
        event_label=webhooks.event_label,
        status_labels=DELIVERY_STATUS_LABELS,
        replay_requested=webhooks.replay_requested(delivery),
        action_form=ActionForm(formdata=None),
    )


def replay_delivery(portal: Portal, endpoint_id: int, delivery_id: int):
    """The Replay button: the delivery is queued again and sent by the next send."""

    def work():
        _delivery_of_endpoint(portal, endpoint_id, delivery_id)
        webhooks.replay_delivery(delivery_id, by=current_user, **portal.owner())
        return _("The delivery is queued again: it is sent within a minute or so.")

    back = portal.url("webhooks_delivery", endpoint_id=endpoint_id, delivery_id=delivery_id)
    return form_action(ActionForm(), back=back, work=work)
