"""Stripe, the card provider: hosted Checkout Sessions in VND, the shopper's return, signed
webhooks and refunds. Used by the card method (shop/payments/methods/stripe.py) and the webhook
and return views; nothing here commits, and Stripe is never called while an order's transaction
is open — callers commit first.

Money going back follows one rule: the order's state changes first (committed, with
`refund_status='due'`), then the refund is asked of Stripe with one idempotency key per order,
however often it is tried. A crash or a Stripe outage in between leaves a visible "refund due"
that `flask shop retry-refunds`, staff or Stripe's `charge.refunded` settle — once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import stripe
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shop.errors import ShopError
from shop.extensions import db
from shop.models_base import utcnow
from shop.money import format_vnd
from shop.orders import services as orders
from shop.orders.models import Order
from shop.payments.models import PaymentEvent

# Stripe will not host a Checkout Session for less than this.
MIN_SESSION = timedelta(minutes=31)
# Stripe takes amounts of at most 8 digits in the currency's smallest unit; VND has none smaller.
MAX_AMOUNT_VND = 99_999_999


class PaymentUnavailable(ShopError):
    status = 503
    code = "payment_unavailable"
    default_message = _l(
        "The card payment service did not answer. Your order is saved and holds your items: "
        "please try paying again in a moment."
    )


def client() -> stripe.StripeClient:
    cfg = current_app.config
    base = {"api": cfg["STRIPE_API_BASE"]} if cfg.get("STRIPE_API_BASE") else None
    return stripe.StripeClient(
        cfg["STRIPE_SECRET_KEY"],
        base_addresses=base,
        max_network_retries=cfg["STRIPE_MAX_NETWORK_RETRIES"],
    )


# Paying ---------------------------------------------------------------------------------------


def start_checkout(order: Order, *, success_url: str, cancel_url: str) -> str:
    """The URL of a Stripe-hosted Checkout Session for this unpaid order. Reuses the order's open
    session; otherwise makes a new one with an idempotency key tied to the order and the attempt,
    so a retried request never makes two. Flushes the session id; the caller commits.
    Raises PaymentUnavailable when Stripe does not answer (the order stays as it is)."""
    if order.status != "pending_payment":
        raise ShopError(_l("This order is not waiting for a card payment."))
    stripe_client = client()
    try:
        if order.stripe_session_id:
            session = stripe_client.v1.checkout.sessions.retrieve(order.stripe_session_id)
            if session.status == "open":
                return session.url
            if session.status == "complete":
                raise ShopError(_l("This order has already been paid."))
        order.payment_attempts += 1
        session = stripe_client.v1.checkout.sessions.create(
            params=_session_params(order, success_url=success_url, cancel_url=cancel_url),
            # The order's random checkout token, not its id: ids repeat across databases (staging,
            # a restored backup) that may share one Stripe account.
            options={"idempotency_key": f"ocop-{order.checkout_token}-checkout-{order.payment_attempts}"},
        )
    except stripe.StripeError as exc:
        current_app.logger.warning("Stripe checkout for %s failed: %s", order.number, exc)
        raise PaymentUnavailable() from exc
    order.stripe_session_id = session.id
    db.session.flush()
    return session.url


def _session_params(order: Order, *, success_url: str, cancel_url: str) -> dict:
    return {
        "mode": "payment",
        "line_items": _line_items(order),
        "success_url": success_url,
        "cancel_url": cancel_url,
        "client_reference_id": str(order.id),
        "customer_email": order.email,
        "metadata": {"order_number": order.number},
        "payment_intent_data": {"metadata": {"order_number": order.number}},
        "expires_at": int(_session_deadline(order).timestamp()),
        "locale": order.locale,
    }


def _line_items(order: Order) -> list[dict]:
    """The order's lines and its shipping, at the prices copied onto the order."""

    def item(name: str, unit_amount: int, quantity: int) -> dict:
        # VND has no minor unit: 125000 is 125.000 ₫.
        return {
            "quantity": quantity,
            "price_data": {"currency": "vnd", "unit_amount": unit_amount, "product_data": {"name": name}},
        }

    locale = order.locale
    items = [
        item(f"{line.product_name(locale)} — {line.variant_name(locale)}", line.unit_price_vnd, line.quantity)
        for line in order.lines
    ]
    if order.shipping_vnd:
        items.append(item(str(orders.DELIVERY_LABELS[order.delivery_method]), order.shipping_vnd, 1))
    return items


