"""The three ways to pay behind one small interface, and Stripe's webhooks.

Each provider says whether this shop is configured for it, what to do right after an order is
placed (`start`: a URL to send the shopper to, or None to show the order page) and how money goes
back (`refund`: True when it went back through the provider, False when staff must send it by
hand). Nothing here commits; Stripe is never called while an order's transaction is open —
callers commit first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import stripe
from flask import current_app
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shop.errors import ShopError
from shop.extensions import db
from shop.models_base import utcnow
from shop.orders import services as orders
from shop.orders.models import Order
from shop.payments import vietqr
from shop.payments.models import PaymentEvent

# Stripe will not host a Checkout Session for less than this.
STRIPE_MIN_SESSION = timedelta(minutes=31)


class PaymentUnavailable(ShopError):
    status = 503
    code = "payment_unavailable"
    default_message = _l(
        "The card payment service did not answer. Your order is saved and holds your items: "
        "please try paying again in a moment."
    )


class RefundFailed(ShopError):
    status = 503
    code = "refund_failed"
    default_message = _l("The refund could not be made just now. Nothing was changed; please try again.")


# Cash on delivery and VietQR -------------------------------------------------------------------


@dataclass
class TransferDetails:
    bank_name: str
    bank_bin: str
    account_number: str
    account_name: str
    amount_vnd: int
    memo: str
    payload: str
    qr_svg: Markup


def transfer_details(order: Order) -> TransferDetails:
    """What the shopper needs to pay an order by bank transfer: the VietQR code and the same
    details as text. The memo is the order number, which is how staff match the transfer."""
    cfg = current_app.config
    payload = vietqr.payload(
        bank_bin=cfg["VIETQR_BANK_BIN"],
        account=cfg["VIETQR_ACCOUNT_NUMBER"],
        amount_vnd=order.total_vnd,
        memo=order.number,
    )
    title = str(_l("VietQR code to pay order %(number)s", number=order.number))
    return TransferDetails(
        bank_name=cfg["VIETQR_BANK_NAME"] or cfg["VIETQR_BANK_BIN"],
        bank_bin=cfg["VIETQR_BANK_BIN"],
        account_number=cfg["VIETQR_ACCOUNT_NUMBER"],
        account_name=cfg["VIETQR_ACCOUNT_NAME"],
        amount_vnd=order.total_vnd,
        memo=order.number,
        payload=payload,
        qr_svg=vietqr.qr_svg(payload, title=title),
    )


def record_transfer(order: Order, *, actor: int) -> bool:
    """Staff saw the transfer arrive in the bank account: the order is paid and confirmed."""
    if order.payment_method != "vietqr":
        raise ShopError(_l("Only bank-transfer orders can be marked as paid by hand."))
    return orders.mark_paid(order, actor=actor, note="bank transfer received")


# Stripe -------------------------------------------------------------------------------------


def stripe_client() -> stripe.StripeClient:
    cfg = current_app.config
    base = {"api": cfg["STRIPE_API_BASE"]} if cfg.get("STRIPE_API_BASE") else None
    return stripe.StripeClient(
        cfg["STRIPE_SECRET_KEY"],
        base_addresses=base,
        max_network_retries=cfg["STRIPE_MAX_NETWORK_RETRIES"],
    )


def start_stripe_checkout(order: Order, *, success_url: str, cancel_url: str) -> str:
    """The URL of a Stripe-hosted Checkout Session for this unpaid order. Reuses the order's open
    session; otherwise makes a new one with an idempotency key tied to the order and the attempt,
    so a retried request never makes two. Flushes the session id; the caller commits.
    Raises PaymentUnavailable when Stripe does not answer (the order stays as it is)."""
    if order.status != "pending_payment" or order.payment_method != "stripe":
        raise ShopError(_l("This order is not waiting for a card payment."))
    client = stripe_client()
    try:
        if order.stripe_session_id:
            session = client.v1.checkout.sessions.retrieve(order.stripe_session_id)
            if session.status == "open":
                return session.url
            if session.status == "complete":
                raise ShopError(_l("This order has already been paid."))
        order.payment_attempts += 1
        now = utcnow()
        expires_at = order.expires_at or now + STRIPE_MIN_SESSION
        if _aware(expires_at) - now < STRIPE_MIN_SESSION:
            # Stripe needs at least 30 minutes; the order waits as long as the session does.
            expires_at = now + STRIPE_MIN_SESSION
            order.expires_at = expires_at
        session = client.v1.checkout.sessions.create(
            params={
                "mode": "payment",
                "line_items": [
                    {
                        "quantity": line.quantity,
                        "price_data": {
                            "currency": "vnd",
                            # VND has no minor unit: 125000 is 125.000 ₫.
                            "unit_amount": line.unit_price_vnd,
                            "product_data": {
                                "name": f"{line.product_name(order.locale)} — {line.variant_name(order.locale)}"
                            },
                        },
                    }
                    for line in order.lines
                ]
                + (
                    [
                        {
                            "quantity": 1,
                            "price_data": {
                                "currency": "vnd",
                                "unit_amount": order.shipping_vnd,
                                "product_data": {"name": str(orders.DELIVERY_LABELS[order.delivery_method])},
                            },
                        }
                    ]
                    if order.shipping_vnd
                    else []
                ),
                "success_url": success_url,
                "cancel_url": cancel_url,
                "client_reference_id": str(order.id),
                "customer_email": order.email,
                "metadata": {"order_number": order.number},
                "payment_intent_data": {"metadata": {"order_number": order.number}},
                "expires_at": int(_aware(expires_at).timestamp()),
                "locale": order.locale,
            },
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


def refund_stripe(order: Order) -> str:
    """Send a paid card order's money back through Stripe (the idempotency key makes a retried
    refund the same refund). Returns the refund id; raises RefundFailed."""
    try:
        refund = stripe_client().v1.refunds.create(
            params={"payment_intent": order.stripe_payment_intent, "metadata": {"order_number": order.number}},
            options={"idempotency_key": f"ocop-{order.checkout_token}-refund"},
        )
    except stripe.StripeError as exc:
        current_app.logger.warning("Stripe refund for %s failed: %s", order.number, exc)
        raise RefundFailed() from exc
    order.stripe_refund_id = refund.id
    return refund.id


def cancel_order(order: Order, *, actor: int | None, reason: str) -> None:
    """Cancel an unshipped order. A paid card order is refunded through Stripe first (if Stripe
    fails, nothing changes); a paid bank transfer is marked for staff to send back."""
    if not orders.can_cancel(order):
        raise orders.IllegalTransition(order, "cancelled")
    if order.payment_method == "stripe" and order.paid_at is not None:
        refund_stripe(order)
        orders.mark_refunded(order, actor=actor, note=reason)
        return
    orders.cancel(order, reason=reason, actor=actor)


def confirm_stripe_return(order: Order, session_id: str | None) -> bool:
    """The shopper came back from Stripe's page: ask Stripe (not the URL) whether it was paid, so
    the order page is right even before the webhook arrives. True if the order is now paid."""
    if order.paid_at is not None:
        return True
    if not session_id or session_id != order.stripe_session_id or order.status != "pending_payment":
        return False
    try:
        session = stripe_client().v1.checkout.sessions.retrieve(session_id)
    except stripe.StripeError:
        return False  # the webhook will tell us
    if session.payment_status == "paid":
        order.stripe_payment_intent = session.payment_intent
        return orders.mark_paid(order, note="stripe checkout (return page)")
    return False


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


def handle_stripe_event(event) -> str:
    """Apply one verified Stripe event. Returns what happened. The event's id is recorded in the
    same transaction, so a second delivery of it changes nothing; each handler also checks the
    order's state, so events arriving out of order change nothing that is already settled."""
    try:
        with db.session.begin_nested():
            record = PaymentEvent(provider="stripe", event_id=event.id, event_type=event.type, outcome="received")
            db.session.add(record)
    except IntegrityError:
        return "duplicate"
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
    return outcome


