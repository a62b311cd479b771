"""The restaurant partners' part of `flask shop seed-demo`: the demo chain (partner@, a buyer for
one branch and an accountant), two branches with receiving hours, net-15 terms and a credit
limit, partners' rules and volume prices on xôi and lotus tea, a negotiated price, two past
orders with their invoices (one paid), and a standing order for xôi every morning.

Everything is found again by a natural key (e-mail, branch name, checkout token, standing
order name); a second run adds nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from shop import clock
from shop.accounts.models import PartnerMember, User
from shop.catalog.models import Variant
from shop.extensions import db
from shop.fulfilment import services as fulfilment
from shop.invoicing.services import invoice_of_order, record_payment
from shop.orders.models import Order
from shop.partners.models import Partner, PartnerLocation, PartnerMemberLocation, ReceivingHours
from shop.pricing.models import PartnerPrice, PriceBreak
from shop.wholesale.delivery import Window
from shop.wholesale.models import StandingOrder, StandingOrderLine
from shop.wholesale.ordering import PartnerOrderRequest, place_partner_order

DEMO_PARTNER = "0109001019"  # partner@ocop.example's Chuỗi nhà hàng Xôi Hà Thành (demo)
HA_NOI = 1

TERMS = {
    "payment_terms": "net15",
    "credit_limit_vnd": 20_000_000,
    "einvoice_email": "hoadon@xoihathanh.example",
    "contact_phone": "02439261234",
}
# (name, ward, street, contact, phone, {weekday: (opens, closes)}), Monday = 0.
LOCATIONS = [
    (
        "Chi nhánh Hàng Bông",
        70,
        "52 Hàng Bông",
        "Phạm Văn Bếp",
        "0913456789",
        {d: (6 * 60, 10 * 60 + 30) for d in range(7)},
    ),
    (
        "Chi nhánh Tây Hồ",
        103,
        "27 Xuân Diệu",
        "Ngô Thị Lan",
        "0904567890",
        {d: (6 * 60 + 30, 11 * 60) for d in range(6)},
    ),
]
# (email, name, role, only these branches or None for all)
STAFF = [
    ("buyer@ocop.example", "Vũ Đức Mua", "buyer", ["Chi nhánh Hàng Bông"]),
    ("accountant@ocop.example", "Đặng Thu Kế", "accountant", None),
]
# SKU: (minimum, maximum, step, [(from quantity, unit price)])
RULES = {
    "XPT-300": (10, None, 5, [(20, 27_000)]),
    "XPT-500": (5, None, 5, [(10, 45_000), (20, 43_000)]),
    "TSQA-25": (None, None, 5, [(10, 108_000)]),
}
NEGOTIATED = ("CSQA-50", 600_000)  # from the first of this month to the end of next month
# Past orders: (token, days before the latest 09:00, branch, [(sku, qty)], PO, paid)
ORDERS = [
    ("demo-partner-order-1", 30, "Chi nhánh Hàng Bông", [("XPT-300", 10), ("TSQA-25", 10)], "PO-2026-101", True),
    ("demo-partner-order-2", 6, "Chi nhánh Tây Hồ", [("XPT-500", 10), ("CSQA-50", 1)], "PO-2026-117", False),
]
STANDING = "Xôi sáng Hàng Bông (demo)"


def seed_partners(password_hash: str | None, hash_password) -> dict[str, int]:
    """Add whatever of the partners' demo is missing; flushes only."""
    added = {"users": 0, "partner_orders": 0}
    partner = db.session.scalar(select(Partner).where(Partner.tax_code == DEMO_PARTNER))
    if partner is None:
        return added
    for name, value in TERMS.items():
        if getattr(partner, name) in (None, 0, "prepaid"):
            setattr(partner, name, value)
    locations = _locations(partner)
    added["users"] = _staff(partner, locations, password_hash, hash_password)
    _rules()
    _negotiated(partner)
    db.session.flush()
    morning = _latest_morning(clock.now())
    placed = set(
        db.session.scalars(select(Order.checkout_token).where(Order.checkout_token.in_([o[0] for o in ORDERS])))
    )
    for token, days_ago, branch, lines, po, paid in ORDERS:
        if token not in placed:
            _past_order(partner, locations[branch], token, morning - timedelta(days=days_ago), lines, po, paid)
            added["partner_orders"] += 1
    _standing_order(partner, locations["Chi nhánh Hàng Bông"])
    db.session.flush()
    return added


def _latest_morning(now: datetime) -> datetime:
    local = now.astimezone(clock.VN).replace(hour=9, minute=0, second=0, microsecond=0)
    if local > now.astimezone(clock.VN):
        local -= timedelta(days=1)
    return local.astimezone(UTC)


def _locations(partner: Partner) -> dict[str, PartnerLocation]:
    existing = {location.name: location for location in partner.locations}
    for name, ward, street, contact, phone, hours in LOCATIONS:
        if name in existing:
            continue
        location = PartnerLocation(
            partner_id=partner.id,
            name=name,
            province_code=HA_NOI,
            ward_code=ward,
            street=street,
            contact_name=contact,
            contact_phone=phone,
        )
        for weekday, (opens, closes) in sorted(hours.items()):
            location.hours.append(ReceivingHours(weekday=weekday, opens_minute=opens, closes_minute=closes))
        partner.locations.append(location)
        existing[name] = location
    db.session.flush()
    return existing