def _session_deadline(order: Order) -> datetime:
    """When the new session expires: when the order stops holding its stock, but not sooner than
    Stripe allows — then the order waits as long as the session does."""
    now = utcnow()
    deadline = _aware(order.expires_at) if order.expires_at else now + MIN_SESSION
    if deadline - now < MIN_SESSION:
        deadline = now + MIN_SESSION
        order.expires_at = deadline
    return deadline


# Refunds ----------------------------------------------------------------------------------------


def send_refund(order: Order) -> bool:
    """Ask Stripe to refund a card order that is "refund due". Call it with nothing uncommitted:
    if Stripe fails or times out the order simply stays due. Every try uses the same idempotency
    key, so a retry after a lost answer is the same refund, never a second one. True when the
    money went back (the order is now refunded and the shopper mailed; the caller commits),
    False when it is still due. Raises ConflictError if another process settled it meanwhile."""
    if not order.refund_due:
        return False
    try:
        refund = client().v1.refunds.create(
            params={"payment_intent": order.stripe_payment_intent, "metadata": {"order_number": order.number}},
            options={"idempotency_key": f"ocop-{order.checkout_token}-refund"},
        )
        refund_id = refund.id
    except stripe.InvalidRequestError as exc:
        if exc.code != "charge_already_refunded":
            current_app.logger.warning("Stripe refund for %s refused: %s", order.number, exc)
            return False
        # An earlier try went through but its answer was lost, and its idempotency key has
        # expired since (Stripe keeps them 24 hours): the money is back all the same.
        refund_id = None
    except stripe.StripeError as exc:
        current_app.logger.warning("Stripe refund for %s failed, still due: %s", order.number, exc)
        return False
    order.stripe_refund_id = refund_id or order.stripe_refund_id
    orders.mark_refunded(order, note="refunded through Stripe", notify=True)
    return True


def send_partial_refund(order: Order, *, amount_vnd: int, idempotency_key: str) -> bool:
    """Ask Stripe to refund `amount_vnd` of a paid card order (a producer cancelled its part).
    Call it with nothing uncommitted; the same key on every try makes a retry the same refund.
    True when Stripe took it; False (logged) when it did not, and the refund stays due."""
    if not order.stripe_payment_intent or amount_vnd <= 0:
        return False
    try:
        client().v1.refunds.create(
            params={
                "payment_intent": order.stripe_payment_intent,
                "amount": amount_vnd,
                "metadata": {"order_number": order.number},
            },
            options={"idempotency_key": idempotency_key},
        )
    except stripe.StripeError as exc:
        current_app.logger.warning("Stripe partial refund for %s failed, still due: %s", order.number, exc)
        return False
    return True


# The shopper's return and webhooks -------------------------------------------------------------


def amount_problem(order: Order, session) -> str | None:
    """Why a paid Checkout Session does not pay this order (another amount or currency), in words
    for staff; None when it is exactly the order's total in VND."""
    amount = _get(session, "amount_total")
    currency = str(_get(session, "currency") or "").lower()
    if currency == "vnd" and amount == order.total_vnd:
        return None
    if currency == "vnd" and isinstance(amount, int) and not isinstance(amount, bool):
        reported = f"{format_vnd(amount)} VND"
    else:
        reported = f"{amount} {currency.upper() or '(no currency)'}"
    return f"Stripe reported {reported}, expected {format_vnd(order.total_vnd)}"[:200]


def confirm_return(order: Order, session_id: str | None) -> str:
    """The shopper came back from Stripe's page: ask Stripe (not the URL) whether it was paid, so
    the order page is right even before the webhook arrives. The session must be the one stored
    for this order and pay exactly its total. Returns "paid" (the order is paid), "review" (paid
    another amount: the order is marked for staff, not paid) or "waiting" (nothing changed)."""
    if order.paid_at is not None:
        return "paid"
    if not session_id or session_id != order.stripe_session_id or order.status != "pending_payment":
        return "waiting"
    try:
        session = client().v1.checkout.sessions.retrieve(session_id)
    except stripe.StripeError:
        return "waiting"  # the webhook will tell us
    if session.payment_status != "paid":
        return "waiting"
    problem = amount_problem(order, session)
    if problem:
        _hold_for_review(order, session, problem)
        return "review"
    order.stripe_payment_intent = session.payment_intent
    orders.mark_paid(order, note="stripe checkout (return page)")
    return "paid"


