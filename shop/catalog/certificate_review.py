"""Certificates a producer submits with the scanned decision, an admin verifies or rejects, and
the reminders mailed before a verified one lapses. The OCOP rules themselves (star levels,
issuers by date, 36 months) are in shop.catalog.certificates. Nothing here commits."""

from __future__ import annotations

import io
import os
import secrets
import warnings
from dataclasses import dataclass
from datetime import date

from flask import current_app, send_file
from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError
from sqlalchemy import case, select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.security import safe_join

from shop import audit, clock
from shop.accounts.models import ProducerMember, User
from shop.catalog.certificates import STAR_SCORES, add_certificate, default_valid_until, refresh_rating
from shop.catalog.models import Certificate, CertificateReminder, Product
from shop.errors import ConflictError, NotFound, ValidationError
from shop.extensions import db
from shop.mail.services import queue_mail

MAX_SCAN_BYTES = 10 * 1024 * 1024
# A scanned page at 600 dpi is about 35 megapixels; more is a decompression bomb, not a scan.
MAX_SCAN_PIXELS = 50_000_000
# What a scan may be, by what its bytes are (never by its name): (content type, extension).
PDF = ("application/pdf", "pdf")
IMAGE_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
CONTENT_TYPES = {ext: kind for kind, ext in (PDF, *IMAGE_FORMATS.values())}
# Mailed this many days before a verified certificate lapses; the dashboard warns from the first.
REMINDER_DAYS = (60, 14)
WARN_DAYS = max(REMINDER_DAYS)
REVIEW_LIST_LIMIT = 200

STATUS_LABELS = {
    "pending": _l("Awaiting review"),
    "verified": _l("Verified"),
    "rejected": _l("Rejected"),
}
ISSUER_LABELS = {
    "district": _l("District People's Committee"),
    "province": _l("Province or city People's Committee"),
    "central": _l("Central level"),
}
# What the audit log keeps of a certificate.
AUDIT_FIELDS = (
    "product_id",
    "star_level",
    "potential_five_star",
    "score",
    "decision_number",
    "decision_date",
    "issuing_body",
    "issuer_level",
    "valid_until",
    "verification_status",
    "rejection_reason",
    "document_path",
)


@dataclass(frozen=True)
class Scan:
    """A scanned decision that passed the checks: its bytes and what they are."""

    data: bytes
    content_type: str
    extension: str


