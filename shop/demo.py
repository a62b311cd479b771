"""Demo data for `flask shop seed-demo` (and so `make run`). Invented accounts and organisations,
named after the Tây Hồ OCOP producers of the seed article; tax codes are made up.

Idempotent: rows are found by their natural keys (email, tax code) and left as they are."""

from __future__ import annotations

from sqlalchemy import select

from shop.accounts.models import PartnerMember, ProducerMember, User
from shop.accounts.services import hash_password
from shop.extensions import db
from shop.organisations import check_organisation
from shop.partners.models import Partner
from shop.producers.models import Producer

HA_NOI = 1
PHUONG_PHU_THUONG = 91
PHUONG_TAY_HO = 103
PHUONG_HOAN_KIEM = 70

DEMO_PASSWORD = "ocop-demo-2026"

PRODUCERS = [
    {
        "name": "HTX Dịch vụ Nông nghiệp Xôi Phú Thượng",
        "tax_code": "0109000001",
        "ward_code": PHUONG_PHU_THUONG,
        "street": "Làng nghề Xôi Phú Thượng",
    },
    {
        "name": "HTX Chè Sen Quảng An",
        "tax_code": "0109000002",
        "ward_code": PHUONG_TAY_HO,
        "street": "Phường Quảng An, quận Tây Hồ (cũ)",
    },
    {
        "name": "HTX Hoa đào Nhật Tân",
        "tax_code": "0109000003",
        "ward_code": PHUONG_TAY_HO,
        "street": "Phường Nhật Tân, quận Tây Hồ (cũ)",
    },
    {
        "name": "Cơ sở Bảo Phương 1",
        "tax_code": "0109000004",
        "ward_code": PHUONG_TAY_HO,
        "street": "Phường Thụy Khuê, quận Tây Hồ (cũ)",
    },
    {
        "name": "Cơ sở Bảo Phương 2",
        "tax_code": "0109000005",
        "ward_code": PHUONG_TAY_HO,
        "street": "Phường Thụy Khuê, quận Tây Hồ (cũ)",
    },
]

PARTNERS = [
    {
        "name": "Chuỗi nhà hàng Xôi Hà Thành (demo)",
        "tax_code": "0109000101",
        "ward_code": PHUONG_HOAN_KIEM,
        "street": "Phố Hàng Bông",
    },
]

USERS = [
    {"email": "admin@ocop.example", "name": "Quản trị viên", "is_admin": True},
    {"email": "shopper@ocop.example", "name": "Nguyễn Thu Hà", "phone": "0912345678"},
    {"email": "producer@ocop.example", "name": "Trần Văn Thượng", "producer": "0109000001"},
    {"email": "partner@ocop.example", "name": "Lê Minh Anh", "partner": "0109000101"},
]


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


def seed() -> dict[str, int]:
    """Add whatever demo rows are missing; return how many of each were added. Flushes only."""
    added = {"producers": 0, "partners": 0, "users": 0}
    producers = {}
    for data in PRODUCERS:
        org, created = _organisation(Producer, data)
        producers[org.tax_code] = org
        added["producers"] += created
    partners = {}
    for data in PARTNERS:
        org, created = _organisation(Partner, data)
        partners[org.tax_code] = org
        added["partners"] += created

    for data in USERS:
        user = db.session.scalar(select(User).where(User.email == data["email"]))
        if user is not None:
            continue
        user = User(
            email=data["email"],
            name=data["name"],
            phone=data.get("phone"),
            password_hash=hash_password(DEMO_PASSWORD),
            is_admin=data.get("is_admin", False),
        )
        db.session.add(user)
        db.session.flush()
        if "producer" in data:
            db.session.add(ProducerMember(user_id=user.id, producer_id=producers[data["producer"]].id, role="owner"))
        if "partner" in data:
            db.session.add(PartnerMember(user_id=user.id, partner_id=partners[data["partner"]].id, role="owner"))
        added["users"] += 1
    db.session.flush()
    return added
