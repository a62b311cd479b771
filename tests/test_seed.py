import shutil
from datetime import date
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import func, select

from shop import clock, create_app, geo
from shop.accounts.models import PartnerMember, ProducerMember, User
from shop.accounts.services import authenticate
from shop.audit.models import AuditEvent
from shop.catalog.certificate_review import scan_folder
from shop.catalog.certificates import (
    TWO_TIER_FROM,
    check_certificate,
    current_certificate,
    current_stars,
    default_valid_until,
)
from shop.catalog.groups import GROUPS, subgroup_belongs
from shop.catalog.listing import Filters, list_products
from shop.catalog.models import Certificate, Product, ProductImage, Variant
from shop.catalog.pages import product_page
from shop.demo import DEMO_ORDERS, DEMO_PASSWORD, USERS, demo_images, seed
from shop.demo_partners import ORDERS as PARTNER_ORDERS
from shop.demo_partners import STAFF as PARTNER_STAFF
from shop.errors import NotFound
from shop.extensions import db
from shop.fulfilment.models import Shipment
from shop.inventory.models import StockMovement
from shop.inventory.services import low_stock
from shop.mail.models import OutboundMail
from shop.mail.services import run_committed_work
from shop.orders.models import Order
from shop.partners.models import Partner
from shop.producers.models import Producer
from shop.settlements.models import Payout
from shop.settlements.periods import Period
from shop.settlements.services import month_totals
from tests.conftest import NOW

MODELS = (
    User,
    Producer,
    Partner,
    ProducerMember,
    PartnerMember,
    OutboundMail,
    Product,
    Variant,
    ProductImage,
    Certificate,
    Order,
    Payout,
    Shipment,
    StockMovement,
    AuditEvent,
)
# A day on which the demo's verified certificates (2024–2026 decisions, 36 months) are all valid.
# Tests read certificates for it rather than the stars copied onto products when seeding, which
# depend on the day the seed ran.
REFERENCE_DAY = date(2026, 12, 1)
TAY_HO_TAX_CODES = ("0109000015", "0109000022", "0109100034", "0109000047", "0109000054")


def seed_demo(runner, *args: str):
    """`flask shop seed-demo ARGS`. The command runs in the test's app context, so the mail it
    queued is delivered here, as the command's own context would at its end (not after the
    engine was disposed)."""
    result = runner.invoke(args=["shop", "seed-demo", *args])
    run_committed_work()
    return result


def snapshot():
    rows = {}
    for model in MODELS:
        table = model.__table__
        rows[table.name] = [tuple(r) for r in db.session.execute(select(table).order_by(*table.primary_key)).all()]
    return rows


def product(slug: str) -> Product:
    return db.session.scalar(select(Product).where(Product.slug == slug))


def producer(tax_code: str) -> Producer:
    return db.session.scalar(select(Producer).where(Producer.tax_code == tax_code))


@pytest.fixture
def app_config(app_config, tmp_path) -> dict:
    # The demo's pending certificate comes with a scan: keep it out of the repository's instance/.
    return {**app_config, "CERTIFICATE_SCAN_DIR": str(tmp_path / "certificates")}


@pytest.fixture(scope="module")
def seeded_sqlite(sqlite_template, tmp_path_factory) -> Path:
    """The migrated template with the demo seeded once, for the tests that only read the demo."""
    folder = tmp_path_factory.mktemp("seeded")
    path = folder / "shop.db"
    shutil.copy(sqlite_template, path)
    app = create_app(
        {
            "SHOP_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "MAIL_SERVER": "",
            "MAIL_OUTBOX_DIR": str(folder / "outbox"),
            "CERTIFICATE_SCAN_DIR": str(folder / "certificates"),
            "RATELIMIT_STORAGE_URI": "daemon-memory://",
        }
    )
    # Seeded at the tests' own instant (a session fixture runs outside each test's clock): the
    # demo's dates must agree with the clock the tests then read them with, on any real date.
    with time_machine.travel(NOW, tick=True), app.app_context():
        seed()
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return path