def read_scan(stream) -> Scan:
    """Read an uploaded scan and say what it is by its content: a PDF (it starts with `%PDF-`) or
    a JPEG, PNG or WebP image Pillow can read, at most MAX_SCAN_BYTES and MAX_SCAN_PIXELS.
    Raises ValidationError (field "scan")."""
    data = stream.read(MAX_SCAN_BYTES + 1) if stream is not None else b""
    if not data:
        raise ValidationError(_l("Choose the scanned decision (PDF or image)."), field="scan")
    if len(data) > MAX_SCAN_BYTES:
        raise ValidationError(
            _l("The scan is larger than %(mb)d MB.", mb=MAX_SCAN_BYTES // (1024 * 1024)), field="scan"
        )
    if data.startswith(b"%PDF-"):
        return Scan(data, *PDF)
    too_large = ValidationError(_l("The scan's image is too large."), field="scan")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind = IMAGE_FORMATS.get(image.format or "")
                if kind is not None and image.width * image.height > MAX_SCAN_PIXELS:
                    raise too_large
                image.verify()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise too_large from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        kind = None
    if kind is None:
        raise ValidationError(_l("The scan must be a PDF file or a JPEG, PNG or WebP image."), field="scan")
    return Scan(data, *kind)


def scan_folder() -> str:
    """Where scans are kept: private, in the instance folder (never under static/)."""
    return current_app.config.get("CERTIFICATE_SCAN_DIR") or os.path.join(current_app.instance_path, "certificates")


def _store_scan(producer_id: int, scan: Scan) -> str:
    """Write the scan under a random name; returns its path relative to scan_folder()."""
    relative = f"{producer_id}/{secrets.token_hex(16)}.{scan.extension}"
    path = os.path.join(scan_folder(), relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "xb") as fh:
        fh.write(scan.data)
    return relative


def scan_is_image(certificate: Certificate) -> bool:
    """Whether the scan is an image (shown in the page) rather than a PDF (opened beside it)."""
    path = certificate.document_path or ""
    return CONTENT_TYPES.get(path.rsplit(".", 1)[-1], "").startswith("image/")


def send_scan(certificate: Certificate):
    """The response that shows a certificate's scan in the browser, for a view that has
    already checked who may see it. Raises NotFound when it has none."""
    path = safe_join(scan_folder(), certificate.document_path) if certificate.document_path else None
    if not path or not os.path.isfile(path):
        raise NotFound()
    extension = path.rsplit(".", 1)[-1]
    response = send_file(
        path,
        mimetype=CONTENT_TYPES.get(extension, "application/octet-stream"),
        download_name=f"certificate-{certificate.id}.{extension}",
        as_attachment=False,
        max_age=0,
    )
    response.headers["Content-Disposition"] = f'inline; filename="certificate-{certificate.id}.{extension}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- Submitting -----------------------------------------------------------------------------


def submit_certificate(
    producer,
    product_id: int,
    *,
    actor: User,
    star_level: int,
    decision_number: str,
    decision_date: date,
    issuing_body: str,
    issuer_level: str,
    scan: Scan,
    valid_until: date | None = None,
    score: int | None = None,
    potential_five_star: bool = False,
) -> Certificate:
    """A producer submits the rating decision of one of its products, with the scan, for an
    admin to verify (its stars show only then). Valid 36 months from the decision unless told.
    Raises NotFound for another producer's product, ValidationError for a rule broken."""
    product = db.session.get(Product, product_id)
    if product is None or product.producer_id != producer.id:
        raise NotFound()
    today = clock.today()
    decision_number, issuing_body = (decision_number or "").strip(), (issuing_body or "").strip()
    if star_level not in STAR_SCORES:
        raise ValidationError(_l("Only 3, 4 and 5 stars are certified."), field="star_level")
    if not decision_number:
        raise ValidationError(_l("Enter the decision's number."), field="decision_number")
    if not issuing_body:
        raise ValidationError(_l("Enter who issued the decision."), field="issuing_body")
    if decision_date > today:
        raise ValidationError(_l("The decision date cannot be in the future."), field="decision_date")
    until = valid_until or default_valid_until(decision_date)
    if decision_date < until < today:
        raise ValidationError(_l("This certificate has already lapsed."), field="valid_until")
    if any(c.verification_status == "pending" for c in product.certificates):
        raise ValidationError(
            _l("A certificate of this product is awaiting review. Wait for it before sending another."),
            field="product_id",
        )
    if any(
        c.decision_number.casefold() == decision_number.casefold() and c.verification_status == "verified"
        for c in product.certificates
    ):
        raise ValidationError(_l("This decision is already verified for this product."), field="decision_number")
    certificate = add_certificate(
        product,
        star_level=star_level,
        score=score,
        decision_number=decision_number,
        decision_date=decision_date,
        issuing_body=issuing_body,
        issuer_level=issuer_level,
        valid_until=until,
        potential_five_star=potential_five_star,
        verification_status="pending",
        today=today,
    )
    certificate.document_path = _store_scan(producer.id, scan)
    db.session.flush()
    audit.record(
        "certificate.submit",
        "certificate",
        certificate.id,
        actor=actor,
        role="producer",
        producer_id=producer.id,
        after=audit.snapshot(certificate, AUDIT_FIELDS),
    )
    return certificate


# --- Reviewing ------------------------------------------------------------------------------


def verify_certificate(certificate: Certificate, *, actor: User) -> Certificate:
    """An admin has checked the scan: the certificate counts, and the product shows its stars.
    Mails the producer's owners. Raises ConflictError unless it awaits review."""
    if certificate.verification_status != "pending":
        raise ConflictError(_l("Only a certificate awaiting review can be verified."))
    return _decide(certificate, actor=actor, status="verified", reason=None, template="certificate_verified")


def reject_certificate(certificate: Certificate, *, actor: User, reason: str) -> Certificate:
    """An admin refuses a certificate (awaiting review, or verified and found wrong), with the
    reason the producer reads; the product no longer shows its stars. Mails the owners.
    Raises ValidationError without a reason, ConflictError for one already rejected."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_l("Say why the certificate is rejected."), field="reason")
    if len(reason) > 500:
        raise ValidationError(_l("Keep the reason under 500 characters."), field="reason")
    if certificate.verification_status == "rejected":
        raise ConflictError(_l("This certificate is already rejected."))
    return _decide(certificate, actor=actor, status="rejected", reason=reason, template="certificate_rejected")


def _decide(certificate: Certificate, *, actor: User, status: str, reason: str | None, template: str):
    before = audit.snapshot(certificate, AUDIT_FIELDS)
    certificate.verification_status = status
    certificate.rejection_reason = reason
    certificate.reviewed_at = clock.now()
    db.session.flush()
    # The catalog's star columns on the product (listings filter and sort by them).
    refresh_rating(certificate.product, clock.today())
    db.session.flush()
    audit.record(
        f"certificate.{'verify' if status == 'verified' else 'reject'}",
        "certificate",
        certificate.id,
        actor=actor,
        role="admin",
        producer_id=certificate.producer_id,
        before=before,
        after=audit.snapshot(certificate, AUDIT_FIELDS),
    )
    _mail_owners(certificate.producer_id, template, certificate=certificate, issuer_labels=ISSUER_LABELS)
    return certificate


def _owners(producer_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(ProducerMember, ProducerMember.user_id == User.id)
            .where(ProducerMember.producer_id == producer_id, ProducerMember.role == "owner", User.active)
            .order_by(User.id)
        )
    )


def _mail_owners(producer_id: int, template: str, **context) -> int:
    """Queue templates/mail/<template> to each owner of the producer, in the owner's language."""
    owners = _owners(producer_id)
    for user in owners:
        queue_mail(to=user.email, template=template, locale=user.locale or "vi", user=user, **context)
    return len(owners)


# --- Reading --------------------------------------------------------------------------------


def days_left(certificate: Certificate, today: date) -> int:
    """Days from `today` to the last day the certificate is valid (negative once lapsed)."""
    return (certificate.valid_until - today).days


def producer_products(producer_id: int) -> list[Product]:
    """The producer's products (not archived) with their certificates, by name."""
    return list(
        db.session.scalars(
            select(Product)
            .where(Product.producer_id == producer_id, Product.status != "archived")
            .options(selectinload(Product.certificates))
            .order_by(Product.name_vi, Product.id)
        )
    )


def certificates_by_product(producer_id: int) -> list[tuple[Product, list[Certificate]]]:
    """Each of the producer's products with its certificates, the newest submitted first."""
    return [(p, sorted(p.certificates, key=lambda c: c.id, reverse=True)) for p in producer_products(producer_id)]


def for_review(status: str | None = None) -> list[Certificate]:
    """Certificates for the admin's list: those awaiting review first (the oldest first), then
    the others, the newest first; only `status` if given."""
    query = (
        select(Certificate)
        .options(joinedload(Certificate.product), joinedload(Certificate.producer))
        .order_by(
            (Certificate.verification_status != "pending"),
            case((Certificate.verification_status == "pending", Certificate.id), else_=-Certificate.id),
        )
        .limit(REVIEW_LIST_LIMIT)
    )
    if status:
        query = query.where(Certificate.verification_status == status)
    return list(db.session.scalars(query))


def _latest_verified(certificates) -> list[Certificate]:
    """Per product, the verified certificate that lasts longest: the one whose lapse matters
    (an older one that a renewal replaced does not)."""
    latest: dict[int, Certificate] = {}
    for c in certificates:
        if c.verification_status != "verified":
            continue
        kept = latest.get(c.product_id)
        if kept is None or (c.valid_until, c.id) > (kept.valid_until, kept.id):
            latest[c.product_id] = c
    return list(latest.values())


def lapsing_certificates(producer_id: int, today: date) -> list[tuple[Certificate, int]]:
    """For the dashboard's banner: the producer's certificates (one per product, the latest
    verified) that lapse within WARN_DAYS or have lapsed, with the days left, soonest first.
    A product that has a newer certificate awaiting review is still listed (until verified)."""
    certificates = db.session.scalars(
        select(Certificate)
        .join(Certificate.product)
        .options(joinedload(Certificate.product))
        .where(
            Certificate.producer_id == producer_id,
            Certificate.verification_status == "verified",
            Product.status != "archived",
        )
    ).all()
    shown = [(c, days_left(c, today)) for c in _latest_verified(certificates)]
    return sorted(((c, n) for c, n in shown if n <= WARN_DAYS), key=lambda item: (item[1], item[0].id))


def reminder_due(days: int) -> int | None:
    """The reminder a certificate `days` from lapsing should have had: the nearest lead time not
    before it (10 days left: the 14-day one, never the 60-day one as well), or None."""
    due = [lead for lead in REMINDER_DAYS if 0 <= days <= lead]
    return min(due) if due else None


def send_certificate_reminders(today: date | None = None) -> int:
    """Mail each producer's owners WARN_DAYS and 14 days before a verified certificate lapses
    (run daily: `flask shop certificate-reminders`). Each lead time goes once per certificate
    (CertificateReminder), so running it twice mails nothing twice, and a run missed for a few
    days sends only the reminder now due. Returns how many certificates were reminded."""
    today = today or clock.today()
    candidates = db.session.scalars(
        select(Certificate)
        .join(Certificate.product)
        .options(joinedload(Certificate.product))
        .where(
            Certificate.verification_status == "verified",
            Certificate.valid_until >= today,
            Product.status != "archived",
        )
    ).all()
    # A renewal that lasts longer makes the older certificate's lapse no news.
    product_ids = {c.product_id for c in candidates}
    all_verified = db.session.scalars(
        select(Certificate).where(
            Certificate.product_id.in_(product_ids), Certificate.verification_status == "verified"
        )
    ).all()
    latest_ids = {c.id for c in _latest_verified(all_verified)}
    sent = set(
        db.session.execute(
            select(CertificateReminder.certificate_id, CertificateReminder.days_before).where(
                CertificateReminder.certificate_id.in_([c.id for c in candidates])
            )
        ).all()
    )
    due: dict[int, list[tuple[Certificate, int]]] = {}
    for certificate in sorted(candidates, key=lambda c: (c.valid_until, c.id)):
        left = days_left(certificate, today)
        lead = reminder_due(left)
        if certificate.id not in latest_ids or lead is None or (certificate.id, lead) in sent:
            continue
        db.session.add(CertificateReminder(certificate_id=certificate.id, days_before=lead, sent_at=clock.now()))
        due.setdefault(certificate.producer_id, []).append((certificate, left))
    db.session.flush()
    # One message per owner and run, however many of the producer's certificates are due.
    for producer_id, items in sorted(due.items()):
        _mail_owners(producer_id, "certificate_reminder", items=items)
    return sum(len(items) for items in due.values())
