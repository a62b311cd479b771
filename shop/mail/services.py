"""Queue mail inside a transaction; deliver it after the commit by SMTP or to instance/outbox/.

One mechanism, used everywhere: `queue_mail` writes the message in the caller's transaction and
asks `after_commit` to deliver it. When that transaction commits, the delivery is kept for the end
of the request or command (the app context's teardown); when it (or the savepoint it was queued
in) rolls back, the delivery is dropped with it. Views and commands only commit. Delivery never
runs inside a transaction, so a slow SMTP server holds no locks, and a message that could not be
sent stays pending for `flask shop send-pending-mail`.
"""

from __future__ import annotations

import os
import smtplib
import uuid
from collections.abc import Callable
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import Flask, current_app, g, has_app_context, render_template
from flask_babel import force_locale
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, SessionTransaction

from shop.extensions import db
from shop.mail.content import OrderForMail, name_for_mail
from shop.mail.models import OutboundMail
from shop.models_base import utcnow
from shop.text import fold_email

# session.info key: work registered in a transaction, as (transaction, callable) pairs.
_PENDING = "shop.after_commit"
# g key: work whose transaction committed, run at the end of the request or command.
_READY = "shop_after_commit"


def init_app(app: Flask) -> None:
    """Run committed work at the end of each app context (a request, a `flask shop` command).
    Registered after Flask-SQLAlchemy, so it runs before the session is removed."""
    app.teardown_appcontext(_run_at_teardown)


def after_commit(work: Callable[[], object]) -> None:
    """Run `work` once the current transaction has committed, at the end of the request or
    command; never if it rolls back (nor if the savepoint it was registered in does)."""
    session = db.session()
    transaction = session.get_nested_transaction() or session.get_transaction()
    if transaction is None:
        session.connection()  # begins the transaction the work belongs to
        transaction = session.get_transaction()
    session.info.setdefault(_PENDING, []).append((transaction, work))


@event.listens_for(db.session, "after_commit")
def _committed(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released: its work now waits for the outer commit
    work = [fn for _, fn in session.info.pop(_PENDING, [])]
    if work and has_app_context():
        g.setdefault(_READY, []).extend(work)


@event.listens_for(db.session, "after_soft_rollback")
def _rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    # after_soft_rollback (rather than after_rollback) names the transaction that ended, so a
    # savepoint's rollback drops only what was registered inside it.
    pending = session.info.get(_PENDING)
    if pending:
        session.info[_PENDING] = [(t, fn) for t, fn in pending if not _within(t, previous_transaction)]


@event.listens_for(db.session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None and not transaction.nested:
        session.info.pop(_PENDING, None)  # closed without a commit (session.close/remove)


def _within(transaction: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


def run_committed_work() -> None:
    """Run now what the transactions committed in this app context registered. Called at the
    end of every request and command; a command may call it earlier (e.g. between batches)."""
    if not has_app_context() or not g.get(_READY):
        return
    if db.session().in_transaction():
        # Whatever was left uncommitted is being thrown away (the session is removed next); it
        # must not be committed by the deliveries below.
        db.session.rollback()
    while work := g.pop(_READY, []):
        for fn in work:
            try:
                fn()
            except Exception:  # the action is committed: log, never fail the response
                current_app.logger.exception("Work after commit failed")
                db.session.rollback()


def _run_at_teardown(exc: BaseException | None) -> None:
    run_committed_work()


def mail_limit_reached(to: str) -> bool:
    """Whether `to` has had MAIL_LIMIT_PER_RECIPIENT_PER_HOUR messages queued in the last hour
    (this transaction's included). 0 turns the limit off."""
    limit = current_app.config.get("MAIL_LIMIT_PER_RECIPIENT_PER_HOUR", 10)
    if not limit:
        return False
    since = utcnow() - timedelta(hours=1)
    recent = db.session.scalar(
        select(func.count())
        .select_from(OutboundMail)
        .where(OutboundMail.to_addr == to, OutboundMail.created_at >= since)
    )
    return recent >= limit


def queue_mail(*, to: str, template: str, locale: str, **context) -> OutboundMail:
    """Render templates/mail/<template>.{txt,html} in `locale`, add the message to the outbox and
    deliver it after the commit. The first line of the text template is the subject.

    Every address is one the shop has not verified (anyone can type any address at checkout or
    sign-up), so what the templates are given is limited: an `order` is passed on as an
    `OrderForMail` (number, state, the lines as the shop names them, totals; the contact name
    clipped and stripped of links; no street, phone or note), and `mail_name(text)` does the same
    for any other name. At most MAIL_LIMIT_PER_RECIPIENT_PER_HOUR messages go to one address an
    hour: over it, or for an address that cannot be mailed, nothing is queued and the returned
    message has no `id`. Only flushes. Raises nothing: the action it reports goes on regardless.
    """
    to = fold_email(to)
    if "order" in context and context["order"] is not None:
        context["order"] = OrderForMail.of(context["order"])
    with force_locale(locale):
        text = render_template(f"mail/{template}.txt", mail_name=name_for_mail, **context)
        html = render_template(f"mail/{template}.html", mail_name=name_for_mail, **context)
    subject, _, body = text.partition("\n")
    mail = OutboundMail(to_addr=to, subject=subject.strip(), body_text=body.lstrip("\n"), body_html=html)
    if not to or any(ch in to for ch in "\r\n") or mail_limit_reached(to):
        current_app.logger.warning("Mail %r to %s not queued: no address or over the hourly limit", template, to)
        return mail
    db.session.add(mail)
    db.session.flush()
    mail_id = mail.id
    after_commit(lambda: deliver_pending([mail_id]))
    return mail


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
