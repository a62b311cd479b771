"""Demo data for `flask shop seed-demo` (and so `make run`). Invented accounts, organisations and
catalog, named after the Tây Hồ OCOP producers of the seed article; tax codes are made up.
The catalog itself is in `shop.catalog.demo_data` (invented demo data, see its docstring).

Idempotent: rows are found by their natural keys (email, tax code, slug, SKU, a product's image
path and decision number) and left as they are; only missing rows are added.

`add_synthetic_products(n)` adds n generated products for benchmarks ("demo-synth-000001"…),
with bulk inserts; each call adds n more. The product illustrations and producer logos are
drawn here too: `python -m shop.demo` rewrites the SVGs under static/img/ (they are committed)."""

from __future__ import annotations

import io
import math
import random
import re
import zlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from flask import current_app
from PIL import Image, ImageDraw
from sqlalchemy import func, insert, select
from sqlalchemy.orm import selectinload

from shop import clock, geo
from shop.accounts.models import PartnerMember, ProducerMember, User
from shop.accounts.services import hash_password
from shop.cart import services as cart_services
from shop.catalog.certificate_review import Scan, submit_certificate
from shop.catalog.certificates import STAR_SCORES, add_certificate, default_valid_until, expected_issuer_level
from shop.catalog.demo_data import (
    PRODUCERS,
    PRODUCTS,
    SCENES,
    SYNTH_PARTS,
    SYNTH_PRODUCER_PREFIXES,
)
from shop.catalog.groups import SUBGROUP_TO_GROUP
from shop.catalog.models import Certificate, Product, ProductImage, Variant
from shop.catalog.search import refresh_product, search_texts
from shop.checkout import services as checkout
from shop.extensions import db
from shop.fulfilment import services as fulfilment
from shop.fulfilment.models import Shipment
from shop.inventory.services import record_opening_stock, set_low_stock_threshold
from shop.orders.models import Order
from shop.organisations import check_organisation
from shop.partners.models import Partner
from shop.payments.methods.cod import CashOnDelivery
from shop.producers.models import Producer
from shop.producers.onboarding import Application, apply_to_sell
from shop.settlements.models import Payout
from shop.settlements.periods import Period
from shop.settlements.services import local_delivery_day, month_totals, record_payout
from shop.text import slugify

HA_NOI = 1
PHUONG_PHU_THUONG = 91
PHUONG_TAY_HO = 103
PHUONG_HOAN_KIEM = 70

DEMO_PASSWORD = "ocop-demo-2026"
# Demo products are published one after another from this moment, so "newest" has an order.
PUBLISHED_FROM = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)

PARTNERS = [
    {
        "name": "Chuỗi nhà hàng Xôi Hà Thành (demo)",
        "tax_code": "0109001019",
        "ward_code": PHUONG_HOAN_KIEM,
        "street": "Phố Hàng Bông",
    },
]

USERS = [
    {"email": "admin@ocop.example", "name": "Quản trị viên", "is_admin": True},
    {"email": "shopper@ocop.example", "name": "Nguyễn Thu Hà", "phone": "0912345678"},
    {"email": "producer@ocop.example", "name": "Trần Văn Thượng", "producer": "0109000015"},
    {"email": "partner@ocop.example", "name": "Lê Minh Anh", "partner": "0109001019"},
    {"email": "producer2@ocop.example", "name": "Nguyễn Thị Sen", "producer": "0109000022"},
    {"email": "applicant@ocop.example", "name": "Đỗ Thị Cốm", "phone": "0987100200"},
]

# Producer fields the seed fills in on rows that exist without them (made before the catalog).
_PRODUCER_DETAILS = (
    "former_name",
    "craft_village",
    "story_vi",
    "story_en",
    "contact_phone",
    "logo_path",
    "bank_name",
    "bank_account_number",
    "bank_account_holder",
)


def _organisation(model, data: dict) -> tuple[object, bool]:
    existing = db.session.scalar(select(model).where(model.tax_code == data["tax_code"]))
    if existing is not None:
        return existing, False
    fields = {"province_code": HA_NOI, "status": "active", **data}
    check_organisation(
        name=fields["name"],
        tax_code=fields["tax_code"],
        province_code=fields["province_code"],
        ward_code=fields["ward_code"],
        status=fields["status"],
    )
    org = model(**fields)
    db.session.add(org)
    db.session.flush()
    return org, True


def _producer_fields(data: dict) -> dict:
    fields = {k: v for k, v in data.items() if k != "logo"}
    fields["logo_path"] = f"img/producers/{data['slug']}.svg"
    return fields


def _producer(data: dict) -> tuple[Producer, bool]:
    fields = _producer_fields(data)
    existing = db.session.scalar(select(Producer).where(Producer.tax_code == fields["tax_code"]))
    if existing is None:
        return _organisation(Producer, fields)
    # A row from before the catalog migration has the slug it gave ("<name>-<id>") and the
    # default kind, and none of the details: give it the demo's, once.
    if existing.slug == f"{slugify(existing.name, 100)}-{existing.id}" and not db.session.scalar(
        select(Producer.id).where(Producer.slug == fields["slug"])
    ):
        existing.slug, existing.kind = fields["slug"], fields["kind"]
    for name in _PRODUCER_DETAILS:
        if getattr(existing, name) is None and fields.get(name) is not None:
            setattr(existing, name, fields[name])
    return existing, False


def image_paths(data: dict) -> list[str]:
    """Static paths of a demo product's pictures (1 or 2)."""
    paths = [f"img/products/{data['slug']}.svg"]
    if data.get("images", 1) > 1:
        paths.append(f"img/products/{data['slug']}-2.svg")
    return paths


def _alt_texts(data: dict, position: int) -> tuple[str, str]:
    scene_vi, scene_en = SCENES[data["subgroup_code"]]
    if position == 0:
        return f"Hình minh họa {data['name_vi']}: {scene_vi}", f"Illustration of {data['name_en']}: {scene_en}"
    return (
        f"Hình minh họa thứ hai {data['name_vi']}: {scene_vi}, nhìn từ phía khác",
        f"Second illustration of {data['name_en']}: {scene_en}, seen from the other side",
    )


def _check_product(data: dict, producer: Producer) -> tuple[int, int]:
    province = data.get("province_code", producer.province_code)
    ward = data.get("ward_code", producer.ward_code)
    if not geo.ward_in_province(province, ward):
        raise ValueError(f"{data['slug']}: ward {ward} is not in province {province}")
    if SUBGROUP_TO_GROUP.get(data["subgroup_code"]) != data["group_code"]:
        raise ValueError(f"{data['slug']}: subgroup {data['subgroup_code']} is not in {data['group_code']}")
    return province, ward


