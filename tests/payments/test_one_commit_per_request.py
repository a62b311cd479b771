"""A request commits at most once, at the end of the work it does. Placing an order and paying
online are two requests, so the provider is never asked while an order's transaction is open and
neither request commits twice."""

from __future__ import annotations

import re
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine

from shop.extensions import db
from shop.orders.models import Order
from tests.checkout.test_views import add, checkout, place
from tests.conftest import csrf_token_from
from tests.payments.conftest import cancel, paid_card_order

WRITE = re.compile(r"^\s*(?:INSERT INTO|UPDATE|DELETE FROM)\s+(\S+)", re.IGNORECASE)


class Commits(list):
    """The COMMITs a request sent to the database, each with the tables it wrote."""

    def work(self) -> list[set[str]]:
        """Commits of the request's own work: mail delivery after the commit (the outbox
        noting what it sent) is not part of it."""
        return [tables for tables in self if tables - {"outbound_mail"}]


@contextmanager
def counted_commits():
    commits, written = Commits(), set()

    def on_statement(conn, cursor, statement, parameters, context, executemany):
        match = WRITE.match(statement)
        if match:
            written.add(match.group(1).strip('"'))

    def on_commit(conn):
        commits.append(set(written))
        written.clear()

    event.listen(Engine, "before_cursor_execute", on_statement)
    event.listen(Engine, "commit", on_commit)
    try:
        yield commits
    finally:
        event.remove(Engine, "before_cursor_execute", on_statement)
        event.remove(Engine, "commit", on_commit)


def test_placing_a_cash_order_commits_once(client, tea):
    add(client, tea, "1")
    review = checkout(client, payment_method="cod").get_data(as_text=True)
    with counted_commits() as commits:
        placed = place(client, review)
    assert placed.status_code == 302 and "/orders/OCOP-" in placed.headers["Location"]
    assert len(commits.work()) == 1


def test_placing_a_card_order_and_paying_are_one_commit_each(client, tea, stripe_api):
    add(client, tea, "1")
    review = checkout(client, payment_method="stripe").get_data(as_text=True)
    with counted_commits() as commits:
        placed = place(client, review)
    assert len(commits.work()) == 1
    assert not stripe_api.sessions  # Stripe is not asked while placing

    with counted_commits() as commits:
        page = client.get(placed.headers["Location"])
    assert page.status_code == 200 and commits.work() == []
    html = page.get_data(as_text=True)
    assert "data-autosubmit" in html and f'action="/orders/{placed.headers["Location"].split("/")[-2]}/pay"' in html

    number = placed.headers["Location"].split("/")[-2]
    with counted_commits() as commits:
        paid = client.post(f"/orders/{number}/pay", data={"csrf_token": csrf_token_from(html)})
    assert len(commits.work()) == 1
    (session,) = stripe_api.sessions.values()
    assert paid.headers["Location"] == session["url"]


def test_cancelling_commits_once_and_a_card_refund_records_stripes_answer_apart(client, tea, stripe_api):
    add(client, tea, "1")
    placed = place(client, checkout(client, payment_method="cod").get_data(as_text=True))
    number = placed.headers["Location"].rstrip("/").split("/")[-1]
    with counted_commits() as commits:
        cancel(client, Order.query.filter_by(number=number).one())
    assert len(commits.work()) == 1

    order = paid_card_order(client, tea, stripe_api)
    with counted_commits() as commits:
        cancel(client, order)
    # First "cancelled, refund due" (stock, events, the order), then what Stripe answered.
    first, second = commits.work()
    assert {"orders", "order_events", "variants"} <= first
    assert "orders" in second and second <= {"orders", "order_events", "outbound_mail"}  # and the "refunded" mail
    db.session.refresh(order)
    assert order.refund_status == "sent" and not order.refund_due
