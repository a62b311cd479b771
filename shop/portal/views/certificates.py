"""A producer's certificates: each product's certificates with their review, submitting one
with the scanned decision (again after a rejection), the scan, and the dashboard's warning
while one lapses."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from shop import clock
from shop.catalog import certificate_review as review
from shop.catalog.models import Certificate
from shop.errors import ShopError
from shop.extensions import db
from shop.portal.access import own_or_404, producer_required
from shop.portal.views import bp, dashboard_panels, portal_nav
from shop.web import form_view, no_store, put_error_on_form

portal_nav.add(40, "producers.certificates", _l("Certificates"))

_required = DataRequired(message=_l("This field is required."))


class CertificateForm(FlaskForm):
    """Shape only: the OCOP rules (issuer by level and date, dates) are the service's."""

    # Lists without `required`: the choice is always one of the list (validate_choice).
    product_id = SelectField(_l("Product"), coerce=int)
    star_level = SelectField(
        _l("Star level"),
        coerce=int,
        choices=[SelectChoice(3, _l("3 stars")), SelectChoice(4, _l("4 stars")), SelectChoice(5, _l("5 stars"))],
    )
    potential_five_star = BooleanField(_l("Rated “potential 5-star” (4-star products only)"))
    score = IntegerField(
        _l("Score (out of 100)"),
        validators=[Optional(), NumberRange(min=0, max=100)],
        description=_l("Optional, as written in the decision."),
        render_kw={"inputmode": "numeric"},
    )
    decision_number = StringField(
        _l("Decision number"),
        validators=[_required, Length(max=60)],
        description=_l("As on the decision, e.g. 1147/QĐ-UBND."),
        render_kw={"autocomplete": "off"},
    )
    decision_date = DateField(_l("Decision date"), validators=[_required])
    issuing_body = StringField(
        _l("Issued by"),
        validators=[_required, Length(max=200)],
        description=_l("e.g. UBND Thành phố Hà Nội."),
    )
    issuer_level = SelectField(
        _l("Level of the issuing body"),
        choices=[SelectChoice(level, label) for level, label in review.ISSUER_LABELS.items()],
        description=_l(
            "Before 1 July 2025: district for 3 stars, province for 4 stars; since then province "
            "for 3 and 4 stars. 5 stars: central level."
        ),
    )
    valid_until = DateField(
        _l("Valid until"),
        validators=[Optional()],
        description=_l("Leave empty for 36 months after the decision date."),
    )
    scan = FileField(
        _l("Scanned decision"),
        validators=[FileRequired(message=_l("Choose the scanned decision (PDF or image)."))],
        description=_l("PDF, JPEG, PNG or WebP, at most 10 MB."),
        render_kw={"accept": "application/pdf,image/jpeg,image/png,image/webp"},
    )


@dashboard_panels.add(5)
def _lapsing_banner(producer, membership):
    """A warning while a verified certificate lapses within 60 days or has lapsed."""
    items = review.lapsing_certificates(producer.id, clock.today())
    if not items:
        return None
    return "portal/certificates/_banner.html", {"items": items}


@bp.route("/certificates")
@producer_required
@no_store
def certificates():
    return render_template(
        "portal/certificates/list.html",
        products=review.certificates_by_product(g.producer.id),
        today=clock.today(),
        days_left=review.days_left,
        status_labels=review.STATUS_LABELS,
        locale=str(get_locale()),
    )


@bp.route("/certificates/new", methods=["GET", "POST"])
@producer_required
@form_view
@no_store
def certificates_new():
    products = review.producer_products(g.producer.id)
    locale = str(get_locale())
    form = CertificateForm()
    form.product_id.choices = [SelectChoice(p.id, p.name(locale)) for p in products]
    if not form.is_submitted():
        _prefill(form)
    if form.validate_on_submit():
        try:
            certificate = review.submit_certificate(
                g.producer,
                form.product_id.data,
                actor=current_user,
                star_level=form.star_level.data,
                decision_number=form.decision_number.data,
                decision_date=form.decision_date.data,
                issuing_body=form.issuing_body.data,
                issuer_level=form.issuer_level.data,
                valid_until=form.valid_until.data,
                score=form.score.data,
                potential_five_star=form.potential_five_star.data,
                scan=review.read_scan(form.scan.data.stream),
            )
        except ShopError as exc:
            db.session.rollback()
            put_error_on_form(form, exc)
        else:
            db.session.commit()
            flash(_("Certificate sent. We will check it and tell you by email."), "success")
            return redirect(url_for("producers.certificates_view", certificate_id=certificate.id))
    status = 400 if form.is_submitted() else 200
    return render_template("portal/certificates/new.html", form=form, has_products=bool(products)), status


def _prefill(form: CertificateForm) -> None:
    """?product=<id> chooses the product; ?replace=<id> (a rejected certificate of one's own)
    fills in what it said, to be corrected."""
    product_id = request.args.get("product", type=int)
    if product_id is not None:
        form.product_id.data = product_id
    replaced_id = request.args.get("replace", type=int)
    if replaced_id is None:
        return
    old = own_or_404(Certificate, replaced_id)
    form.product_id.data = old.product_id
    for name in ("star_level", "potential_five_star", "score", "decision_number", "decision_date"):
        getattr(form, name).data = getattr(old, name)
    form.issuing_body.data, form.issuer_level.data = old.issuing_body, old.issuer_level
    form.valid_until.data = old.valid_until


@bp.route("/certificates/<int:certificate_id>")
@producer_required
@no_store
def certificates_view(certificate_id: int):
    certificate = own_or_404(Certificate, certificate_id)
    return render_template(
        "portal/certificates/view.html",
        certificate=certificate,
        days=review.days_left(certificate, clock.today()),
        status_labels=review.STATUS_LABELS,
        issuer_labels=review.ISSUER_LABELS,
        locale=str(get_locale()),
    )


@bp.route("/certificates/<int:certificate_id>/scan")
@producer_required
def certificates_scan(certificate_id: int):
    return review.send_scan(own_or_404(Certificate, certificate_id))
