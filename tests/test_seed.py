import pytest
from sqlalchemy import select

from shop.accounts.models import PartnerMember, ProducerMember, User
from shop.accounts.services import authenticate
from shop.demo import DEMO_PASSWORD, USERS
from shop.extensions import db
from shop.mail.models import OutboundMail
from shop.partners.models import Partner
from shop.producers.models import Producer

MODELS = (User, Producer, Partner, ProducerMember, PartnerMember, OutboundMail)


def snapshot():
    rows = {}
    for model in MODELS:
        table = model.__table__
        rows[table.name] = [tuple(r) for r in db.session.execute(select(table).order_by(*table.primary_key)).all()]
    return rows


@pytest.mark.both_databases
def test_seed_demo_twice_leaves_the_same_rows(app, runner):
    first = runner.invoke(args=["shop", "seed-demo"])
    assert first.exit_code == 0, first.output
    after_first = snapshot()
    second = runner.invoke(args=["shop", "seed-demo"])
    assert second.exit_code == 0, second.output
    assert "0 producers, 0 partners, 0 users" in second.output
    assert snapshot() == after_first
    assert len(after_first["users"]) == len(USERS)


def test_demo_accounts_can_log_in_with_their_roles(app, runner):
    runner.invoke(args=["shop", "seed-demo"])
    roles = {u["email"]: authenticate(u["email"], DEMO_PASSWORD) for u in USERS}
    assert roles["admin@ocop.example"].is_admin
    assert roles["producer@ocop.example"].is_producer
    assert roles["partner@ocop.example"].is_partner
    shopper = roles["shopper@ocop.example"]
    assert not (shopper.is_admin or shopper.is_producer or shopper.is_partner)


def test_demo_producers_are_in_the_current_wards_of_tay_ho(app, runner):
    runner.invoke(args=["shop", "seed-demo"])
    producers = {p.name: p for p in db.session.scalars(select(Producer))}
    assert producers["HTX Dịch vụ Nông nghiệp Xôi Phú Thượng"].ward_name == "Phường Phú Thượng"
    assert producers["HTX Chè Sen Quảng An"].ward_name == "Phường Tây Hồ"
    assert {p.province_name for p in producers.values()} == {"Thành phố Hà Nội"}
