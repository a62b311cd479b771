"""Staff verify the certificates producers send: the list (those awaiting review first), one
certificate beside its scan, verify, or reject with the reason the producer reads."""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length

from shop import clock
from shop.admin.views import admin_nav, bp
from shop.catalog import certificate_review as review
from shop.catalog.models import Certificate
from shop.extensions import db
from shop.web import form_action, no_store, role_required

admin_nav.add(30, "admin.certificates", _l("Certificates"))


class ReviewForm(FlaskForm):
    """Verify (the CSRF token alone) or reject (with the reason the producer reads)."""

    reason = TextAreaField(
        _l("Reason for rejecting"),
        validators=[Length(max=500)],
        description=_l("The producer reads it. Say what to correct."),
    )


def _certificate(certificate_id: int) -> Certificate:
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None:
        abort(404)
    return certificate


@bp.route("/certificates")
@role_required("admin")
@no_store
def certificates():
    status = request.args.get("status") or None
    if status not in (None, *review.STATUS_LABELS):
        status = None
    return render_template(
        "admin/certificates/list.html",
        certificates=review.for_review(status),
        status=status,
        status_labels=review.STATUS_LABELS,
        locale=str(get_locale()),
    )


@bp.route("/certificates/<int:certificate_id>")
@role_required("admin")
@no_store
def certificates_view(certificate_id: int):
    certificate = _certificate(certificate_id)
    return render_template(
        "admin/certificates/view.html",
        certificate=certificate,
        form=ReviewForm(formdata=None),
        days=review.days_left(certificate, clock.today()),
        scan_is_image=review.scan_is_image(certificate),
        status_labels=review.STATUS_LABELS,
        issuer_labels=review.ISSUER_LABELS,
        locale=str(get_locale()),
    )


@bp.route("/certificates/<int:certificate_id>/<any(verify, reject):action>", methods=["POST"])
@role_required("admin")
def certificates_review(certificate_id: int, action: str):
    certificate = _certificate(certificate_id)
    form = ReviewForm()

    def work():
        if action == "verify":
            review.verify_certificate(certificate, actor=current_user)
            return _("Certificate %(number)s verified.", number=certificate.decision_number)
        review.reject_certificate(certificate, actor=current_user, reason=form.reason.data)
        return _("Certificate %(number)s rejected.", number=certificate.decision_number)

    return form_action(form, back=url_for("admin.certificates_view", certificate_id=certificate_id), work=work)


@bp.route("/certificates/<int:certificate_id>/scan")
@role_required("admin")
def certificates_scan(certificate_id: int):
    return review.send_scan(_certificate(certificate_id))