@pytest.fixture
def demo(app, seeded_sqlite, database_url):
    """The demo as `flask shop seed-demo` leaves it: this test's database becomes a copy of the one
    seeded once for the module (SQLite only; the seeding itself is tested on both databases)."""
    db.session.remove()
    db.engine.dispose()
    shutil.copy(seeded_sqlite, database_url.removeprefix("sqlite:///"))
    app.config["CERTIFICATE_SCAN_DIR"] = str(seeded_sqlite.parent / "certificates")
    return app


@pytest.mark.both_databases
def test_seed_demo_twice_leaves_the_same_rows(app, runner):
    first = seed_demo(runner)
    assert first.exit_code == 0, first.output
    after_first = snapshot()
    second = seed_demo(runner)
    assert second.exit_code == 0, second.output
    assert (
        "0 producers, 0 partners, 0 users, 0 products, 0 variants, 0 images, 0 certificates, 0 orders, "
        "0 payouts, 0 applications" in second.output
    )
    assert snapshot() == after_first
    assert len(after_first["users"]) == len(USERS) + len(PARTNER_STAFF)
    assert len(after_first["products"]) >= 35
    assert len(after_first["orders"]) == len(DEMO_ORDERS) + len(PARTNER_ORDERS)


def test_demo_accounts_can_log_in_with_their_roles(demo):
    roles = {u["email"]: authenticate(u["email"], DEMO_PASSWORD) for u in USERS}
    assert roles["admin@ocop.example"].is_admin
    assert roles["producer@ocop.example"].is_producer
    assert roles["partner@ocop.example"].is_partner
    second = roles["producer2@ocop.example"].producer_memberships
    assert [(m.producer.tax_code, m.role) for m in second] == [("0109000022", "owner")]
    applicant = roles["applicant@ocop.example"].producer_memberships
    assert [(m.producer.status, m.role) for m in applicant] == [("pending", "owner")]
    shopper = roles["shopper@ocop.example"]
    assert not (shopper.is_admin or shopper.is_producer or shopper.is_partner)


def test_demo_partner_staff_act_in_their_roles_and_the_chain_buys_on_terms(demo):
    members = {email: authenticate(email, DEMO_PASSWORD).partner_memberships[0] for email, *_ in PARTNER_STAFF}
    assert members["buyer@ocop.example"].role == "buyer"
    assert not members["buyer@ocop.example"].all_locations
    assert members["accountant@ocop.example"].role == "accountant"
    chain = members["accountant@ocop.example"].partner
    assert (chain.payment_terms, chain.credit_limit_vnd) == ("net15", 20_000_000)
    assert {location.name for location in chain.locations} == {"Chi nhánh Hàng Bông", "Chi nhánh Tây Hồ"}


def test_demo_producers_are_in_the_current_wards_of_tay_ho(demo):
    producers = {p.tax_code: p for p in db.session.scalars(select(Producer))}
    assert producers["0109000015"].ward_name == "Phường Phú Thượng"
    assert producers["0109000015"].craft_village == "Làng nghề Xôi Phú Thượng"
    assert producers["0109000022"].ward_name == "Phường Tây Hồ"
    assert producers["0109000022"].former_name == "Phường Quảng An, quận Tây Hồ (cũ)"
    assert {producers[code].province_name for code in TAY_HO_TAX_CODES} == {"Thành phố Hà Nội"}
    assert {producers[code].kind for code in ("0109000047", "0109000054")} == {"household"}
    for p in producers.values():
        assert geo.ward_in_province(p.province_code, p.ward_code), p.name
        if p.status == "pending":  # the application waiting for the admin: no logo of its own
            continue
        assert p.slug and p.story_vi and p.story_en and p.logo_path == f"img/producers/{p.slug}.svg"


def test_demo_catalog_spans_groups_provinces_and_producers(demo):
    published = db.session.scalars(select(Product).where(Product.status == "published")).all()
    assert len(published) >= 30
    assert db.session.scalar(select(func.count()).select_from(Producer)) >= 10
    assert {p.group_code for p in published} == {g.code for g in GROUPS}
    assert len({p.province_code for p in published}) >= 5
    assert 4 <= sum(p.featured for p in published) <= 8
    for p in published:
        assert 1 <= len(p.variants) <= 3, p.slug
        assert 1 <= len(p.images) <= 2, p.slug
        assert p.certificates, p.slug
        assert p.price_from_vnd == min(v.price_vnd for v in p.variants)
        assert p.search_folded and p.search_exact, p.slug
        assert geo.ward_in_province(p.province_code, p.ward_code), p.slug
        assert subgroup_belongs(p.group_code, p.subgroup_code), p.slug
    assert any(v.on_hand == 0 for p in published for v in p.variants)
    # A shopper finds products by the words they type, with or without diacritics.
    listing = list_products(Filters(q="xoi phu thuong"), today=clock.today())
    assert "xoi-phu-thuong" in [p.slug for p in listing.products]