def _product(
    position: int,
    data: dict,
    producer: Producer,
    product: Product | None,
    known_skus: set[str],
    added: dict,
    today: date,
) -> None:
    """Add whatever is missing of one demo product: the row, variants, images, certificates."""
    changed = False
    if product is None:
        province, ward = _check_product(data, producer)
        status = data.get("status", "published")
        season = data.get("season", (None, None))
        product = Product(
            producer=producer,
            slug=data["slug"],
            group_code=data["group_code"],
            subgroup_code=data["subgroup_code"],
            name_vi=data["name_vi"],
            name_en=data["name_en"],
            summary_vi=data.get("summary_vi"),
            summary_en=data.get("summary_en"),
            description_vi=data.get("description_vi"),
            description_en=data.get("description_en"),
            unit_vi=data.get("unit_vi"),
            unit_en=data.get("unit_en"),
            shelf_life_days=data.get("shelf_life_days"),
            season_start_month=season[0],
            season_end_month=season[1],
            province_code=province,
            ward_code=ward,
            former_name=data.get("former_name", producer.former_name),
            craft_village=data.get("craft_village", producer.craft_village),
            status=status,
            featured=data.get("featured", False),
            published_at=None if status == "draft" else PUBLISHED_FROM + timedelta(days=5 * position),
            variants=[],
            images=[],
            certificates=[],
        )
        db.session.add(product)
        added["products"] += 1
        changed = True

    for variant in data["variants"]:
        if variant["sku"] not in known_skus:
            product.variants.append(Variant(**variant))
            added["variants"] += 1
            changed = True

    known_paths = {image.path for image in product.images}
    for index, path in enumerate(image_paths(data)):
        if path not in known_paths:
            alt_vi, alt_en = _alt_texts(data, index)
            product.images.append(ProductImage(path=path, alt_vi=alt_vi, alt_en=alt_en, position=index))
            added["images"] += 1

    if changed:
        db.session.flush()
        refresh_product(product)

    known_decisions = {c.decision_number for c in product.certificates}
    for certificate in data["certificates"]:
        if certificate["decision_number"] not in known_decisions:
            add_certificate(product, **certificate, today=today)
            added["certificates"] += 1


class DemoRefused(RuntimeError):
    """The demo must not be loaded here (SHOP_ENV=production)."""


def seed(today: date | None = None) -> dict[str, int]:
    """Add whatever demo rows are missing; return how many of each were added. Flushes only.
    Raises DemoRefused with SHOP_ENV=production: its accounts' password is in the README."""
    if current_app.config["SHOP_ENV"] == "production":
        raise DemoRefused(
            "The demo data is not loaded with SHOP_ENV=production: its accounts share a published "
            "password. Use SHOP_ENV=development on a laptop, and `flask shop create-admin EMAIL` for a real admin."
        )
    today = today or clock.today()
    kinds = ("producers", "partners", "users", "products", "variants", "images", "certificates")
    added = dict.fromkeys((*kinds, "orders", "payouts", "applications"), 0)
    producers = {}
    for data in PRODUCERS:
        org, created = _producer(data)
        producers[org.tax_code] = org
        added["producers"] += created
    partners = {}
    for data in PARTNERS:
        org, created = _organisation(Partner, data)
        partners[org.tax_code] = org
        added["partners"] += created

    password_hash = None
    for data in USERS:
        user = db.session.scalar(select(User).where(User.email == data["email"]))
        if user is not None:
            continue
        # Hashing is slow on purpose; the demo accounts share one password, so one hash.
        password_hash = password_hash or hash_password(DEMO_PASSWORD)
        user = User(
            email=data["email"],
            name=data["name"],
            phone=data.get("phone"),
            password_hash=password_hash,
            is_admin=data.get("is_admin", False),
        )
        db.session.add(user)
        db.session.flush()
        if "producer" in data:
            db.session.add(ProducerMember(user_id=user.id, producer_id=producers[data["producer"]].id, role="owner"))
        if "partner" in data:
            db.session.add(PartnerMember(user_id=user.id, partner_id=partners[data["partner"]].id, role="owner"))
        added["users"] += 1

    # Look every demo product and SKU up at once, rather than one query (and flush) per row.
    existing = {
        p.slug: p
        for p in db.session.scalars(
            select(Product)
            .where(Product.slug.in_([data["slug"] for data in PRODUCTS]))
            .options(selectinload(Product.variants), selectinload(Product.images), selectinload(Product.certificates))
        )
    }
    skus = [variant["sku"] for data in PRODUCTS for variant in data["variants"]]
    known_skus = set(db.session.scalars(select(Variant.sku).where(Variant.sku.in_(skus))))
    for position, data in enumerate(PRODUCTS):
        _product(position, data, producers[data["producer"]], existing.get(data["slug"]), known_skus, added, today)
    db.session.flush()
    db.session.flush()
    record_opening_stock()
    for what, n in seed_portal(today).items():
        added[what] = added.get(what, 0) + n
    from shop.demo_partners import seed_partners

    for what, n in seed_partners(password_hash, lambda: hash_password(DEMO_PASSWORD)).items():
        added[what] = added.get(what, 0) + n
    from shop.demo_api import seed_api_keys, seed_webhooks

    added["api_keys"] = seed_api_keys()
    added["webhook_endpoints"] = seed_webhooks()
    return added


# --- The producer portal: orders to fulfil, a certificate to review, an application -------------

PORTAL_PRODUCER = "0109000015"  # producer@ocop.example's HTX Xôi Phú Thượng
# Orders from invented customers, placed through checkout (cash on delivery, same-day in Hà Nội:
# xôi keeps a day), each found again by its checkout token. They are not the demo shopper's, so
# that account's phone and email stay free of open cash orders and of mail for whoever tries the
# checkout. `days_ago` counts back from the latest 09:00 in Hà Nội; `moves` takes a producer's
# shipment (by tax code) that far, with (carrier, tracking number) when it ships; the others
# stay open.
DEMO_ORDERS = [
    {
        # Delivered last month, and paid out to the co-operative since (DEMO_PAYOUT).
        "token": "demo-order-1",
        "days_ago": 35,
        "contact_name": "Phạm Thu Trang",
        "phone": "0913111201",
        "email": "trang.pham@ocop.example",
        "ward_code": PHUONG_TAY_HO,
        "street": "35 Xuân Diệu",
        "lines": [("XPT-500", 2), ("TSQA-25", 1)],
        "moves": {"0109000015": ("delivered", "own", None), "0109000022": ("delivered", "ghtk", "S21.7730012")},
    },
    {
        "token": "demo-order-2",
        "days_ago": 2,
        "contact_name": "Vũ Đức Long",
        "phone": "0904222302",
        "email": "long.vu@ocop.example",
        "ward_code": PHUONG_HOAN_KIEM,
        "street": "18 Hàng Bông",
        "lines": [("XPT-300", 3), ("TSQA-25", 2)],
        "moves": {"0109000015": ("shipped", "ghn", "GHN5KX72QP")},
    },
    {
        "token": "demo-order-3",
        "days_ago": 1,
        "contact_name": "Hoàng Minh Châu",
        "phone": "0986333403",
        "email": "chau.hoang@ocop.example",
        "ward_code": PHUONG_PHU_THUONG,
        "street": "Ngõ 192 An Dương Vương",
        "lines": [("XPT-MAM-2KG", 1), ("XPT-GAC-500", 2), ("TSQA-25", 1)],
        "moves": {"0109000015": ("packed", None, None)},
    },
    {
        "token": "demo-order-4",
        "days_ago": 0,
        "contact_name": "Trịnh Lan Anh",
        "phone": "0978444504",
        "email": "lananh.trinh@ocop.example",
        "ward_code": PHUONG_TAY_HO,
        "street": "61 Quảng An",
        "lines": [("XPT-500", 1), ("XPT-300", 2), ("TSQA-25", 1)],
        "moves": {},
        "note": "Gọi trước khi giao 15 phút.",
    },
]
_MOVES = ("packed", "shipped", "delivered")
# The shipment's steps after the order, in hours: packed, handed to the carrier, delivered.
_STEP_HOURS = (1, 1.5, 4)
# What the shop paid the co-operative for the month demo-order-1 was delivered in: its balance.
DEMO_PAYOUT = {"bank_reference": "FT26DEMO0001", "days_after_delivery": 3, "note": "Thanh toán tháng (demo)"}
# A renewal sent by the co-operative and waiting for an admin (found again by its number).
PENDING_CERTIFICATE = {
    "product": "xoi-gac-phu-thuong",
    "star_level": 4,
    "score": 76,
    "decision_number": "7021/QĐ-UBND",
    "days_ago": 40,
    "issuing_body": "UBND Thành phố Hà Nội",
    "issuer_level": "province",
}
# The party tray runs low: the co-operative is warned when 6 or fewer can still be sold.
LOW_STOCK = ("XPT-MAM-2KG", 6)
APPLICATION = {
    "email": "applicant@ocop.example",
    "kind": "household",
    "name": "Hộ kinh doanh Cốm làng Vòng Mai Hương",
    "tax_code": "0109100228",
    "street": "Ngõ 12 Dịch Vọng Hậu",
    "province_code": HA_NOI,
    "ward_code": 167,  # Phường Cầu Giấy
    "contact_phone": "0987 100 200",
    "story_vi": "Gia đình làm cốm làng Vòng ba đời: lúa nếp non rang trên chảo gang, giã tay và gói lá sen.",
    "story_en": "Three generations making Vòng village green rice flakes: young sticky rice roasted in "
    "iron pans, pounded by hand and wrapped in lotus leaves.",
}


