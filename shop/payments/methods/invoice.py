"""On account: a restaurant partner with payment terms (due on delivery, net 7/15/30 days)
orders now and pays its invoice by bank transfer by the due date. The order is confirmed at
once; staff record the invoice's payment (shop/invoicing). Never offered to shoppers, nor to
prepaid partners, who pay at checkout like shoppers."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from shop.payments.methods.base import PaymentMethod, Purchase


class OnAccount(PaymentMethod):
    code = "invoice"
    label = _l("On account (pay the invoice by its due date)")
    confirmed_at_once = True
    for_partners_on_terms = True

    @property
    def description(self) -> str:
        return str(_l("The order is confirmed at once; its invoice is payable by bank transfer by the due date."))

    def unavailable_reason(self, purchase: Purchase):
        if not purchase.on_terms:
            return _l("Paying on account is for partners with payment terms.")
        return None