def test_tay_ho_products_are_in_their_current_wards(demo):
    xoi = product("xoi-phu-thuong")
    assert (xoi.province_code, xoi.ward_code, xoi.ward_name) == (1, 91, "Phường Phú Thượng")
    assert xoi.shelf_life_days == 1
    che_sen = product("che-sen-quang-an")
    assert (che_sen.ward_code, che_sen.ward_name) == (103, "Phường Tây Hồ")
    assert "Quảng An" in che_sen.former_name
    dao = product("hoa-dao-nhat-tan")
    assert (dao.group_code, dao.subgroup_code, dao.ward_code) == ("sinh-vat-canh", "hoa", 103)
    assert "Nhật Tân" in dao.former_name
    assert dao.in_season(12) and dao.in_season(1) and dao.in_season(2) and not dao.in_season(6)
    for tax_code, count in (("0109000047", 3), ("0109000054", 4)):
        products = db.session.scalars(select(Product).where(Product.producer_id == producer(tax_code).id)).all()
        assert len(products) == count
        assert {current_certificate(p.certificates, REFERENCE_DAY).star_level for p in products} == {4}
        assert {p.ward_code for p in products} == {103}


def test_certificates_follow_the_rules_for_their_date(demo):
    certificates = db.session.scalars(select(Certificate)).all()
    for c in certificates:
        check_certificate(
            star_level=c.star_level,
            score=c.score,
            decision_date=c.decision_date,
            valid_until=c.valid_until,
            issuer_level=c.issuer_level,
            potential_five_star=c.potential_five_star,
        )
        assert c.valid_until == default_valid_until(c.decision_date)
        assert c.producer_id == c.product.producer_id
    levels = [c.star_level for c in certificates if c.verification_status == "verified"]
    assert levels.count(4) > levels.count(3) > levels.count(5) >= 2
    assert sum(c.potential_five_star for c in certificates) == 1
    assert {c.issuer_level for c in certificates if c.decision_date < TWO_TIER_FROM and c.star_level == 3} == {
        "district"
    }
    assert {c.issuer_level for c in certificates if c.decision_date >= TWO_TIER_FROM and c.star_level == 3} == {
        "province"
    }
    assert {c.decision_date.year for c in certificates} >= {2021, 2022, 2024, 2025, 2026}


def test_expired_and_pending_certificates_show_no_stars(demo):
    today = clock.today()
    expired = product("tra-sen-tui-loc-quang-an")
    assert [c.decision_date.year for c in expired.certificates] == [2021]
    assert expired.certificates[0].verification_status == "verified"
    pending = product("dao-the-chau-nhat-tan")
    assert [c.verification_status for c in pending.certificates] == ["pending"]
    for p in (expired, pending):
        assert current_certificate(p.certificates, today) is None
        assert current_stars(p, today) is None
    starred = list_products(Filters(stars=(3, 4, 5)), today=today, page_size=200)
    assert {"tra-sen-tui-loc-quang-an", "dao-the-chau-nhat-tan"}.isdisjoint(p.slug for p in starred.products)
    # A renewed product shows the stars of its current certificate, not of the lapsed one.
    xoi = product("xoi-phu-thuong")
    assert [c.decision_date.year for c in xoi.certificates] == [2025, 2022]
    assert current_certificate(xoi.certificates, REFERENCE_DAY).decision_number == "5210/QĐ-UBND"