def _latest_morning(now: datetime) -> datetime:
    """The latest 09:00 in Hà Nội not after `now` (same-day delivery is open then)."""
    local = now.astimezone(clock.VN)
    morning = local.replace(hour=9, minute=0, second=0, microsecond=0)
    if morning > local:
        morning -= timedelta(days=1)
    return morning.astimezone(UTC)


def _owner_id(producer: Producer) -> int | None:
    return db.session.scalar(
        select(ProducerMember.user_id)
        .where(ProducerMember.producer_id == producer.id, ProducerMember.role == "owner")
        .order_by(ProducerMember.user_id)
        .limit(1)
    )


def _demo_order(data: dict, morning: datetime) -> None:
    """Place one demo order through checkout and move its shipments as far as `moves` says."""

    placed_at = morning - timedelta(days=data["days_ago"])
    cart = cart_services.get_or_create_cart(None, data["token"])
    wanted = [sku for sku, _ in data["lines"]]
    skus = dict(db.session.execute(select(Variant.sku, Variant.id).where(Variant.sku.in_(wanted))).all())
    for sku, quantity in data["lines"]:
        cart_services.add_to_cart(cart, skus[sku], quantity)
    details = checkout.Details(
        contact_name=data["contact_name"],
        phone=data["phone"],
        email=data["email"],
        delivery_method="same_day",
        payment_method=CashOnDelivery.code,
        province_code=HA_NOI,
        ward_code=data["ward_code"],
        street=data["street"],
        delivery_note=data.get("note"),
    )
    total = checkout.quote(cart, details, now=placed_at, locale="vi").total_vnd
    order = checkout.place_order(
        cart=cart,
        details=details,
        checkout_token=data["token"],
        expected_total_vnd=total,
        user_id=None,
        locale="vi",
        now=placed_at,
    )
    for shipment in fulfilment.shipments_of(order):
        target, carrier, tracking = data["moves"].get(shipment.producer.tax_code, ("open", None, None))
        actor = _owner_id(shipment.producer)
        steps = _MOVES[: _MOVES.index(target) + 1] if target in _MOVES else ()
        for step, hours in zip(steps, _STEP_HOURS, strict=False):
            at = placed_at + timedelta(hours=hours)
            if step == "packed":
                fulfilment.pack(shipment, actor=actor, now=at)
            elif step == "shipped":
                fulfilment.ship(shipment, carrier=carrier, tracking_number=tracking, actor=actor, now=at)
            else:
                fulfilment.deliver(shipment, actor=actor, now=at)


def _scan_png() -> bytes:
    """A small made-up "scan" of a decision: a page of grey lines with a red seal, no text."""

    image = Image.new("L", (420, 594), 250)
    draw = ImageDraw.Draw(image)
    for row, width in enumerate((260, 340, 300, 340, 320, 180, 340, 300, 240)):
        y = 90 + row * 34
        draw.rectangle((40, y, 40 + width, y + 8), fill=170)
    image = image.convert("RGB")
    ImageDraw.Draw(image).ellipse((280, 440, 370, 530), outline=(200, 40, 40), width=6)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _pending_certificate(producer: Producer, today: date) -> int:

    data = PENDING_CERTIFICATE
    product = db.session.scalar(select(Product).where(Product.slug == data["product"]))
    if product is None or any(c.decision_number == data["decision_number"] for c in product.certificates):
        return 0
    owner = db.session.get(User, _owner_id(producer))
    submit_certificate(
        producer,
        product.id,
        actor=owner,
        star_level=data["star_level"],
        score=data["score"],
        decision_number=data["decision_number"],
        decision_date=today - timedelta(days=data["days_ago"]),
        issuing_body=data["issuing_body"],
        issuer_level=data["issuer_level"],
        scan=Scan(_scan_png(), "image/png", "png"),
    )
    return 1


def _payout(producer: Producer) -> int:
    """The admin pays the co-operative the balance of the month its delivered demo order falls in."""
    if db.session.scalar(
        select(Payout.id).where(
            Payout.producer_id == producer.id, Payout.bank_reference == DEMO_PAYOUT["bank_reference"]
        )
    ):
        return 0
    delivered = db.session.scalar(
        select(Shipment.delivered_at)
        .join(Order)
        .where(Shipment.producer_id == producer.id, Order.checkout_token == DEMO_ORDERS[0]["token"])
    )
    if delivered is None:
        return 0
    day = local_delivery_day(delivered)
    month = Period.containing(day)
    balance = month_totals(producer.id, month).balance_vnd
    paid_on = min(day + timedelta(days=DEMO_PAYOUT["days_after_delivery"]), clock.today())
    if balance <= 0:
        return 0
    admin = db.session.scalar(select(User).where(User.email == "admin@ocop.example"))
    record_payout(
        producer,
        period=month.key,
        paid_on=paid_on,
        amount_vnd=balance,
        bank_reference=DEMO_PAYOUT["bank_reference"],
        note=DEMO_PAYOUT["note"],
        actor=admin,
    )
    return 1


