"""What the admins' pages for producers and for partners share: the list of organisations by
status (applications awaiting review first) and the message a decision ends with."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from shop.organisations import ORG_STATUSES, status_label


def review_list(template: str, *, rows: str, for_review, counts):
    """The admins' list: `for_review(status, q=…)` filtered by the page's status (one of
    ORG_STATUSES, else all) and search text, shown as `rows` in `template` with `counts()`."""
    status = request.args.get("status") or None
    if status not in (None, *ORG_STATUSES):
        status = None
    q = (request.args.get("q") or "").strip()[:100]
    return render_template(
        template, **{rows: for_review(status, q=q)}, counts=counts(), status=status, statuses=ORG_STATUSES, q=q
    )


def decided(org, decision, reason: str | None) -> str:
    """Make the admin's `decision(org, admin, reason)` and say where it left the organisation."""
    decision(org, current_user, reason)
    return said(org)


def said(org) -> str:
    return _("%(name)s: %(status)s.", name=org.name, status=status_label(org.status))