def test_draft_and_archived_demo_products_never_show(demo):
    today = clock.today()
    hidden = {"xoi-la-cam-phu-thuong", "tra-sen-hop-thiec-quang-an-mau-cu"}
    assert {product(slug).status for slug in hidden} == {"draft", "archived"}
    listing = list_products(Filters(), today=today, page_size=200)
    published = db.session.scalar(select(func.count()).select_from(Product).where(Product.status == "published"))
    assert listing.total == published
    assert hidden.isdisjoint(p.slug for p in listing.products)
    found = list_products(Filters(q="Phú Thượng"), today=today, page_size=200)
    assert hidden.isdisjoint(p.slug for p in found.products)
    for slug in hidden:
        with pytest.raises(NotFound):
            product_page(slug, today=today)


def test_demo_pictures_are_committed_small_and_without_text(demo):
    static = Path(demo.static_folder)
    logos = select(Producer.logo_path).where(Producer.logo_path.is_not(None))  # an applicant has none yet
    paths = set(db.session.scalars(select(ProductImage.path))) | set(db.session.scalars(logos))
    drawn = demo_images()
    assert paths <= set(drawn)
    for path, svg in drawn.items():
        on_disk = static / path
        assert on_disk.read_text(encoding="utf-8") == svg, f"{path} is stale: run python -m shop.demo"
        assert len(svg.encode()) < 4096 and "<text" not in svg
    for image in db.session.scalars(select(ProductImage)):
        assert image.alt_vi and image.alt_en


@pytest.mark.both_databases
def test_seed_demo_products_adds_findable_synthetic_products(app, runner):
    result = seed_demo(runner, "--products", "50")
    assert result.exit_code == 0, result.output
    synthetic = db.session.scalars(
        select(Product).where(Product.slug.like("demo-synth-%")).order_by(Product.slug)
    ).all()
    assert [p.slug for p in synthetic] == [f"demo-synth-{n:06d}" for n in range(1, 51)]
    assert {p.status for p in synthetic} == {"published"}
    assert len({p.group_code for p in synthetic}) == 6
    for p in synthetic:
        assert p.search_folded and p.search_exact
        assert 1 <= len(p.variants) <= 3 and len(p.images) == 1 and len(p.certificates) == 1
        assert p.price_from_vnd == min(v.price_vnd for v in p.variants)
        assert geo.ward_in_province(p.province_code, p.ward_code)
        assert (Path(app.static_folder) / p.images[0].path).is_file()
    today = clock.today()
    for p in synthetic[:5]:
        listing = list_products(Filters(q=p.name_vi), today=today, page_size=100)
        assert p.slug in [found.slug for found in listing.products], p.name_vi

    again = seed_demo(runner, "--products", "5")
    assert again.exit_code == 0, again.output
    assert "0 products" in again.output
    last = db.session.scalar(select(func.max(Product.slug)).where(Product.slug.like("demo-synth-%")))
    assert last == "demo-synth-000055"


def test_seed_fills_in_producers_made_before_the_catalog(app, runner):
    # As the catalog migration left a demo producer: a slug made from its name and id, no details.
    old = Producer(
        name="HTX Chè Sen Quảng An",
        tax_code="0109000022",
        province_code=1,
        ward_code=103,
        status="active",
        slug="placeholder",
        kind="cooperative",
    )
    db.session.add(old)
    db.session.flush()
    old.slug = f"htx-che-sen-quang-an-{old.id}"
    db.session.commit()

    result = seed_demo(runner)
    assert result.exit_code == 0, result.output
    assert "16 producers" in result.output
    db.session.expire_all()
    filled = producer("0109000022")
    assert filled.id == old.id
    assert filled.slug == "htx-che-sen-quang-an"
    assert filled.former_name == "Phường Quảng An, quận Tây Hồ (cũ)"
    assert filled.logo_path == "img/producers/htx-che-sen-quang-an.svg"
    assert {p.producer_id for p in db.session.scalars(select(Product).where(Product.slug.like("%quang-an%")))} == {
        old.id
    }