def _hold_for_review(order: Order, session, problem: str) -> None:
    order.review_reason = problem
    # Kept so that staff find the payment in Stripe, and its refund matches this order.
    order.stripe_payment_intent = order.stripe_payment_intent or _get(session, "payment_intent")
    db.session.flush()


class BadWebhook(ShopError):
    code = "bad_webhook"
    default_message = _l("The webhook could not be verified.")


def verify_webhook(payload: bytes, signature: str | None):
    secret = current_app.config["STRIPE_WEBHOOK_SECRET"]
    if not secret or not signature:
        raise BadWebhook()
    try:
        return stripe.Webhook.construct_event(payload, signature, secret)
    except (ValueError, stripe.SignatureVerificationError) as exc:
        raise BadWebhook() from exc


@dataclass
class HandledEvent:
    outcome: str
    order: Order | None = None


def handle_event(event) -> HandledEvent:
    """Apply one verified Stripe event: what happened, and to which order. The event's id is
    recorded in the same transaction, so a second delivery of it changes nothing; each handler
    also checks the order's state, so events arriving out of order change nothing that is already
    settled. A payment that arrived too late leaves the order "refund due" (outcome "late
    payment"): the caller commits, then settles the refund (shop/payments/refunds.py)."""
    try:
        with db.session.begin_nested():
            record = PaymentEvent(provider="stripe", event_id=event.id, event_type=event.type, outcome="received")
            db.session.add(record)
    except IntegrityError:
        return HandledEvent("duplicate")
    obj = event.data.object
    handler = {
        "checkout.session.completed": _session_completed,
        "checkout.session.async_payment_succeeded": _session_completed,
        "checkout.session.expired": _session_expired,
        "charge.refunded": _charge_refunded,
    }.get(event.type)
    order = _order_for(obj)
    outcome = handler(order, obj) if handler and order else ("ignored" if handler is None else "unknown order")
    record.order_id = order.id if order else None
    record.outcome = outcome
    db.session.flush()
    return HandledEvent(outcome, order)


def _order_for(obj) -> Order | None:
    """The order an event is about, by what this shop stored when it made the Checkout Session
    (its id) or was paid (the payment intent) — never by metadata, which anyone who can make a
    session on the same Stripe account can set."""
    kind = _get(obj, "object")
    if kind == "checkout.session":
        column, value = Order.stripe_session_id, _get(obj, "id")
    elif kind == "charge":
        column, value = Order.stripe_payment_intent, _get(obj, "payment_intent")
    else:
        return None
    if not isinstance(value, str) or not value:
        return None
    return db.session.scalar(select(Order).where(column == value))


def _session_completed(order: Order, session) -> str:
    if _get(session, "payment_status") != "paid":
        return "not paid yet"
    if order.paid_at is not None:
        return "already paid"
    problem = amount_problem(order, session)
    if problem:
        _hold_for_review(order, session, problem)
        return "amount mismatch"
    order.stripe_payment_intent = _get(session, "payment_intent")
    if order.status == "pending_payment":
        orders.mark_paid(order, note="stripe checkout.session.completed")
        return "paid"
    # Paid after the order expired and its stock went back: the money goes straight back too,
    # once this is committed.
    order.paid_at = utcnow()
    order.refund_status = "due"
    db.session.flush()
    return "late payment"


def _session_expired(order: Order, session) -> str:
    if order.status != "pending_payment":
        return "already settled"
    # Only the order's current session can get here (events are matched by the stored id): an
    # older session's expiry is an "unknown order" and leaves the newer one be.
    orders.cancel(order, reason="expired")
    return "expired"


def _charge_refunded(order: Order, charge) -> str:
    if order.status == "refunded":
        return "already refunded"
    if not _get(charge, "refunded"):
        return "partial refund"  # staff decide by hand
    if order.status in ("pending_payment", "shipped", "delivered"):
        return "not refundable here"
    if order.status == "cancelled" and order.paid_at is None:
        return "nothing paid"
    # A due refund that went through although its answer never reached us (or that staff made
    # in Stripe's dashboard): its cancellation mail was waiting for it.
    orders.mark_refunded(order, note="refunded in Stripe", notify=order.refund_due)
    return "refunded"


def _get(obj, key: str):
    try:
        return obj[key]
    except (KeyError, TypeError):
        return None


def _aware(moment: datetime) -> datetime:
    # SQLite returns naive datetimes for timezone-aware columns; they are stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