def _low_stock(producer: Producer) -> None:

    sku, threshold = LOW_STOCK
    variant = db.session.scalar(select(Variant).where(Variant.sku == sku))
    if variant is not None and variant.low_stock_threshold is None:
        set_low_stock_threshold(variant.id, threshold, producer_id=producer.id, actor=_owner_id(producer))


def _application() -> int:

    data = dict(APPLICATION)
    user = db.session.scalar(select(User).where(User.email == data.pop("email")))
    if user is None or user.producer_memberships:
        return 0
    if db.session.scalar(select(Producer.id).where(Producer.tax_code == data["tax_code"])) is not None:
        return 0
    apply_to_sell(user, Application(**data))
    return 1


def seed_portal(today: date) -> dict[str, int]:
    """What makes the producer portal worth trying at once: orders whose shipments are open,
    packed, shipped and delivered, a certificate waiting for review, a pack running low, and an
    application for the admin. Each found again by its natural key; only missing ones are added."""
    added = {"orders": 0, "payouts": 0, "applications": 0}
    producer = db.session.scalar(select(Producer).where(Producer.tax_code == PORTAL_PRODUCER))
    tokens = [data["token"] for data in DEMO_ORDERS]

    placed = set(db.session.scalars(select(Order.checkout_token).where(Order.checkout_token.in_(tokens))))
    morning = _latest_morning(clock.now())
    for data in DEMO_ORDERS:
        if data["token"] not in placed:
            _demo_order(data, morning)
            added["orders"] += 1
    added["payouts"] = _payout(producer)
    added["certificates"] = _pending_certificate(producer, today)
    _low_stock(producer)
    added["applications"] = _application()
    db.session.flush()
    return added


# --- Synthetic products for benchmarks -------------------------------------------------------------

SYNTH_PREFIX = "demo-synth-"
SYNTH_PRODUCER_PREFIX = "demo-synth-producer-"
SYNTH_CHUNK = 2000
SYNTH_PRODUCTS_PER_PRODUCER = 25
_SUBGROUPS = tuple(SUBGROUP_TO_GROUP)
_SYNTH_DESCRIPTION_VI = "Sản phẩm mẫu được sinh tự động để đo hiệu năng cửa hàng; không phải sản phẩm thật."
_SYNTH_DESCRIPTION_EN = "A generated sample product for benchmarking the shop; not a real product."
# The ministry that rates 5★ was renamed when it merged (1 March 2025).
_MINISTRY_RENAMED = date(2025, 3, 1)


def _place(ward_name: str) -> str:
    """ "Phường  Buôn Ma Thuột" → "Buôn Ma Thuột"; "Phường Lâm Viên - Đà Lạt" → "Lâm Viên"."""
    name = re.sub(r"\s+", " ", ward_name).strip()
    name = re.sub(r"^(Phường|Xã|Đặc khu|Thị trấn) ", "", name)
    return name.split(" - ")[0]


def _provincial_body(province_code: int) -> str:
    name = geo.province_name(province_code) or ""
    return f"UBND {name}" if name.startswith("Thành phố") else f"UBND tỉnh {name}"


def _next_synthetic_number() -> int:
    """One more than the highest "demo-synth-NNNNNN" (numbers have six digits, up to 999,999)."""
    last = db.session.scalar(select(func.max(Product.slug)).where(Product.slug.like(f"{SYNTH_PREFIX}______")))
    return int(last[len(SYNTH_PREFIX) :]) + 1 if last else 1


def _synthetic_producers(total_products: int, now: datetime) -> list:
    """The synthetic producers (one per ~25 products, at least one per province), adding missing ones."""
    provinces = sorted(code for code, _ in geo.provinces())
    wanted = max(len(provinces), math.ceil(total_products / SYNTH_PRODUCTS_PER_PRODUCER))
    have = db.session.scalar(
        select(func.count()).select_from(Producer).where(Producer.slug.like(f"{SYNTH_PRODUCER_PREFIX}%"))
    )
    rows = []
    for i in range(have + 1, wanted + 1):
        rng = random.Random(f"producer-{i}")
        province = provinces[(i - 1) % len(provinces)]
        ward, ward_name = rng.choice(geo.wards(province))
        prefix, kind = rng.choice(SYNTH_PRODUCER_PREFIXES)
        rows.append(
            {
                "name": f"{prefix} {_place(ward_name)}",
                "tax_code": f"0990{i:06d}",
                "province_code": province,
                "ward_code": ward,
                "status": "active",
                "slug": f"{SYNTH_PRODUCER_PREFIX}{i:05d}",
                "kind": kind,
                "story_vi": "Chủ thể mẫu được sinh tự động để đo hiệu năng cửa hàng; không phải chủ thể thật.",
                "story_en": "A generated sample producer for benchmarking the shop; not a real producer.",
                "created_at": now,
            }
        )
    if rows:
        db.session.execute(insert(Producer.__table__), rows)
    return db.session.execute(
        select(Producer.id, Producer.name, Producer.province_code)
        .where(Producer.slug.like(f"{SYNTH_PRODUCER_PREFIX}%"))
        .order_by(Producer.slug)
    ).all()


def _synthetic_certificate(rng: random.Random, province: int, today: date) -> dict | None:
    """A rating for a synthetic product: mostly 4★, some 3★, a few 5★, some still pending."""
    roll = rng.random()
    star_level = 3 if roll < 0.25 else 4 if roll < 0.85 else 5 if roll < 0.93 else rng.choice((3, 4))
    verification_status = "pending" if roll >= 0.93 else "verified"
    decision_date = today - timedelta(days=rng.randint(15, 1000))  # all still within 36 months
    issuer_level = expected_issuer_level(star_level, decision_date)[0]
    if issuer_level == "central":
        new_ministry = decision_date >= _MINISTRY_RENAMED
        body = "Bộ Nông nghiệp và Môi trường" if new_ministry else "Bộ Nông nghiệp và Phát triển nông thôn"
        number = f"{rng.randint(100, 5999)}/QĐ-{'BNNMT' if new_ministry else 'BNN-VPĐP'}"
    else:
        body = "UBND cấp huyện (trước 7/2025)" if issuer_level == "district" else _provincial_body(province)
        number = f"{rng.randint(10, 6999)}/QĐ-UBND"
    low, high = STAR_SCORES[star_level]
    return {
        "star_level": star_level,
        "potential_five_star": star_level == 4 and rng.random() < 0.05,
        "score": rng.randint(low, high),
        "decision_number": number,
        "decision_date": decision_date,
        "issuing_body": body,
        "issuer_level": issuer_level,
        "valid_until": default_valid_until(decision_date),
        "document_path": None,
        "verification_status": verification_status,
    }