def test_the_demo_producer_has_shipments_at_every_step_beside_another_producers(demo):
    xoi, che_sen = producer("0109000015"), producer("0109000022")
    shipments = db.session.scalars(
        select(Shipment)
        .join(Order)
        .where(Order.partner_id.is_(None))  # the shoppers' orders (the restaurant chain's are delivered)
        .order_by(Order.created_at, Shipment.producer_id)
    ).all()
    by_order: dict[int, dict[int, Shipment]] = {}
    for s in shipments:
        by_order.setdefault(s.order_id, {})[s.producer_id] = s
    # Every demo order has lines of both producers, so each has a shipment of the other one too.
    assert [set(parts) for parts in by_order.values()] == [{xoi.id, che_sen.id}] * len(DEMO_ORDERS)
    assert [parts[xoi.id].status for parts in by_order.values()] == ["delivered", "shipped", "packed", "open"]
    assert [parts[che_sen.id].status for parts in by_order.values()] == ["delivered", "open", "open", "open"]
    shipped = next(parts[xoi.id] for parts in by_order.values() if parts[xoi.id].status == "shipped")
    assert (shipped.carrier, shipped.tracking_number) == ("ghn", "GHN5KX72QP")
    orders = db.session.scalars(select(Order).where(Order.partner_id.is_(None)).order_by(Order.created_at)).all()
    assert [o.status for o in orders] == ["delivered", "processing", "processing", "confirmed"]
    assert {o.payment_method for o in orders} == {"cod"}
    # Placed by invented customers: the demo shopper's phone and email hold no open cash order.
    shopper = db.session.scalar(select(User).where(User.email == "shopper@ocop.example"))
    assert {o.email for o in orders}.isdisjoint({shopper.email}) and {o.phone for o in orders}.isdisjoint(
        {shopper.phone}
    )
    # The delivered one was last month's, and the shop has paid the co-operative that month's balance.
    delivered = next(parts[xoi.id] for parts in by_order.values() if parts[xoi.id].status == "delivered")
    month = Period.containing(clock.aware(delivered.delivered_at).astimezone(clock.VN).date())
    assert month < Period.current()
    payout = db.session.scalar(select(Payout).where(Payout.producer_id == xoi.id))
    assert payout.period == month.key and payout.amount_vnd > 0
    assert month_totals(xoi.id, month).balance_vnd == 0
    # The stock the shipped and delivered shipments took left the shelf through the ledger.
    assert db.session.scalar(select(func.count()).select_from(StockMovement).where(StockMovement.reason == "ship"))


def test_the_demo_portal_has_a_certificate_to_review_a_pack_running_low_and_an_application(demo):
    xoi = producer("0109000015")
    pending = db.session.scalar(
        select(Certificate).where(Certificate.producer_id == xoi.id, Certificate.verification_status == "pending")
    )
    assert pending.product.slug == "xoi-gac-phu-thuong"
    assert pending.decision_date < clock.today()
    assert (Path(scan_folder()) / pending.document_path).is_file()
    low, count = low_stock(xoi.id)
    assert count == 1 and low[0].sku == "XPT-MAM-2KG"
    assert xoi.bank_account_number and producer("0109000022").bank_account_number is None
    application = db.session.scalar(select(Producer).where(Producer.status == "pending"))
    assert application.tax_code == "0109100228" and application.kind == "household"
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"certificate.submit", "stock.threshold", "producer.apply"} <= actions


def test_the_demo_api_keys_act_for_the_demo_producer_and_chain_in_their_roles(demo):
    from shop.demo_api import DEMO_KEYS
    from shop.integrations import keys

    found = {secret: keys.authenticate(secret) for secret, *_ in DEMO_KEYS}
    assert all(found.values())
    roles = {key.role: keys.organisation_of(key).tax_code for key in found.values()}
    assert roles == {"producer": "0109000015", "ordering": "0109001019", "accounting": "0109001019"}
    client = demo.test_client()
    for secret in found:
        assert client.get("/api/v1/groups", headers={"Authorization": f"Bearer {secret}"}).status_code == 200


def test_the_demo_has_a_paused_webhook_endpoint_with_a_delivery_log_for_each_side(demo):
    from shop.integrations.models import WebhookDelivery, WebhookEndpoint

    endpoints = db.session.scalars(select(WebhookEndpoint)).all()
    assert {(bool(e.producer_id), bool(e.partner_id), e.active) for e in endpoints} == {
        (True, False, False),
        (False, True, False),
    }
    for endpoint in endpoints:
        assert endpoint.url.startswith("https://") and ".example/" in endpoint.url
        statuses = sorted(
            d.status for d in db.session.scalars(select(WebhookDelivery).filter_by(endpoint_id=endpoint.id))
        )
        assert statuses == ["delivered", "failed"]
