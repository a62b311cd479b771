"""Mail goes to addresses the shop has not verified (a guest types any address at checkout), so it
carries nothing a visitor typed but a clipped, link-free name, and no address gets more than
MAIL_LIMIT_PER_RECIPIENT_PER_HOUR messages an hour, whoever asks."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from shop.extensions import db
from shop.mail.content import MAX_NAME_LENGTH, OrderForMail, name_for_mail
from shop.mail.models import OutboundMail
from shop.orders.models import Order
from tests.checkout.test_views import add, checkout
from tests.checkout.test_views import place as place_from_review
from tests.conftest import submit
from tests.factories import UserFactory
from tests.mail.test_after_commit import queue
from tests.support.builders import cart_with, place, stocked

SPAM = "Click http://evil.example to claim your prize"


def bodies(message) -> str:
    return message.get_body(("plain",)).get_content() + message.get_body(("html",)).get_content()


def mail_count(to: str) -> int:
    return db.session.scalar(select(func.count()).select_from(OutboundMail).where(OutboundMail.to_addr == to))


def test_text_typed_at_checkout_reaches_the_mail_only_as_a_clipped_name(client, smtp_sink):
    tea = stocked("Chè Sen Quảng An", price=450_000, shelf_life_days=365)
    add(client, tea, "2")
    review = checkout(
        client,
        contact_name=SPAM,
        street="12 Đặng Thai Mai, see http://evil.example/street",
        delivery_note="Call 0900 123 456 or open www.evil.example/note to claim your prize",
        email="victim@example.vn",
    )
    place_from_review(client, review.get_data(as_text=True))
    order = db.session.scalar(select(Order))
    assert order.delivery_note  # the shop keeps the note for the courier; the mail does not repeat it

    [message] = smtp_sink.wait_for(1)
    text = bodies(message)
    assert "evil.example" not in text and "http://evil" not in text
    assert "0900 123 456" not in text and "claim your prize" not in text.replace(name_for_mail(SPAM), "")
    assert "Đặng Thai Mai" not in text
    # What the shop itself says: the number, its names for the lines, the total, its own link.
    assert order.number in message["Subject"] and order.number in text
    assert "Chè Sen Quảng An" in text and "920.000 ₫" in text
    assert "http://shop.test/orders/" + order.number in text


def test_a_name_in_mail_is_letters_only_and_clipped():
    assert name_for_mail(SPAM) == "Click http evil example to claim your prize"
    assert name_for_mail("Nguyễn Thị Lan") == "Nguyễn Thị Lan"
    assert name_for_mail("<b>Lan</b> 0912345678") == "b Lan b"
    assert name_for_mail("ｈｔｔｐｓ：／／evil．example") == "https evil example"  # full-width forms too
    long = name_for_mail("Nguyễn Văn " * 20)
    assert len(long) <= MAX_NAME_LENGTH and long.startswith("Nguyễn Văn Nguyễn")
    assert name_for_mail("http://") == "http" and name_for_mail("12345") == ""


def test_order_mail_templates_get_no_street_phone_email_or_note(app):
    tea = stocked("Chè Sen Quảng An", price=450_000, shelf_life_days=365)
    order = place(cart_with((tea, 1)), contact_name=SPAM, delivery_note="http://evil.example/note")
    seen = OrderForMail.of(order)
    for private in ("street", "ward_code", "phone", "email", "delivery_note"):
        assert not hasattr(seen, private)
    assert seen.contact_name == name_for_mail(SPAM)
    mail = db.session.scalar(select(OutboundMail).where(OutboundMail.to_addr == order.email))
    assert "evil.example" not in mail.body_text + mail.body_html


def test_a_name_left_empty_by_the_filter_gets_a_plain_greeting(app):
    tea = stocked("Chè Sen Quảng An", price=450_000, shelf_life_days=365)
    order = place(cart_with((tea, 1)), contact_name="0900 123 456")
    mail = db.session.scalar(select(OutboundMail).where(OutboundMail.to_addr == order.email))
    assert mail.body_text.startswith("Xin chào,\n")
    assert "0900" not in mail.body_text + mail.body_html


# At most N mails per address and hour -------------------------------------------------------------


def test_no_address_gets_more_than_ten_mails_an_hour(app, clock):
    assert app.config["MAIL_LIMIT_PER_RECIPIENT_PER_HOUR"] == 10
    queued = [queue("lan@example.vn" if n % 2 else " LAN@example.VN") for n in range(12)]
    db.session.commit()
    assert mail_count("lan@example.vn") == 10
    assert [m.id is None for m in queued] == [False] * 10 + [True] * 2
    assert queue("someone-else@example.vn").id is not None

    clock.shift(timedelta(minutes=61))
    assert queue("lan@example.vn").id is not None


def test_an_order_is_placed_even_when_its_address_had_its_mail_for_the_hour(app):
    app.config["MAIL_LIMIT_PER_RECIPIENT_PER_HOUR"] = 1
    tea = stocked("Chè Sen Quảng An", price=450_000, shelf_life_days=365)
    first = place(cart_with((tea, 1)), token="tok-1")
    second = place(cart_with((tea, 1)), token="tok-2", phone="0987 654 321")
    assert first.status == second.status == "confirmed"
    assert mail_count("lan@example.vn") == 1


def test_password_reset_mail_counts_towards_the_limit_and_the_page_says_the_same(app, client):
    app.config["MAIL_LIMIT_PER_RECIPIENT_PER_HOUR"] = 2
    UserFactory(email="ha@example.vn")
    answers = [submit(client, "/account/forgot", {"email": "ha@example.vn"}) for _ in range(3)]
    assert len({(a.status_code, a.headers.get("Location")) for a in answers}) == 1
    assert mail_count("ha@example.vn") == 2
