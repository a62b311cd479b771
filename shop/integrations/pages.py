"""What the producer portal's and the partner area's pages for API keys and webhooks share: one
`Portal` for each side (its layout, its blueprint and the organisation it acts for), and the
pages themselves, which each side's views call after `producer_required(owner=True)` or
`partner_required(roles=OWNER)` has said who acts for which organisation.

A secret (a new key, a new endpoint's signing secret, a rolled one) is shown once, in the answer
to the POST that made it, with `Cache-Control: no-store`: never in a URL, a flash message (kept
in the session cookie) or a log."""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from shop import urls
from shop.accounts.models import User
from shop.errors import ShopError
from shop.extensions import db
from shop.integrations import keys
from shop.integrations.forms import ActionForm, ApiKeyForm
from shop.integrations.models import ApiKey
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