def _synthetic_product(number: int, producers: list, today: date, now: datetime) -> tuple[dict, list, dict]:
    """(product row, variant rows, certificate row) of synthetic product `number`; deterministic."""
    rng = random.Random(number)
    producer = producers[rng.randrange(len(producers))]
    subgroup = _SUBGROUPS[number % len(_SUBGROUPS)]
    bases, qualifiers, unit, (low, high), packs, shelf_life = SYNTH_PARTS[subgroup]
    ward, ward_name = rng.choice(geo.wards(producer.province_code))
    place = _place(ward_name)
    (base_vi, base_en), (qual_vi, qual_en) = rng.choice(bases), rng.choice(qualifiers)
    name_vi, name_en = f"{base_vi} {qual_vi} {place}", f"{qual_en.capitalize()} {base_en} from {place}"
    slug = f"{SYNTH_PREFIX}{number:06d}"

    base_price = round(rng.randint(low, high), -3)
    variants = []
    for index, (pack_vi, pack_en, weight, factor) in enumerate(packs[: rng.randint(1, 3)], start=1):
        variants.append(
            {
                "sku": f"{slug}-{index}",
                "name_vi": pack_vi,
                "name_en": pack_en,
                "price_vnd": max(1000, round(base_price * factor, -3)),
                "weight_g": weight,
                "on_hand": 0 if rng.random() < 0.05 else rng.randint(1, 300),
            }
        )
    certificate = _synthetic_certificate(rng, producer.province_code, today)
    shown = certificate["verification_status"] == "verified" and certificate["valid_until"] >= today

    product = {
        "producer_id": producer.id,
        "slug": slug,
        "group_code": SUBGROUP_TO_GROUP[subgroup],
        "subgroup_code": subgroup,
        "name_vi": name_vi,
        "name_en": name_en,
        "summary_vi": f"{name_vi}, sản phẩm của {producer.name}.",
        "summary_en": f"{name_en}, by {producer.name}.",
        "description_vi": _SYNTH_DESCRIPTION_VI,
        "description_en": _SYNTH_DESCRIPTION_EN,
        "unit_vi": unit[0],
        "unit_en": unit[1],
        "shelf_life_days": shelf_life,
        "season_start_month": None,
        "season_end_month": None,
        "province_code": producer.province_code,
        "ward_code": ward,
        "former_name": None,
        "craft_village": None,
        "status": "published",
        "featured": False,
        "published_at": now - timedelta(minutes=rng.randint(60, 365 * 24 * 60)),
        "price_from_vnd": min(v["price_vnd"] for v in variants),
        "star_level": certificate["star_level"] if shown else None,
        "star_valid_until": certificate["valid_until"] if shown else None,
        "created_at": now,
    }
    # The same text refresh_product writes, from plain values instead of ORM objects.
    product["search_exact"], product["search_folded"] = search_texts(
        SimpleNamespace(**product), SimpleNamespace(name=producer.name)
    )
    return product, variants, certificate


def add_synthetic_products(n: int, *, progress=None, today: date | None = None) -> int:
    """Add n published synthetic products (with variants, an image and a certificate each) by bulk
    inserts in chunks, numbering on from the last synthetic product. Flushes only; returns n.

    `progress(k)` is called after every chunk with the number of products it added."""
    today = today or clock.today()
    now = clock.now()
    start = _next_synthetic_number()
    producers = _synthetic_producers(start - 1 + n, now)
    products_table = Product.__table__
    for chunk_start in range(start, start + n, SYNTH_CHUNK):
        numbers = range(chunk_start, min(chunk_start + SYNTH_CHUNK, start + n))
        built = [_synthetic_product(number, producers, today, now) for number in numbers]
        rows = [product for product, _, _ in built]
        db.session.execute(insert(products_table), rows)
        # A plain executemany, then the new ids by slug: SQLite would RETURN them row by row.
        id_by_slug = dict(
            db.session.execute(
                select(products_table.c.slug, products_table.c.id).where(
                    products_table.c.slug.in_([row["slug"] for row in rows])
                )
            ).all()
        )
        ids = [id_by_slug[row["slug"]] for row in rows]
        variants, images, certificates = [], [], []
        for product_id, (product, product_variants, certificate) in zip(ids, built, strict=True):
            variants.extend({**variant, "product_id": product_id} for variant in product_variants)
            scene_vi, scene_en = SCENES[product["subgroup_code"]]
            images.append(
                {
                    "product_id": product_id,
                    "path": f"img/products/synth-{product['subgroup_code']}.svg",
                    "alt_vi": f"Hình minh họa {product['name_vi']}: {scene_vi}",
                    "alt_en": f"Illustration of {product['name_en']}: {scene_en}",
                    "position": 0,
                }
            )
            certificates.append(
                {**certificate, "product_id": product_id, "producer_id": product["producer_id"], "created_at": now}
            )
        db.session.execute(insert(Variant.__table__), variants)
        db.session.execute(insert(ProductImage.__table__), images)
        db.session.execute(insert(Certificate.__table__), certificates)
        if progress:
            progress(len(numbers))
    db.session.flush()
    record_opening_stock()
    return n


# --- Illustrations: flat SVGs drawn from the data, no text, each well under 4 KB ----------------

_BACKGROUNDS = (
    "#fbe3c8",
    "#fcebdc",
    "#f9dcc4",
    "#fde6c2",
    "#f8e1d0",
    "#fbe6d2",
    "#f6dfc6",
    "#fde2d2",
    "#f9e8c8",
    "#f7dccb",
    "#fae0bc",
    "#f5e3d3",
)
_ACCENTS = ("#c8553d", "#e07a5f", "#d9822b", "#b5543c", "#8c5a3c", "#c06c84", "#3d7a5a", "#2a6f97")
_DARK, _GREEN, _LIGHT = "#6b3f2a", "#4f8f4f", "#fff7ea"
# Subgroups whose drawing only looks right in one family of colours (blossoms pink, porcelain blue).
_SUBGROUP_COLOURS = {"hoa": "#e86f93", "gom-su": "#2a5d9f", "thu-cong-khac": "#2a5d9f"}

