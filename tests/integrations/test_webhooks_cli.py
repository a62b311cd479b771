"""`flask shop send-webhooks`: one round, and the worker loop, which keeps sending what becomes due
and stops cleanly on SIGTERM; a sender that died mid-send leaves its delivery to the next one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from shop import clock as shop_clock
from shop.extensions import db
from shop.integrations import webhooks
from shop.integrations.models import WebhookDelivery
from tests.integrations.conftest import endpoint_for, send
from tests.support.builders import a_producer

ROOT = Path(__file__).resolve().parents[2]


def stock_event(producer, sku="XOI-1"):
    webhooks.record_event("stock.low", producer_id=producer.id, data={"sku": sku})
    db.session.commit()


def test_one_round_sends_what_is_due_and_says_so(app, runner, receiver):
    producer = a_producer()
    endpoint_for(producer, receiver)
    stock_event(producer, "A")
    stock_event(producer, "B")
    result = runner.invoke(args=["shop", "send-webhooks"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Delivered 2, failed tries 0"
    assert [r.json["data"]["sku"] for r in receiver.requests] == ["A", "B"]


def test_a_delivery_claimed_by_a_sender_that_died_is_sent_once_the_claim_lapses(app, receiver, clock):
    producer = a_producer()
    endpoint_for(producer, receiver)
    stock_event(producer)
    delivery = db.session.scalar(select(WebhookDelivery))
    delivery.claimed_until = shop_clock.now() + timedelta(seconds=70)  # claimed, then the process died
    db.session.commit()

    assert send() == (0, 0)
    clock.shift(timedelta(seconds=71))
    assert send() == (1, 0)
    assert len(receiver.requests) == 1


def wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_the_worker_loop_keeps_sending_and_stops_cleanly_on_sigterm(app, receiver, tmp_path):
    producer = a_producer()
    endpoint_for(producer, receiver)
    stock_event(producer, "FIRST")
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL"}}
    env.update(
        FLASK_APP="wsgi",
        SHOP_ENV="testing",
        SHOP_INSTANCE_PATH=str(tmp_path),
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        SHOP_TEST_CLOCK=shop_clock.now().isoformat(),
        WEBHOOK_INSECURE_HOSTS="127.0.0.1",
        MAIL_SERVER="",
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "shop", "send-webhooks", "--loop", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        try:
            wait_for(lambda: len(receiver.requests) == 1)
            stock_event(producer, "SECOND")  # recorded while the worker waits
            wait_for(lambda: len(receiver.requests) == 2)
        except AssertionError:
            worker.kill()
            out, err = worker.communicate()
            raise AssertionError(f"the worker sent {len(receiver.requests)} of 2; it said:\n{out}\n{err}") from None
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()
    assert worker.returncode == 0, err
    assert "Traceback" not in err
    assert out.strip().splitlines()[-1] == "Stopped"
    assert [r.json["data"]["sku"] for r in receiver.requests] == ["FIRST", "SECOND"]
    db.session.expire_all()
    assert {d.status for d in db.session.scalars(select(WebhookDelivery))} == {"delivered"}
