"""Webhook fixtures: a local receiver (an HTTP server on 127.0.0.1 in a thread) that records what
it is sent and answers as told (a status, or too late); the app told that 127.0.0.1 may be sent
to over plain HTTP (outside production only); a restaurant partner on net-15 terms and two
producers' products; helpers to register endpoints and send what is due."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from shop.extensions import db
from shop.integrations import webhooks
from shop.integrations.models import WebhookDelivery, WebhookEvent
from shop.mail.services import run_committed_work
from shop.wholesale.delivery import Window
from shop.wholesale.ordering import PartnerOrderRequest, place_partner_order
from tests.support.builders import a_producer, stocked
from tests.support.partners import make_partner, owner_of

TUESDAY = date(2026, 12, 1)  # the tests' clock: Monday 30 Nov 2026, 09:00 in Hà Nội
EARLY = Window(6 * 60, 8 * 60)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers each request with the next of `answers` (then `default`): a status code,
    ("slow", seconds) to wait that long before answering 200, or ("long", n) to answer 200 with
    n three-byte characters. Records every request."""

    server: ThreadingHTTPServer
    requests: list[Received] = field(default_factory=list)
    answers: list = field(default_factory=list)
    default: object = 200
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def next_answer(self):
        with self.lock:
            return self.answers.pop(0) if self.answers else self.default

    def events(self, event_type: str | None = None) -> list[dict]:
        with self.lock:
            bodies = [r.json for r in self.requests]
        return [b for b in bodies if event_type is None or b["type"] == event_type]

    def for_path(self, path: str) -> list[Received]:
        with self.lock:
            return [r for r in self.requests if r.path == path]


def _handler(receiver_ref: list):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802  (http.server's name)
            receiver: Receiver = receiver_ref[0]
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with receiver.lock:
                receiver.requests.append(Received(self.path, dict(self.headers.items()), body))
            answer = receiver.next_answer()
            status, payload = 200, b'{"ok": true}'
            if isinstance(answer, tuple) and answer[0] == "slow":
                time.sleep(answer[1])
            elif isinstance(answer, tuple) and answer[0] == "long":
                payload = "ồ".encode() * answer[1]
            elif isinstance(answer, int):
                status = answer
                payload = payload if status < 300 else b"receiver says no"
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                if 300 <= status < 400:
                    self.send_header("Location", receiver.url + "/elsewhere")
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the sender gave up waiting

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def receiver():
    ref: list = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(ref))
    server.daemon_threads = True
    ref.append(Receiver(server))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield ref[0]
    server.shutdown()
    server.server_close()


@pytest.fixture
def app_config(app_config):
    from tests.checkout.conftest import BANK

    return {**app_config, **BANK, "WEBHOOK_INSECURE_HOSTS": ["127.0.0.1"], "WEBHOOK_TIMEOUT_SECONDS": 1}


@pytest.fixture(autouse=True)
def _mail_goes_out_while_the_engine_is_open(app):
    yield
    # Mail these service tests queued goes out now, while the app's engine is still open (at the
    # app context's end it would open a connection that nothing closes).
    run_committed_work()
    db.session.remove()


@pytest.fixture
def partner(app):
    return make_partner("Nhà hàng Sen Tây Hồ", payment_terms="net15", credit_limit_vnd=50_000_000)


@pytest.fixture
def xoi_maker(app):
    return a_producer(name="HTX Xôi Phú Thượng")


@pytest.fixture
def tea_maker(app):
    return a_producer(name="HTX Chè Sen Quảng An")


@pytest.fixture
def xoi(xoi_maker):
    return stocked("Xôi Phú Thượng", on_hand=200, price=30_000, shelf_life_days=1, producer=xoi_maker).variants[0]


@pytest.fixture
def tea(tea_maker):
    return stocked(
        "Chè sen Quảng An", on_hand=50, price=200_000, shelf_life_days=365, group="do-uong", producer=tea_maker
    ).variants[0]


def endpoint_for(organisation, receiver: Receiver, events=None, *, path: str = "/hooks", kind: str | None = None):
    """Register (and commit) an endpoint of `organisation` at the receiver for `events` (all of
    its kind's by default). Returns (endpoint, secret)."""
    kind = kind or ("partner" if type(organisation).__name__ == "Partner" else "producer")
    owner = {"producer_id": organisation.id} if kind == "producer" else {"partner_id": organisation.id}
    endpoint, secret = webhooks.register_endpoint(
        url=receiver.url + path,
        events=events or webhooks.events_for(kind),
        description="ERP",
        by=owner_of(organisation) if kind == "partner" else None,
        **owner,
    )
    db.session.commit()
    return endpoint, secret


def order_for(partner, *lines, day=TUESDAY, window=EARLY, commit=True, **fields):
    """A partner's order of (variant, quantity) lines, placed as its buyers place them."""
    request = PartnerOrderRequest(
        location=partner.locations[0],
        quantities=[(variant.id, quantity) for variant, quantity in lines],
        delivery_date=day,
        window=window,
        **fields,
    )
    with force_locale("en"):
        order = place_partner_order(partner, request, actor_user_id=None, email="bep@sentayho.vn", locale="vi")
    if commit:
        db.session.commit()
    return order


def events_of(event_type: str | None = None, **owner) -> list[WebhookEvent]:
    query = select(WebhookEvent).order_by(WebhookEvent.id)
    if event_type:
        query = query.where(WebhookEvent.type == event_type)
    for name, value in owner.items():
        query = query.where(getattr(WebhookEvent, name) == value)
    return list(db.session.scalars(query))


def deliveries() -> list[WebhookDelivery]:
    return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def send() -> tuple[int, int]:
    """Send what is due, as `flask shop send-webhooks` does, and read the results afresh."""
    result = webhooks.send_due()
    db.session.expire_all()
    return result