_MOTIFS = {
    "che-bien-tu-gao": (
        '<ellipse cx="200" cy="238" rx="135" ry="20" fill="{g}"/>'
        '<path d="M118 172c10-58 154-58 164 0z" fill="#f4df8c"/>'
        '<g fill="#e2b33c"><circle cx="165" cy="140" r="6"/><circle cx="190" cy="128" r="6"/>'
        '<circle cx="215" cy="132" r="6"/><circle cx="240" cy="148" r="6"/><circle cx="200" cy="152" r="6"/></g>'
        '<g fill="{d}"><circle cx="178" cy="150" r="3"/><circle cx="228" cy="136" r="3"/>'
        '<circle cx="205" cy="118" r="3"/></g>'
        '<path d="M108 170h184c-6 52-44 66-92 66s-86-14-92-66z" fill="{a}"/>'
        '<path d="M124 190h152" stroke="{l}" stroke-width="6" stroke-linecap="round" opacity=".5"/>'
    ),
    "che-bien-khac": (
        '<g fill="{b}"><circle cx="104" cy="226" r="14"/><circle cx="300" cy="224" r="16"/>'
        '<circle cx="326" cy="232" r="10"/></g>'
        '<rect x="146" y="118" width="108" height="120" rx="24" fill="{a}"/>'
        '<rect x="138" y="98" width="124" height="28" rx="9" fill="{d}"/>'
        '<rect x="162" y="150" width="76" height="52" rx="9" fill="{l}"/>'
        '<circle cx="200" cy="176" r="15" fill="{b}"/>'
    ),
    "gia-vi": (
        '<ellipse cx="292" cy="232" rx="44" ry="10" fill="{d}"/><ellipse cx="292" cy="228" rx="32" ry="6" fill="{b}"/>'
        '<path d="M186 76h28v36c22 12 26 28 26 46v70c0 6-4 10-10 10h-60c-6 0-10-4-10-10v-70c0-18 4-34 26-46z" '
        'fill="{a}"/><rect x="182" y="62" width="36" height="18" rx="4" fill="{d}"/>'
        '<rect x="166" y="158" width="68" height="52" rx="6" fill="{l}"/>'
        '<path d="M178 184c14-14 28-14 38 0c-10 14-24 14-38 0zm38 0l12-10v20z" fill="{b}"/>'
    ),
    "nong-san-tuoi": (
        '<g fill="{g}"><path d="M150 120c10-24 34-28 46-22c-12 18-28 24-46 22z"/>'
        '<path d="M236 112c14-16 36-14 44-6c-14 12-30 14-44 6z"/></g>'
        '<g fill="{a}"><circle cx="150" cy="160" r="30"/><circle cx="205" cy="148" r="32"/>'
        '<circle cx="258" cy="162" r="28"/><circle cx="178" cy="182" r="26"/><circle cx="232" cy="184" r="26"/></g>'
        '<g fill="#fff" opacity=".35"><circle cx="140" cy="150" r="7"/><circle cx="195" cy="136" r="8"/>'
        '<circle cx="249" cy="152" r="6"/></g>'
        '<path d="M108 176h184l-22 62h-140z" fill="{d}"/>'
        '<path d="M116 198h168M124 220h152" stroke="{l}" stroke-width="5" opacity=".35"/>'
    ),
    "tra": (
        '<path d="M86 238c16-28 44-34 62-22c-18 26-42 30-62 22z" fill="{g}"/>'
        '<path d="M116 186c-30-6-44-24-50-46c18 12 34 18 56 20z" fill="{a}"/>'
        '<path d="M222 160c40-8 46 40 8 52" fill="none" stroke="{a}" stroke-width="11"/>'
        '<ellipse cx="172" cy="192" rx="62" ry="48" fill="{a}"/>'
        '<path d="M134 176h76" stroke="{l}" stroke-width="5" opacity=".45" stroke-linecap="round"/>'
        '<rect x="150" y="134" width="44" height="14" rx="7" fill="{d}"/><circle cx="172" cy="130" r="7" fill="{d}"/>'
        '<ellipse cx="300" cy="238" rx="42" ry="7" fill="{d}"/>'
        '<path d="M268 200h64c-2 24-14 36-32 36s-30-12-32-36z" fill="{b}"/>'
        '<path d="M290 190c-8-10 8-18 0-30M310 190c-8-10 8-18 0-30" fill="none" stroke="{b}" stroke-width="4" '
        'stroke-linecap="round"/>'
    ),
    "ruou": (
        '<path d="M98 238c8-20 26-30 40-26c-8 18-22 28-40 26z" fill="{g}"/>'
        '<path d="M186 70h28v44c24 12 28 30 28 48v70c0 4-3 6-6 6h-72c-3 0-6-2-6-6v-70c0-18 4-36 28-48z" '
        'fill="{a}"/><rect x="183" y="56" width="34" height="18" rx="4" fill="{d}"/>'
        '<rect x="170" y="166" width="60" height="44" rx="6" fill="{l}"/><circle cx="200" cy="188" r="11" fill="{b}"/>'
        '<path d="M262 204h44l-8 34h-28z" fill="{b}"/>'
    ),
    "do-uong-khac": (
        '<g fill="{d}"><ellipse cx="102" cy="228" rx="13" ry="9" transform="rotate(-25 102 228)"/>'
        '<ellipse cx="126" cy="234" rx="13" ry="9" transform="rotate(15 126 234)"/>'
        '<ellipse cx="300" cy="230" rx="13" ry="9" transform="rotate(30 300 230)"/></g>'
        '<path d="M258 166c36 0 36 46 0 46" fill="none" stroke="{a}" stroke-width="11"/>'
        '<path d="M140 150h120v52c0 22-16 36-36 36h-48c-20 0-36-14-36-36z" fill="{a}"/>'
        '<ellipse cx="200" cy="150" rx="60" ry="10" fill="{d}"/>'
        '<path d="M180 134c-10-12 10-20 0-34M204 134c-10-12 10-20 0-34M228 134c-10-12 10-20 0-34" fill="none" '
        'stroke="{b}" stroke-width="5" stroke-linecap="round"/>'
    ),
    "duoc-lieu-tho": (
        '<path d="M200 238c-6-60-2-110 8-160M200 238c-20-50-40-90-70-120M200 238c22-48 46-84 78-110" fill="none" '
        'stroke="{d}" stroke-width="5" stroke-linecap="round"/>'
        '<g fill="{g}"><ellipse cx="214" cy="96" rx="26" ry="10" transform="rotate(-70 214 96)"/>'
        '<ellipse cx="140" cy="130" rx="26" ry="10" transform="rotate(40 140 130)"/>'
        '<ellipse cx="268" cy="136" rx="26" ry="10" transform="rotate(-40 268 136)"/>'
        '<ellipse cx="186" cy="150" rx="24" ry="9" transform="rotate(60 186 150)"/>'
        '<ellipse cx="236" cy="170" rx="24" ry="9" transform="rotate(-30 236 170)"/></g>'
        '<g fill="{b}"><ellipse cx="226" cy="124" rx="22" ry="9" transform="rotate(20 226 124)"/>'
        '<ellipse cx="162" cy="180" rx="22" ry="9" transform="rotate(-20 162 180)"/></g>'
        '<rect x="184" y="204" width="32" height="12" rx="4" fill="{a}"/>'
    ),
    "san-pham-tu-duoc-lieu": (
        '<g fill="{g}"><ellipse cx="110" cy="226" rx="24" ry="9" transform="rotate(-30 110 226)"/>'
        '<ellipse cx="300" cy="228" rx="24" ry="9" transform="rotate(25 300 228)"/>'
        '<ellipse cx="322" cy="212" rx="20" ry="8" transform="rotate(-40 322 212)"/></g>'
        '<rect x="222" y="64" width="20" height="110" rx="10" fill="{d}" transform="rotate(28 232 119)"/>'
        '<path d="M128 160h144c0 50-30 78-72 78s-72-28-72-78z" fill="{a}"/>'
        '<rect x="120" y="150" width="160" height="18" rx="9" fill="{d}"/>'
        '<path d="M150 192h100" stroke="{l}" stroke-width="5" opacity=".4" stroke-linecap="round"/>'
    ),
    "det-may": (
        '<path d="M288 112c46 24 20 64 34 92s-6 34-6 34" fill="none" stroke="{b}" stroke-width="16" '
        'stroke-linecap="round"/>'
        '<rect x="100" y="194" width="190" height="42" rx="9" fill="{a}"/>'
        '<rect x="112" y="152" width="166" height="42" rx="9" fill="{b}"/>'
        '<rect x="124" y="110" width="142" height="42" rx="9" fill="{a}"/>'
        '<path d="M112 215h166M124 173h142M136 131h118" stroke="{l}" stroke-width="5" stroke-dasharray="12 8"/>'
    ),
    "may-tre-dan-go": (
        '<path d="M118 130c0-70 164-70 164 0" fill="none" stroke="{d}" stroke-width="10"/>'
        '<path d="M104 130h192l-20 108h-152z" fill="{a}"/>'
        '<path d="M110 160h180M116 190h168M122 218h156M150 130l-6 108M200 130v108M250 130l6 108" stroke="{d}" '
        'stroke-width="4" opacity=".5"/>'
    ),
    "gom-su": (
        '<path d="M284 206h52c-2 20-12 32-26 32s-24-12-26-32z" fill="{l}" stroke="{a}" stroke-width="4"/>'
        '<path d="M178 70h44v24c40 26 52 56 52 86c0 28-14 48-34 58h-80c-20-10-34-30-34-58c0-30 12-60 52-86z" '
        'fill="{l}" stroke="{a}" stroke-width="3"/><rect x="172" y="62" width="56" height="14" rx="5" fill="{a}"/>'
        '<path d="M136 168c20-16 44 16 64 0s44 16 64 0M160 128h80" fill="none" stroke="{a}" stroke-width="6"/>'
        '<g fill="none" stroke="{a}" stroke-width="4"><circle cx="200" cy="204" r="14"/>'
        '<circle cx="164" cy="206" r="9"/><circle cx="236" cy="206" r="9"/></g>'
    ),
    "hoa": (
        '<defs><g id="f"><circle cy="-9" r="8"/><circle cx="8.6" cy="-2.8" r="8"/><circle cx="5.3" cy="7.3" r="8"/>'
        '<circle cx="-5.3" cy="7.3" r="8"/><circle cx="-8.6" cy="-2.8" r="8"/></g></defs>'
        '<path d="M60 250C120 190 170 170 230 110S320 50 350 40" fill="none" stroke="{d}" stroke-width="8" '
        'stroke-linecap="round"/><path d="M150 184c-10-30-6-56 10-80M240 104c30 4 52 20 64 40M290 70c-10-20-8-36 '
        '4-50" fill="none" stroke="{d}" stroke-width="5" stroke-linecap="round"/>'
        '<g fill="{g}"><path d="M110 206c4-18 20-26 32-24c-6 16-18 24-32 24z"/>'
        '<path d="M262 86c14-12 32-10 38-4c-12 10-26 12-38 4z"/></g>'
        '<g fill="{a}"><use href="#f" x="160" y="104"/><use href="#f" x="150" y="150"/><use href="#f" x="200" y="140"/>'
        '<use href="#f" x="230" y="110"/><use href="#f" x="304" y="144"/><use href="#f" x="272" y="72"/>'
        '<use href="#f" x="294" y="20"/><use href="#f" x="340" y="44"/><use href="#f" x="96" y="222"/></g>'
        '<g fill="{d}"><circle cx="160" cy="104" r="3.5"/><circle cx="150" cy="150" r="3.5"/>'
        '<circle cx="200" cy="140" r="3.5"/><circle cx="230" cy="110" r="3.5"/><circle cx="304" cy="144" r="3.5"/>'
        '<circle cx="272" cy="72" r="3.5"/><circle cx="294" cy="20" r="3.5"/><circle cx="340" cy="44" r="3.5"/>'
        '<circle cx="96" cy="222" r="3.5"/></g>'
    ),
    "cay-canh": (
        '<path d="M200 188c-4-30 10-44-6-70s14-40 6-56" fill="none" stroke="{d}" stroke-width="12" '
        'stroke-linecap="round"/><path d="M196 130c-20-6-40-2-56 8M204 100c20-6 36 0 50 10" fill="none" '
        'stroke="{d}" stroke-width="6"/>'
        '<g fill="{g}"><ellipse cx="136" cy="132" rx="40" ry="22"/><ellipse cx="258" cy="104" rx="42" ry="22"/>'
        '<ellipse cx="200" cy="64" rx="46" ry="26"/></g>'
        '<g fill="{b}"><circle cx="124" cy="126" r="5"/><circle cx="150" cy="138" r="5"/>'
        '<circle cx="246" cy="98" r="5"/><circle cx="272" cy="110" r="5"/>'
        '<circle cx="186" cy="58" r="5"/><circle cx="214" cy="70" r="5"/></g>'
        '<path d="M140 196h120l-14 42h-92z" fill="{a}"/><rect x="132" y="186" width="136" height="14" rx="5" '
        'fill="{d}"/>'
    ),
    "dong-vat-canh": (
        '<circle cx="200" cy="166" r="76" fill="#cfe6ef"/>'
        '<rect x="150" y="86" width="100" height="10" rx="5" fill="{d}"/>'
        '<path d="M160 234c-6-20 6-36-2-54M176 236c8-16-4-30 6-46" fill="none" stroke="{g}" stroke-width="6" '
        'stroke-linecap="round"/>'
        '<path d="M176 160c22-24 52-24 68 0c-16 24-46 24-68 0zm68 0l18-16v32z" fill="{a}"/>'
        '<circle cx="190" cy="156" r="4" fill="{d}"/>'
        '<g fill="#fff" opacity=".7"><circle cx="250" cy="128" r="5"/><circle cx="258" cy="112" r="3"/></g>'
    ),
    "du-lich-cong-dong": (
        '<path d="M0 238c60-70 120-90 190-50s140-60 210-20v70H0z" fill="{g}" opacity=".5"/>'
        '<path d="M150 182v56M190 182v56M230 182v56M266 182v56M118 238l30-56" stroke="{d}" stroke-width="7"/>'
        '<rect x="136" y="126" width="144" height="58" fill="{a}"/>'
        '<path d="M118 132l90-64 90 64z" fill="{d}"/>'
        '<rect x="160" y="144" width="26" height="24" fill="{l}"/><rect x="230" y="144" width="26" height="24" '
        'fill="{l}"/><rect x="196" y="140" width="24" height="44" fill="{b}"/>'
    ),
    "diem-du-lich": (
        '<path d="M40 238l40-120 30 60 40-110 44 170z" fill="{g}" opacity=".55"/>'
        '<path d="M220 238l44-140 30 70 36-90 40 160z" fill="{g}" opacity=".4"/>'
        '<path d="M0 212h400v26H0z" fill="#9cc7d6"/>'
        '<path d="M160 214c0-26 80-26 80 0z" fill="{a}"/><path d="M130 214h140l-24 22h-92z" fill="{d}"/>'
        '<path d="M60 226h40M300 230h50" stroke="#fff" stroke-width="3" opacity=".6"/>'
    ),
}
_MOTIFS["thu-cong-khac"] = _MOTIFS["gom-su"]

