"""Mail queued in a transaction is sent after that transaction commits, at the end of the request
or command, by one mechanism: no view or command has to remember to send it."""

from __future__ import annotations

import contextvars
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from shop.extensions import csrf, db
from shop.mail.models import OutboundMail
from shop.mail.services import queue_mail
from tests.checkout.conftest import BANK
from tests.support.builders import cart_with, place, stocked


def queue(to: str) -> OutboundMail:
    return queue_mail(
        to=to,
        template="password_reset",
        locale="vi",
        user=SimpleNamespace(name="Lan"),
        reset_url="http://shop.test/account/reset/x",
        max_age_minutes=60,
    )


def recipients(messages) -> set[str]:
    return {str(message["To"]) for message in messages}


@pytest.fixture
def views(app):
    """Views as any part of the shop writes them: queue mail in the work, then commit (or not)."""

    def commits():
        queue("committed@example.vn")
        db.session.commit()
        return "ok"

    def rolls_back():
        queue("rolled-back@example.vn")
        db.session.rollback()
        queue("after-rollback@example.vn")
        db.session.commit()
        return "ok"

    def never_commits():
        queue("never-committed@example.vn")
        return "ok"

    def savepoint():
        queue("outside@example.vn")
        try:
            with db.session.begin_nested():
                queue("inside@example.vn")
                raise ValueError("the savepoint is rolled back")
        except ValueError:
            pass
        db.session.commit()
        return "ok"

    for view in (commits, rolls_back, never_commits, savepoint):
        app.add_url_rule(f"/_test/{view.__name__}", view_func=csrf.exempt(view), methods=["POST"])


def test_mail_queued_in_a_request_that_commits_is_sent(client, views, smtp_sink):
    assert client.post("/_test/commits").status_code == 200
    assert recipients(smtp_sink.wait_for(1)) == {"committed@example.vn"}
    assert db.session.scalar(select(OutboundMail.status)) == "sent"


def test_mail_queued_in_a_transaction_that_rolls_back_is_not_sent(client, views, smtp_sink):
    assert client.post("/_test/rolls_back").status_code == 200
    smtp_sink.wait_for(2, timeout=1)
    assert recipients(smtp_sink.messages) == {"after-rollback@example.vn"}
    assert db.session.scalars(select(OutboundMail.to_addr)).all() == ["after-rollback@example.vn"]


def test_mail_of_a_request_that_never_commits_is_neither_kept_nor_sent(client, views, smtp_sink):
    assert client.post("/_test/never_commits").status_code == 200
    smtp_sink.wait_for(1, timeout=1)
    assert smtp_sink.messages == []
    assert db.session.scalar(select(OutboundMail)) is None


def test_a_rolled_back_savepoint_drops_only_its_own_mail(client, views, smtp_sink):
    assert client.post("/_test/savepoint").status_code == 200
    smtp_sink.wait_for(2, timeout=1)
    assert recipients(smtp_sink.messages) == {"outside@example.vn"}


def test_mail_is_sent_after_the_commit_not_inside_the_transaction(app, client, views, smtp_sink, monkeypatch):
    from shop.mail import services

    seen = []
    real_send = services._send

    def send(mail):
        # The message being sent is already committed: another connection can read it.
        with db.engine.connect() as other:
            seen.append(other.scalar(select(OutboundMail.to_addr).where(OutboundMail.id == mail.id)))
        real_send(mail)

    monkeypatch.setattr(services, "_send", send)
    client.post("/_test/commits")
    assert seen == ["committed@example.vn"]


def invoke_as_the_flask_command_does(app, *args):
    """Run a command in its own app context, as `flask …` does (the test's context is not shared)."""
    return contextvars.Context().run(app.test_cli_runner().invoke, args=list(args))


def test_a_command_that_commits_sends_its_mail(app, smtp_sink):
    @app.cli.command("queue-test-mail")
    def queue_test_mail():
        queue("from-a-command@example.vn")
        db.session.commit()

    result = invoke_as_the_flask_command_does(app, "queue-test-mail")
    assert result.exit_code == 0, result.output
    assert recipients(smtp_sink.wait_for(1)) == {"from-a-command@example.vn"}
    db.session.expire_all()
    assert db.session.scalar(select(OutboundMail.status)) == "sent"


def test_expire_orders_mails_each_cancellation_once(app, smtp_sink, clock):
    app.config.update(BANK)
    tea = stocked("Chè Sen Quảng An", price=450_000, shelf_life_days=365)
    order = place(cart_with((tea, 1)), payment_method="vietqr")
    clock.shift(timedelta(days=2))  # past the transfer's 24 hours

    result = invoke_as_the_flask_command_does(app, "shop", "expire-orders")
    assert result.exit_code == 0, result.output
    smtp_sink.wait_for(2, timeout=1)
    # The order-placed mail was queued in the test's own context: only the cancellation is sent.
    assert len(smtp_sink.messages) == 1
    assert order.number in smtp_sink.messages[0]["Subject"]
