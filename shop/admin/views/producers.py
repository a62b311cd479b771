"""Admins review producers: the list (applications awaiting review first), one producer with
everything it stated, and the decisions: approve, reject with a reason, suspend with a reason,
reactivate, the commission rate and corrections to the legal details."""

from __future__ import annotations

from flask import abort, current_app, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from shop.admin.views import admin_nav, bp
from shop.admin.views.reviews import decided, review_list
from shop.audit.services import events
from shop.errors import NotFound
from shop.extensions import db
from shop.producers import members as member_services
from shop.producers import onboarding
from shop.producers.forms import CommissionForm, LegalForm, ReasonForm
from shop.producers.models import Producer
from shop.web import form_action, no_store, role_required

admin_nav.add(20, "admin.producers", _l("Producers"))


def _producer(producer_id: int) -> Producer:
    producer = db.session.get(Producer, producer_id)
    if producer is None:
        abort(404)
    return producer


def _percent(bp: int) -> str:
    """1250 → "12.5", 1000 → "10" (for the form and the page; no float arithmetic)."""
    whole, rest = divmod(bp, 100)
    return f"{whole}.{rest:02d}".rstrip("0").rstrip(".") if rest else str(whole)


@bp.route("/producers")
@role_required("admin")
@no_store
def producers():
    return review_list(
        "admin/producers/list.html",
        rows="producers",
        for_review=onboarding.producers_for_review,
        counts=onboarding.status_counts,
    )


@bp.route("/producers/<int:producer_id>")
@role_required("admin")
@no_store
def producers_show(producer_id: int):
    producer = _producer(producer_id)
    commission = CommissionForm(formdata=None)
    if producer.commission_bp is not None:
        commission.commission.data = _percent(producer.commission_bp)
    legal = LegalForm(formdata=None, obj=producer)
    return render_template(
        "admin/producers/detail.html",
        producer=producer,
        members=onboarding.members_of(producer),
        invitations=member_services.pending_invitations(producer),
        events=events(producer_id=producer.id, limit=20),
        reason_form=ReasonForm(formdata=None),
        commission_form=commission,
        legal_form=legal,
        commission_percent=_percent(onboarding.commission_of(producer)),
        default_percent=_percent(onboarding.default_commission_bp()),
        role_label=member_services.role_label,
        audit_endpoint="admin.audit" if "admin.audit" in current_app.view_functions else None,
    )


_DECISIONS = {
    "approve": lambda producer, admin, _reason: onboarding.approve_producer(producer, admin),
    "reject": onboarding.reject_producer,
    "suspend": onboarding.suspend_producer,
    "reactivate": onboarding.reactivate_producer,
}


@bp.route("/producers/<int:producer_id>/<action>", methods=["POST"])
@role_required("admin")
def producers_action(producer_id: int, action: str):
    producer = _producer(producer_id)
    back = url_for("admin.producers_show", producer_id=producer.id)
    if action in _DECISIONS:
        form = ReasonForm()

        def work():
            return decided(producer, _DECISIONS[action], form.reason.data)

    elif action == "commission":
        form = CommissionForm()

        def work():
            bp = onboarding.parse_commission(form.commission.data, form.unit.data)
            onboarding.set_commission(producer, current_user, bp)
            return _(
                "Commission of %(name)s: %(rate)s %%.",
                name=producer.name,
                rate=_percent(onboarding.commission_of(producer)),
            )

    elif action == "legal":
        form = LegalForm()

        def work():
            onboarding.correct_legal_details(
                producer, current_user, kind=form.kind.data, name=form.name.data, tax_code=form.tax_code.data
            )
            return _("Registered details of %(name)s saved.", name=producer.name)

    else:
        raise NotFound()
    return form_action(form, back=back, work=work)