_EMBLEMS = {
    "rice": '<path d="M60 98c0-30 4-50 18-68" fill="none" stroke="{l}" stroke-width="4" stroke-linecap="round"/>'
    '<g fill="{l}"><ellipse cx="72" cy="40" rx="4" ry="9" transform="rotate(30 72 40)"/>'
    '<ellipse cx="82" cy="50" rx="4" ry="9" transform="rotate(60 82 50)"/>'
    '<ellipse cx="64" cy="54" rx="4" ry="9" transform="rotate(-10 64 54)"/>'
    '<ellipse cx="76" cy="64" rx="4" ry="9" transform="rotate(60 76 64)"/>'
    '<ellipse cx="58" cy="70" rx="4" ry="9" transform="rotate(-20 58 70)"/></g>',
    "lotus": '<path d="M60 32c10 12 14 28 0 48c-14-20-10-36 0-48zM60 80c-18-2-30-14-32-30c16 2 28 12 32 30zM60 80c18-2 '
    '30-14 32-30c-16 2-28 12-32 30z" fill="{l}"/><path d="M34 88h52" stroke="{l}" stroke-width="4" '
    'stroke-linecap="round"/>',
    "blossom": '<g fill="{l}"><circle cx="60" cy="42" r="13"/><circle cx="77" cy="55" r="13"/><circle cx="71" cy="75" '
    'r="13"/><circle cx="49" cy="75" r="13"/><circle cx="43" cy="55" r="13"/></g>'
    '<circle cx="60" cy="60" r="8" fill="{a}"/>',
    "leaf": '<path d="M32 88c0-34 22-54 56-56c0 34-20 56-56 56z" fill="{l}"/>'
    '<path d="M36 84c14-16 28-28 46-46" fill="none" stroke="{a}" stroke-width="3"/>',
    "wave": '<path d="M24 54c10-10 20-10 30 0s20 10 30 0s14-8 14-8M24 72c10-10 20-10 30 0s20 10 30 0s14-8 14-8" '
    'fill="none" stroke="{l}" stroke-width="6" stroke-linecap="round"/>'
    '<path d="M46 88c8-8 20-8 28 0c-8 8-20 8-28 0zm28 0l8-6v12z" fill="{l}"/>',
    "vase": '<path d="M52 28h16v10c14 10 20 22 20 34c0 12-6 20-14 24h-20c-8-4-14-12-14-24c0-12 6-24 12-34z" '
    'fill="{l}"/><path d="M42 70c6-6 12 6 18 0s12 6 18 0" fill="none" stroke="{a}" stroke-width="3"/>',
    "cloth": '<rect x="30" y="40" width="60" height="16" rx="4" fill="{l}"/><rect x="34" y="60" width="52" '
    'height="16" rx="4" fill="{l}" opacity=".8"/><rect x="30" y="80" width="60" height="16" rx="4" '
    'fill="{l}"/><path d="M36 48h48M36 88h48" stroke="{a}" stroke-width="2" stroke-dasharray="5 4"/>',
    "house": '<path d="M26 56l34-24 34 24z" fill="{l}"/><rect x="34" y="56" width="52" height="22" fill="{l}" '
    'opacity=".85"/><path d="M40 78v16M60 78v16M80 78v16" stroke="{l}" stroke-width="4"/>'
    '<rect x="54" y="62" width="12" height="16" fill="{a}"/>',
    "drop": '<path d="M60 26c14 20 24 34 24 48a24 24 0 0 1-48 0c0-14 10-28 24-48z" fill="{l}"/>'
    '<path d="M50 78a10 10 0 0 0 10 10" fill="none" stroke="{a}" stroke-width="3" stroke-linecap="round"/>',
    "bean": '<ellipse cx="60" cy="60" rx="22" ry="30" fill="{l}" transform="rotate(30 60 60)"/>'
    '<path d="M48 38c14 14 10 30 24 44" fill="none" stroke="{a}" stroke-width="4" stroke-linecap="round"/>',
    "fruit": '<circle cx="58" cy="66" r="26" fill="{l}"/><path d="M60 40c2-10 8-14 14-16" fill="none" stroke="{l}" '
    'stroke-width="4" stroke-linecap="round"/><path d="M64 38c10-10 22-8 26-4c-8 8-18 8-26 4z" fill="{l}"/>',
}


