"""Every way to pay the shop knows, and the ones it offers.

`PAYMENT_METHODS` (a setting: codes separated by commas, in the order the checkout lists them)
chooses which of the known methods are offered; a method whose own settings are missing (no
Stripe key, no VietQR account) is left out. Orders keep the code of the method they were placed
with; `method_of` finds it again even when it is no longer offered, so an old card order can
still be refunded.

A new way to pay is a PaymentMethod subclass in shop/payments/methods/ (and its template
fragments), registered here: nothing else changes.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l

from shop.errors import ValidationError
from shop.payments.methods.base import MAX_CODE_LENGTH, PaymentMethod, PaymentOption, Purchase
from shop.payments.methods.cod import CashOnDelivery
from shop.payments.methods.invoice import OnAccount
from shop.payments.methods.stripe import StripeCard
from shop.payments.methods.vietqr import VietQRTransfer

_known: dict[str, PaymentMethod] = {}


def register(method: PaymentMethod) -> PaymentMethod:
    """Make `method` known under its code (offered once PAYMENT_METHODS names it)."""
    if not method.code or len(method.code) > MAX_CODE_LENGTH or method.code != method.code.strip().lower():
        raise ValueError(f"a payment method's code is 1–{MAX_CODE_LENGTH} lower-case characters, got {method.code!r}")
    _known[method.code] = method
    return method


def unregister(code: str) -> None:
    _known.pop(code, None)


for _builtin in (CashOnDelivery(), VietQRTransfer(), StripeCard(), OnAccount()):
    register(_builtin)


class UnknownMethod(PaymentMethod):
    """An order's method that this code no longer knows: named by its code, refunded by hand."""

    def __init__(self, code: str):
        self.code = code
        self.label = code


def method_of(order_or_code) -> PaymentMethod:
    """The method an order (or anything with a `payment_method`, or a code) was placed with."""
    code = order_or_code if isinstance(order_or_code, str) else order_or_code.payment_method
    return _known.get(code) or UnknownMethod(code)


def configured_codes(config=None) -> list[str]:
    """The codes PAYMENT_METHODS lists, in its order."""
    config = current_app.config if config is None else config
    raw = config.get("PAYMENT_METHODS") or ""
    return [code.strip() for code in raw.split(",") if code.strip()]


def enabled(config=None) -> list[PaymentMethod]:
    """The methods offered, in the configured order: known, listed, and set up."""
    config = current_app.config if config is None else config
    methods = [_known.get(code) for code in dict.fromkeys(configured_codes(config))]
    return [
        method
        for method in methods
        if method is not None and method.is_configured(config) and not method.for_partners_on_terms
    ]


def is_enabled(code: str) -> bool:
    return any(method.code == code for method in enabled())


def options(purchase: Purchase, methods: list[str] | None = None) -> list[PaymentOption]:
    """Each offered method (or each of the codes `methods`), with why an order like `purchase`
    may not use it."""
    chosen = enabled() if methods is None else [method_of(code) for code in methods]
    return [PaymentOption(method, method.unavailable_reason(purchase)) for method in chosen]


def partner_options(purchase: Purchase) -> list[PaymentOption]:
    """The ways a restaurant partner may pay: on account when it has payment terms; otherwise
    (prepaid) each offered method that takes the money before delivery (a transfer, a card),
    as shoppers pay."""
    if purchase.on_terms:
        return [PaymentOption(method, None) for method in _known.values() if method.for_partners_on_terms]
    prepaid = [m for m in enabled() if not m.confirmed_at_once and not m.for_partners_on_terms]
    return [PaymentOption(method, method.unavailable_reason(purchase)) for method in prepaid]


def check_partner_method(code: str | None, purchase: Purchase) -> PaymentMethod:
    """The way a partner chose to pay, if it may pay so (the one way, on terms). Raises
    ValidationError on the payment field."""
    available = [option for option in partner_options(purchase) if option.available]
    if purchase.on_terms and available:
        return available[0].method
    method = next((option.method for option in available if option.code == code), None)
    if method is None:
        raise ValidationError(_l("Choose one of the payment methods offered."), field="payment_method")
    return method


def check_available(code: str, purchase: Purchase) -> PaymentMethod:
    """The offered method `code`, if an order like `purchase` may use it. Raises
    ValidationError on the payment field, with the method's reason when it has one."""
    method = next((m for m in enabled() if m.code == code), None)
    if method is None:
        raise ValidationError(_l("Choose one of the payment methods offered."), field="payment_method")
    reason = method.unavailable_reason(purchase)
    if reason is not None:
        raise ValidationError(reason, field="payment_method")
    return method