def _order_for(obj) -> Order | None:
    metadata = _get(obj, "metadata") or {}
    number = _get(metadata, "order_number")
    query = select(Order)
    if number:
        return db.session.scalar(query.where(Order.number == number))
    if _get(obj, "object") == "checkout.session":
        return db.session.scalar(query.where(Order.stripe_session_id == _get(obj, "id")))
    intent = _get(obj, "payment_intent")
    return db.session.scalar(query.where(Order.stripe_payment_intent == intent)) if intent else None


def _session_completed(order: Order, session) -> str:
    if _get(session, "payment_status") != "paid":
        return "not paid yet"
    if order.paid_at is not None:
        return "already paid"
    order.stripe_payment_intent = _get(session, "payment_intent")
    if order.status == "pending_payment":
        orders.mark_paid(order, note="stripe checkout.session.completed")
        return "paid"
    # Paid after the order expired and its stock went back: the money goes straight back too.
    order.paid_at = utcnow()
    refund_stripe(order)
    orders.mark_refunded(order, note="paid after expiry")
    return "refunded late payment"


def _session_expired(order: Order, session) -> str:
    if order.status != "pending_payment":
        return "already settled"
    if order.stripe_session_id and order.stripe_session_id != _get(session, "id"):
        return "older session"  # the shopper is paying with a newer one
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
    orders.mark_refunded(order, note="refunded in Stripe")
    return "refunded"


def _get(obj, key: str):
    try:
        return obj[key]
    except (KeyError, TypeError):
        return None


def _aware(moment: datetime) -> datetime:
    # SQLite returns naive datetimes for timezone-aware columns; they are stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
