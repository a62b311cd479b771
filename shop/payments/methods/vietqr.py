"""Bank transfer by VietQR: the order holds its stock until a deadline while the shopper scans
the code (or types the same details) in their banking app; staff confirm it when the money
reaches the shop's account, and send it back by hand if a paid order is cancelled.

Offered when VIETQR_BANK_BIN and VIETQR_ACCOUNT_NUMBER are set. The QR payload itself is built in
shop/payments/vietqr.py."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from shop.orders.models import Order
from shop.payments import vietqr
from shop.payments.methods.base import PaymentMethod


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


class VietQRTransfer(PaymentMethod):
    code = "vietqr"
    label = _l("Bank transfer (VietQR)")
    confirmed_by_staff = True

    @property
    def description(self) -> str:
        return str(
            _l(
                "Next you will see a VietQR code to pay by bank transfer. We hold your items for %(hours)s hours.",
                hours=self.hold_minutes(current_app.config) // 60,
            )
        )

    def is_configured(self, config) -> bool:
        return bool(config.get("VIETQR_BANK_BIN") and config.get("VIETQR_ACCOUNT_NUMBER"))

    def hold_minutes(self, config) -> int:
        return config["ORDER_EXPIRY_MINUTES_VIETQR"]

    def transfer_details(self, order: Order) -> TransferDetails:
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
