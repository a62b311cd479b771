"""A partner's credit: what it owes on open invoices, which of them are overdue, and whether it
may order now. Ordering (shop/wholesale) asks `check_may_order` in the transaction that places
an order, so that an order over the limit or held by an overdue invoice is refused before
anything is reserved.

- Credit in use: the balances of the partner's open invoices (what it has not paid yet).
- Overdue: an open invoice past its due date (Vietnam's date), not one of a prepaid order (those
  are paid at checkout or expire with their order). Any overdue invoice holds new orders until
  it is paid, unless an admin lifted the hold until a day not yet past.
- On terms: unpaid balances plus this order may not go above the credit limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import format_date, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from shop.errors import ValidationError
from shop.extensions import db
from shop.invoicing.models import Invoice
from shop.money import format_vnd
from shop.partners.models import Partner


def credit_in_use_vnd(partner_id: int) -> int:
    """What the partner has not paid yet on its open invoices, in đồng."""
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(Invoice.total_vnd - Invoice.paid_vnd), 0)).where(
                Invoice.partner_id == partner_id, Invoice.status == "open"
            )
        )
    )


def overdue_invoices(partner_id: int, today: date) -> list[Invoice]:
    """The partner's open invoices due before `today` (Vietnam's date), oldest due first."""
    return list(
        db.session.scalars(
            select(Invoice)
            .where(
                Invoice.partner_id == partner_id,
                Invoice.status == "open",
                Invoice.due_on < today,
                Invoice.payment_terms != "prepaid",
            )
            .order_by(Invoice.due_on, Invoice.id)
        )
    )


def hold_lifted(partner: Partner, today: date) -> bool:
    """An admin let the partner order despite overdue invoices, until a day not yet past."""
    return partner.hold_lifted_until is not None and partner.hold_lifted_until >= today


def _lock(partner: Partner) -> None:
    # Two orders of one partner checked at once could each fit under the limit and together go
    # over it: the partner's row is locked (PostgreSQL) for the rest of the placing transaction.
    # SQLite has one writer at a time anyway and ignores FOR UPDATE.
    db.session.execute(select(Partner.id).where(Partner.id == partner.id).with_for_update())


def check_may_order(partner: Partner, amount_vnd: int, *, today: date, on_terms: bool) -> None:
    """Whether `partner` may place an order of `amount_vnd` đồng today: no overdue invoice
    (unless the hold is lifted) and, for an order on terms, unpaid invoices plus this order
    within the credit limit. Call it in the placing transaction (it locks the partner's row).
    Raises ValidationError saying which invoices are overdue, or by how much the order is over
    the limit."""
    _lock(partner)
    overdue = overdue_invoices(partner.id, today)
    if overdue and not hold_lifted(partner, today):
        listed = ", ".join(
            str(_l("%(number)s (due %(day)s)", number=i.number, day=format_date(i.due_on, "short"))) for i in overdue
        )
        raise ValidationError(
            ngettext(
                "Invoice %(invoices)s is overdue. Please pay it before ordering again, or ask us to lift the hold.",
                "Invoices %(invoices)s are overdue. Please pay them before ordering again, or ask us to lift the hold.",
                len(overdue),
                invoices=listed,
            )
        )
    if not on_terms:
        return
    in_use = credit_in_use_vnd(partner.id)
    over = in_use + amount_vnd - partner.credit_limit_vnd
    if over > 0:
        raise ValidationError(
            _l(
                "This order is over your credit limit by %(over)s (limit %(limit)s, unpaid invoices %(in_use)s, "
                "this order %(amount)s). Pay an open invoice or order less.",
                over=format_vnd(over),
                limit=format_vnd(partner.credit_limit_vnd),
                in_use=format_vnd(in_use),
                amount=format_vnd(amount_vnd),
            )
        )


@dataclass(frozen=True)
class CreditSummary:
    limit_vnd: int
    in_use_vnd: int
    overdue_count: int
    overdue_vnd: int
    on_terms: bool
    hold_lifted_until: date | None

    @property
    def available_vnd(self) -> int:
        """What the partner may still order on terms (never below zero)."""
        return max(self.limit_vnd - self.in_use_vnd, 0)

    @property
    def on_hold(self) -> bool:
        """Overdue invoices hold new orders (unless an admin lifted the hold)."""
        return self.overdue_count > 0 and self.hold_lifted_until is None


def credit_summary(partner: Partner, today: date) -> CreditSummary:
    """The partner's limit, what is in use, what is left and its overdue invoices, for display."""
    overdue = overdue_invoices(partner.id, today)
    lifted = partner.hold_lifted_until if hold_lifted(partner, today) else None
    return CreditSummary(
        limit_vnd=partner.credit_limit_vnd,
        in_use_vnd=credit_in_use_vnd(partner.id),
        overdue_count=len(overdue),
        overdue_vnd=sum(i.balance_vnd for i in overdue),
        on_terms=partner.on_terms,
        hold_lifted_until=lifted,
    )