def _mix(colour: str, other: str, t: float) -> str:
    a = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(other[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b, strict=True))


def product_svg(key: str, subgroup: str, colour: str | None = None, *, mirrored: bool = False) -> str:
    """A flat illustration for a subgroup, coloured from `key` (a slug) unless `colour` is given."""
    seed = zlib.crc32(key.encode())
    bg = _BACKGROUNDS[(seed >> (16 if mirrored else 0)) % len(_BACKGROUNDS)]
    accent = colour or _SUBGROUP_COLOURS.get(subgroup) or _ACCENTS[(seed >> 8) % len(_ACCENTS)]
    motif = _MOTIFS[subgroup].format(a=accent, b=_mix(accent, "#ffffff", 0.45), d=_DARK, g=_GREEN, l=_LIGHT)
    if mirrored:
        motif = f'<g transform="matrix(-1 0 0 1 400 0)">{motif}</g>'
    sun_x = 80 if mirrored else 320
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 300" width="400" height="300">'
        f'<rect width="400" height="300" fill="{bg}"/>'
        f'<circle cx="{sun_x}" cy="84" r="58" fill="{_mix(bg, "#ffffff", 0.5)}"/>'
        f'<path d="M0 238h400v62H0z" fill="{_mix(bg, _DARK, 0.22)}"/>'
        f'<path d="M0 238h400v6H0z" fill="{_mix(bg, _DARK, 0.35)}"/>'
        f"{motif}</svg>\n"
    )


def logo_svg(emblem: str, colour: str) -> str:
    """A round producer badge: an emblem in cream on the producer's colour, no lettering."""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 120" width="120" height="120">'
        f'<circle cx="60" cy="60" r="58" fill="{colour}"/>'
        f'<circle cx="60" cy="60" r="49" fill="none" stroke="{_LIGHT}" stroke-width="2.5" opacity=".8"/>'
        f"{_EMBLEMS[emblem].format(a=colour, l=_LIGHT)}</svg>\n"
    )


def demo_images() -> dict[str, str]:
    """Every demo SVG by its path under static/: product pictures, synthetic ones, producer logos."""
    files = {}
    for data in PRODUCTS:
        for index, path in enumerate(image_paths(data)):
            files[path] = product_svg(data["slug"], data["subgroup_code"], data.get("art_colour"), mirrored=index == 1)
    for subgroup in _SUBGROUPS:
        files[f"img/products/synth-{subgroup}.svg"] = product_svg(f"synth-{subgroup}", subgroup)
    for data in PRODUCERS:
        emblem, colour = data["logo"]
        files[f"img/producers/{data['slug']}.svg"] = logo_svg(emblem, colour)
    return files


def write_images(static_dir: Path) -> int:
    """Write the demo SVGs under static_dir; returns how many files were written."""
    files = demo_images()
    for path, svg in files.items():
        target = static_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(svg, encoding="utf-8")
    return len(files)


if __name__ == "__main__":  # python -m shop.demo: redraw the committed SVGs
    count = write_images(Path(__file__).resolve().parent.parent / "static")
    print(f"Wrote {count} SVG files under static/img/")