def _staff(partner, locations, password_hash, hash_password) -> int:
    added = 0
    for email, name, role, branches in STAFF:
        if db.session.scalar(select(User.id).where(User.email == email)) is not None:
            continue
        password_hash = password_hash or hash_password()
        user = User(email=email, name=name, password_hash=password_hash)
        db.session.add(user)
        db.session.flush()
        db.session.add(PartnerMember(user_id=user.id, partner_id=partner.id, role=role, all_locations=branches is None))
        db.session.flush()
        for branch in branches or ():
            db.session.add(
                PartnerMemberLocation(user_id=user.id, partner_id=partner.id, location_id=locations[branch].id)
            )
        added += 1
    db.session.flush()
    return added


def _variants(skus) -> dict[str, Variant]:
    return {v.sku: v for v in db.session.scalars(select(Variant).where(Variant.sku.in_(list(skus))))}


def _rules() -> None:
    variants = _variants(RULES)
    for sku, (minimum, maximum, step, breaks) in RULES.items():
        variant = variants.get(sku)
        if variant is None or variant.partner_step != 1 or variant.partner_min_qty is not None:
            continue  # already set (by the demo or by the producer since)
        variant.partner_step, variant.partner_min_qty, variant.partner_max_qty = step, minimum, maximum
        for min_qty, price in breaks:
            db.session.add(PriceBreak(variant_id=variant.id, min_qty=min_qty, unit_price_vnd=price))
    db.session.flush()


def _negotiated(partner: Partner) -> None:
    sku, price = NEGOTIATED
    variant = _variants([sku]).get(sku)
    if variant is None:
        return
    if db.session.scalar(
        select(PartnerPrice.id).where(PartnerPrice.partner_id == partner.id, PartnerPrice.variant_id == variant.id)
    ):
        return
    today = clock.today()
    first = today.replace(day=1)
    end_of_next = (first + timedelta(days=62)).replace(day=1) - timedelta(days=1)
    db.session.add(
        PartnerPrice(
            partner_id=partner.id, variant_id=variant.id, unit_price_vnd=price, valid_from=first, valid_to=end_of_next
        )
    )
    db.session.flush()


def _owner(partner: Partner) -> User | None:
    return db.session.scalar(
        select(User)
        .join(PartnerMember, PartnerMember.user_id == User.id)
        .where(PartnerMember.partner_id == partner.id, PartnerMember.role == "owner")
        .order_by(User.id)
        .limit(1)
    )


def _past_order(partner, location, token, placed_at, lines, po, paid) -> None:
    """Place the order as it was placed then (for the next morning), deliver it, and record the
    invoice's payment when `paid`."""
    variants = _variants(sku for sku, _ in lines)
    if len(variants) < len(lines):
        return
    delivery = (placed_at.astimezone(clock.VN) + timedelta(days=1)).date()
    while location.hours_on(delivery.weekday()) is None:
        delivery += timedelta(days=1)
    hours = location.hours_on(delivery.weekday())
    owner = _owner(partner)
    order = place_partner_order(
        partner,
        PartnerOrderRequest(
            location=location,
            quantities=[(variants[sku].id, quantity) for sku, quantity in lines],
            delivery_date=delivery,
            window=Window(hours.opens_minute, min(hours.opens_minute + 120, hours.closes_minute)),
            po_number=po,
            checkout_token=token,
        ),
        actor_user_id=owner.id if owner else None,
        email=owner.email if owner else partner.einvoice_email,
        locale="vi",
        now=placed_at,
    )
    delivered_at = datetime.combine(delivery, datetime.min.time(), clock.VN) + timedelta(
        minutes=hours.opens_minute + 60
    )
    for shipment in fulfilment.shipments_of(order):
        fulfilment.pack(shipment, actor=None, now=delivered_at - timedelta(hours=3))
        fulfilment.ship(
            shipment, carrier="own", tracking_number=None, actor=None, now=delivered_at - timedelta(hours=2)
        )
        fulfilment.deliver(shipment, actor=None, now=delivered_at)
    if paid:
        invoice = invoice_of_order(order.id)
        record_payment(
            invoice,
            amount_vnd=invoice.balance_vnd,
            paid_on=invoice.due_on if invoice.due_on <= clock.today() else clock.today(),
            reference="FT26HATHANH01",
            now=clock.now(),
        )


def _standing_order(partner: Partner, location: PartnerLocation) -> None:
    if db.session.scalar(select(StandingOrder.id).where(StandingOrder.name == STANDING)):
        return
    variant = _variants(["XPT-300"]).get("XPT-300")
    if variant is None:
        return
    owner = _owner(partner)
    tomorrow: date = clock.today() + timedelta(days=1)
    standing = StandingOrder(
        partner_id=partner.id,
        location_id=location.id,
        name=STANDING,
        weekdays_mask=0b0011111,  # Monday to Friday
        start_date=tomorrow,
        window_start_minute=6 * 60,
        window_end_minute=8 * 60,
        po_number="PO-SANG",
        status="active",
        created_by_user_id=owner.id if owner else None,
    )
    standing.lines.append(StandingOrderLine(variant_id=variant.id, quantity=10, valid_from=tomorrow))
    db.session.add(standing)
    db.session.flush()
