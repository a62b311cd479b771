"""Order lifecycle: the transition table, cancelling, staff moves, expiry, emails, commands."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from shop.catalog.models import Variant
from shop.extensions import db
from shop.fulfilment import services as fulfilment
from shop.inventory.services import ledger_totals
from shop.mail.models import OutboundMail
from shop.models_base import utcnow
from shop.orders import services as orders
from shop.orders.models import Order
from tests.checkout.test_views import add, checkout
from tests.checkout.test_views import place as place_via_http
from tests.conftest import submit
from tests.factories import UserFactory
from tests.support.builders import cart_with, place


def variant_of(product) -> Variant:
    return db.session.get(Variant, product.variants[0].id)


@pytest.mark.parametrize(
    ("start", "target"),
    [
        ("pending_payment", "shipped"),
        ("confirmed", "pending_payment"),
        ("shipped", "cancelled"),
        ("delivered", "refunded"),
        ("cancelled", "confirmed"),
        ("refunded", "cancelled"),
    ],
)
def test_illegal_moves_raise(products, start, target):
    order = place(cart_with((products["tea"], 1)))
    order.status = start
    db.session.commit()
    with pytest.raises(orders.IllegalTransition):
        orders.transition(order, target)


def test_a_stale_order_cannot_be_moved_twice(products):
    order = place(cart_with((products["tea"], 1)))
    db.session.execute(Order.__table__.update().values(status="cancelled"))  # someone else cancelled it
    with pytest.raises(orders.ConflictError):
        orders.transition(order, "processing")


def test_cancel_returns_the_stock_exactly_once(products):
    order = place(cart_with((products["tea"], 3)))
    orders.cancel(order, reason="shopper")
    db.session.commit()
    assert variant_of(products["tea"]).reserved == 0
    with pytest.raises(orders.IllegalTransition):
        orders.cancel(order, reason="shopper")
    db.session.rollback()
    assert ledger_totals(products["tea"].variants[0].id) == (10, 0)


def test_shipping_takes_the_stock_off_the_shelf(products):
    # Staff's moves go through the order's shipments (shop/fulfilment): the stock leaves with them.
    order = place(cart_with((products["tea"], 2)))
    fulfilment.advance_order(order, "processing")
    fulfilment.advance_order(order, "shipped")
    db.session.commit()
    tea = variant_of(products["tea"])
    assert (tea.on_hand, tea.reserved) == (8, 0)
    assert ledger_totals(tea.id) == (8, 0)
    fulfilment.advance_order(order, "delivered")
    assert order.paid_at is not None  # cash collected on delivery


def test_shopper_cancels_before_shipping_and_gets_an_email(client, products, smtp_sink):
    add(client, products["tea"], "2")
    place_via_http(client, checkout(client).get_data(as_text=True))
    order = db.session.scalar(select(Order))
    assert any(order.number in m["Subject"] for m in smtp_sink.messages)
    response = submit(client, f"/orders/{order.number}/cancel", {}, page=f"/orders/{order.number}")
    assert response.status_code == 302
    db.session.refresh(order)
    assert order.status == "cancelled"
    assert variant_of(products["tea"]).reserved == 0
    subjects = [m["Subject"] for m in smtp_sink.messages]
    assert len(subjects) == 2 and "hủy" in subjects[1]


def test_order_mail_is_in_the_shoppers_language(client, products, smtp_sink):
    client.post("/lang", data={"lang": "en"})  # no CSRF token: ignored, so use the form
    submit(client, "/lang", {"lang": "en", "next": "/"}, page="/")
    add(client, products["tea"])
    place_via_http(client, checkout(client).get_data(as_text=True))
    order = db.session.scalar(select(Order))
    assert order.locale == "en"
    message = smtp_sink.messages[-1]
    assert message["Subject"].startswith(f"Your order {order.number}")
    assert "key=" in message.get_body(("plain",)).get_content()


def test_smtp_down_still_places_the_order_and_mail_is_retried(client, products, runner, smtp_sink_server, app):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)  # nothing listens there
    add(client, products["tea"])
    response = place_via_http(client, checkout(client).get_data(as_text=True))
    assert response.status_code == 302
    order = db.session.scalar(select(Order))
    pending = db.session.scalar(select(OutboundMail).where(OutboundMail.status == "pending"))
    assert pending is not None and order.number in pending.subject
    smtp_sink_server.messages.clear()
    app.config.update(MAIL_PORT=smtp_sink_server.port)
    result = runner.invoke(args=["shop", "send-pending-mail"])
    assert result.exit_code == 0, result.output
    assert any(order.number in m["Subject"] for m in smtp_sink_server.messages)


def test_expire_orders_command_releases_stock(products, runner):
    order = place(cart_with((products["tea"], 4)), payment_method="vietqr")
    db.session.execute(Order.__table__.update().values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    result = runner.invoke(args=["shop", "expire-orders"])
    assert result.exit_code == 0 and "1" in result.output
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "cancelled"
    assert variant_of(products["tea"]).reserved == 0
    assert runner.invoke(args=["shop", "expire-orders"]).output.startswith("Expired 0")


def test_a_forgotten_cron_job_cannot_hold_stock(client, products):
    """Expiry is applied where stock is reserved (pages only read it): adding to the cart gets the
    units back. Placing an order does too (tests/checkout/test_reads_write_nothing.py)."""
    order = place(cart_with((products["rice"], 5), key="slow-payer"), payment_method="vietqr")
    add(client, products["rice"], "1")
    assert (
        "hết hàng" in client.get("/cart").get_data(as_text=True).lower() or variant_of(products["rice"]).available == 0
    )
    db.session.execute(Order.__table__.update().values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    response = add(client, products["rice"], "2")
    assert response.status_code == 302
    assert 'value="2"' in client.get("/cart").get_data(as_text=True)
    assert db.session.get(Order, order.id).status == "cancelled"


def test_stock_command_sets_stock_through_the_ledger(products, runner):
    sku = products["tea"].variants[0].sku
    result = runner.invoke(args=["shop", "stock", sku, "--set", "25"])
    assert result.exit_code == 0, result.output
    assert "25" in result.output
    assert ledger_totals(products["tea"].variants[0].id) == (25, 0)
    place(cart_with((products["tea"], 3)))
    refused = runner.invoke(args=["shop", "stock", sku, "--set", "2"])
    assert refused.exit_code != 0 and "3" in refused.output
    assert runner.invoke(args=["shop", "stock", "NO-SUCH-SKU", "--set", "1"]).exit_code != 0
    assert runner.invoke(args=["shop", "stock", sku, "--set", "-1"]).exit_code != 0


def test_admin_marks_a_transfer_received(client, products, login, smtp_sink):
    order = place(cart_with((products["tea"], 1)), payment_method="vietqr")
    UserFactory(email="boss@example.vn", is_admin=True)
    login("boss@example.vn", "correct-horse-9")
    page = client.get(f"/admin/orders/{order.number}")
    assert page.status_code == 200
    response = submit(
        client, f"/admin/orders/{order.number}/payment-received", {}, page=f"/admin/orders/{order.number}"
    )
    assert response.status_code == 302
    db.session.refresh(order)
    assert order.status == "confirmed" and order.paid_at is not None
    assert any(order.number in m["Subject"] for m in smtp_sink.messages)


def test_shoppers_cannot_use_admin_order_actions(client, products, login):
    order = place(cart_with((products["tea"], 1)), payment_method="vietqr")
    UserFactory(email="an@example.vn")
    login("an@example.vn", "correct-horse-9")
    assert client.get(f"/admin/orders/{order.number}").status_code == 403
    response = submit(client, f"/admin/orders/{order.number}/payment-received", {}, page="/")
    assert response.status_code == 403
    db.session.refresh(order)
    assert order.status == "pending_payment"


def test_my_orders_lists_only_mine(client, products, login):
    me = UserFactory(email="an@example.vn")
    other = UserFactory(email="binh@example.vn")
    mine = place(cart_with((products["tea"], 1), user_id=me.id), user_id=me.id, token="a")
    theirs = place(cart_with((products["rice"], 1), user_id=other.id), user_id=other.id, token="b")
    login("an@example.vn", "correct-horse-9")
    page = client.get("/account/orders").get_data(as_text=True)
    assert mine.number in page and theirs.number not in page
    assert client.get(f"/orders/{theirs.number}").status_code == 404
    assert client.get(f"/orders/{mine.number}").status_code == 200


def test_vietqr_page_shows_the_code_and_the_same_details_as_text(client, products):
    add(client, products["tea"])
    place_via_http(client, checkout(client, payment_method="vietqr").get_data(as_text=True))
    order = db.session.scalar(select(Order))
    page = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "<svg" in page and 'role="img"' in page
    assert "0011004455667" in page and order.number in page and "470.000 ₫" in page


def test_stock_held_by_orders_is_not_for_sale_in_the_catalog(client, products):
    from shop import clock
    from shop.catalog.listing import Filters, list_products

    place(cart_with((products["rice"], 5)))
    listing = list_products(Filters(in_stock=True), today=clock.today())
    assert products["rice"].id not in [p.id for p in listing.products]
    assert products["tea"].id in [p.id for p in listing.products]
    page = client.get(f"/products/{products['rice'].slug}").get_data(as_text=True)
    assert "Hết hàng" in page and "OutOfStock" in page
