"""Queue mail inside a transaction; deliver it after the commit by SMTP or to instance/outbox/."""

from __future__ import annotations

import os
import smtplib
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app, g, has_app_context, render_template
from flask_babel import force_locale
from sqlalchemy import select

from shop.extensions import db
from shop.mail.models import OutboundMail
from shop.models_base import utcnow


def queue_mail(*, to: str, template: str, locale: str, **context) -> OutboundMail:
    """Render templates/mail/<template>.{txt,html} in `locale` and add the message to the outbox.

    The first line of the text template is the subject. Only flushes; the caller commits, then
    calls deliver_pending(). Raises nothing for a bad address: that is the form's job.
    """
    with force_locale(locale):
        text = render_template(f"mail/{template}.txt", **context)
        html = render_template(f"mail/{template}.html", **context)
    subject, _, body = text.partition("\n")
    mail = OutboundMail(to_addr=to, subject=subject.strip(), body_text=body.lstrip("\n"), body_html=html)
    db.session.add(mail)
    db.session.flush()
    if has_app_context():
        g.setdefault("queued_mail", []).append(mail.id)
    return mail


def deliver_queued() -> tuple[int, int]:
    """After the commit: send what this request (or command) queued. A rolled-back message is
    simply not found."""
    ids = g.pop("queued_mail", []) if has_app_context() else []
    return deliver_pending(ids)


def deliver_pending(ids: list[int] | None = None, *, max_attempts: int | None = None) -> tuple[int, int]:
    """Try to send pending mail (only `ids` if given). Commits each message's new state on its own.

    Returns (sent, failed). A failing server leaves the message pending for `flask shop
    send-pending-mail`; it never raises, because the user's action has already been committed.
    """
    query = select(OutboundMail).where(OutboundMail.status == "pending").order_by(OutboundMail.id)
    if ids is not None:
        if not ids:
            return 0, 0
        query = query.where(OutboundMail.id.in_(ids))
    if max_attempts is not None:
        query = query.where(OutboundMail.attempts < max_attempts)
    sent = failed = 0
    for mail in db.session.scalars(query).all():
        mail.attempts += 1
        try:
            _send(mail)
        except (OSError, smtplib.SMTPException) as exc:
            mail.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            failed += 1
            current_app.logger.warning("Mail %s to %s not sent: %s", mail.id, mail.to_addr, exc)
        else:
            mail.status = "sent"
            mail.sent_at = utcnow()
            mail.last_error = None
            sent += 1
        db.session.commit()
    return sent, failed


def _build_message(mail: OutboundMail) -> EmailMessage:
    cfg = current_app.config
    msg = EmailMessage()
    msg["Subject"] = mail.subject
    msg["From"] = cfg["MAIL_DEFAULT_SENDER"]
    msg["To"] = mail.to_addr
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="ocop.local")
    msg.set_content(mail.body_text)
    if mail.body_html:
        msg.add_alternative(mail.body_html, subtype="html")
    return msg


def _send(mail: OutboundMail) -> None:
    cfg = current_app.config
    msg = _build_message(mail)
    if not cfg["MAIL_SERVER"]:
        outbox = cfg["MAIL_OUTBOX_DIR"]
        os.makedirs(outbox, exist_ok=True)
        name = f"{utcnow():%Y%m%d-%H%M%S}-{mail.id}-{uuid.uuid4().hex[:8]}.eml"
        with open(os.path.join(outbox, name), "wb") as fh:
            fh.write(msg.as_bytes())
        return
    smtp_cls = smtplib.SMTP_SSL if cfg["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_cls(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=cfg["MAIL_TIMEOUT"]) as smtp:
        if cfg["MAIL_USE_TLS"]:
            smtp.starttls()
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
        smtp.send_message(msg)
