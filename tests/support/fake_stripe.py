"""A small fake of the Stripe API for tests, served on 127.0.0.1 by a thread in the test process.

Point the official client at it:
``stripe.StripeClient("sk_test_x", base_addresses={"api": fake.url}, max_network_retries=0)``.

It fakes: Checkout Sessions in payment mode with ``price_data`` line items in VND (create, retrieve,
expire), refunds of paid sessions (create, retrieve), Stripe's form encoding, Bearer ``sk_…`` auth,
the error shape, idempotency keys (and their expiry: ``forget_idempotency_keys``), outages and
answers lost after Stripe acted (``fail_next``), the customer paying (``pay``) and signed webhook
events (``event``, ``sign``, ``webhook``, ``refund_event``).
A ``GET /pay/{id}`` page stands in for the hosted checkout page (it only shows the amount).

It does not fake: other endpoints or modes, ``price`` ids, ``expand``, list endpoints, PaymentIntent
or Charge endpoints, API versions, delivery of webhooks (tests post them to the app themselves),
pagination, test clocks or Stripe's range checks on ``expires_at``. Responses are sent with
``Connection: close`` so no pooled sockets outlive a test.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import stripe

Response = tuple[int, dict[str, Any]]


def parse_form(text: str) -> dict[str, Any]:
    """Stripe's encoding: ``a[b][0][c]=1`` → ``{"a": {"b": [{"c": "1"}]}}`` (values stay strings)."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        base, _, rest = key.partition("[")
        parts = [base, *rest[:-1].split("][")] if rest else [base]
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _listify(root)


def _listify(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    items = {k: _listify(v) for k, v in node.items()}
    if items and all(k.isdigit() for k in items):
        return [items[k] for k in sorted(items, key=int)]
    return items


def _error(status: int, message: str, type_: str = "invalid_request_error", **extra: Any) -> Response:
    return status, {"error": {"type": type_, "message": message, **extra}}


def _missing_param(name: str) -> Response:
    return _error(400, f"Missing required param: {name}.", code="parameter_missing", param=name)


def _int(value: Any, minimum: int) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() and int(value) >= minimum else None


class FakeStripe:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._ids = itertools.count(1)
        self.url = ""
        self.requests: list[tuple[str, str, dict[str, Any], str | None]] = []
        self._sessions: dict[str, dict[str, Any]] = {}
        self._refunds: dict[str, dict[str, Any]] = {}
        self._intents: dict[str, dict[str, Any]] = {}  # pi_… → charge id, amount, refunded, metadata
        self._idempotent: dict[str, tuple[tuple[str, str, dict[str, Any]], Response]] = {}
        self._failures: list[tuple[int, bool, bool]] = []

    # lifecycle
    def start(self) -> FakeStripe:
        fake = self

        class Handler(_Handler):
            stripe_fake = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="fake-stripe", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            assert self._thread is not None
            self._thread.join(5)
            self._server = self._thread = None

    def __enter__(self) -> FakeStripe:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # state for assertions (copies)
    @property
    def sessions(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return json.loads(json.dumps({k: self._public(v) for k, v in self._sessions.items()}))

    @property
    def refunds(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return json.loads(json.dumps(self._refunds))

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}_{uuid.uuid4().hex[:20]}{next(self._ids)}"

    # test controls
    def fail_next(self, n: int = 1, status: int = 500, drop: bool = False, after: bool = False) -> None:
        """The next n API requests answer ``status`` with an ``api_error`` body, or (drop) get no answer.
        With ``after`` each request is carried out first (and remembered under its idempotency key)
        and only its answer is lost, as when a client times out after Stripe acted."""
        with self._lock:
            self._failures.extend([(status, drop, after)] * n)

    def forget_idempotency_keys(self) -> None:
        """As Stripe does 24 hours after a key was first used: the same key then makes a new request."""
        with self._lock:
            self._idempotent.clear()

    def pay(self, session_id: str) -> dict[str, Any]:
        """The customer pays: the open session becomes complete/paid with a new ``pi_…``."""
        with self._lock:
            session = self._open_session(session_id)
            pi = self._new_id("pi")
            metadata = session["_payment_intent_metadata"]
            self._intents[pi] = {"charge": self._new_id("ch"), "amount": session["amount_total"], "refunded": 0,
                                 "metadata": metadata, "created": int(time.time())}  # fmt: skip
            session.update(status="complete", payment_status="paid", payment_intent=pi)
            return self._public(session)

    def expire(self, session_id: str) -> dict[str, Any]:
        with self._lock:
            session = self._open_session(session_id)
            session["status"] = "expired"
            return self._public(session)

    def _open_session(self, session_id: str) -> dict[str, Any]:
        session = self._sessions[session_id]
        if session["status"] != "open":
            raise ValueError(f"session {session_id} is {session['status']}, not open")
        return session

    # webhooks
    def event(self, type: str, obj: dict[str, Any], previous_attributes: dict | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {"object": obj}
        if previous_attributes is not None:
            data["previous_attributes"] = previous_attributes
        return {"id": self._new_id("evt"), "object": "event", "type": type, "created": int(time.time()),
                "livemode": False, "api_version": stripe.api_version, "pending_webhooks": 1,
                "request": {"id": None, "idempotency_key": None}, "data": data}  # fmt: skip

    @staticmethod
    def sign(payload: bytes | str, secret: str, timestamp: int | None = None) -> str:
        """A ``Stripe-Signature`` header value; bytes are decoded first, as the verifier does."""
        if isinstance(payload, bytes):
            payload = payload.decode("utf-8")
        return stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp=timestamp)

    def webhook(self, type: str, obj: dict[str, Any], secret: str) -> tuple[bytes, dict[str, str]]:
        """A signed delivery: (body, headers) ready to post to the app's webhook endpoint."""
        body = json.dumps(self.event(type, obj)).encode()
        return body, {"Content-Type": "application/json", "Stripe-Signature": self.sign(body, secret)}

    def charge(self, payment_intent: str) -> dict[str, Any]:
        """The charge behind a paid session, with its refunds so far (as in ``charge.refunded``)."""
        with self._lock:
            pi = self._intents[payment_intent]
            return {"id": pi["charge"], "object": "charge", "amount": pi["amount"], "amount_captured": pi["amount"],
                    "amount_refunded": pi["refunded"], "refunded": pi["refunded"] >= pi["amount"], "paid": True,
                    "captured": True, "status": "succeeded", "currency": "vnd", "payment_intent": payment_intent,
                    "metadata": dict(pi["metadata"]), "livemode": False, "created": pi["created"]}  # fmt: skip

    def refund_event(self, refund_id: str, type: str = "charge.refunded") -> dict[str, Any]:
        """``charge.refunded`` (a charge object) or ``refund.created/updated/failed`` (the refund object)."""
        refund = self.refunds[refund_id]
        if type == "charge.refunded":
            return self.event(type, self.charge(refund["payment_intent"]))
        if type.startswith("refund."):
            return self.event(type, refund)
        raise ValueError(f"not a refund event type: {type}")

    # the API
    def handle(self, method: str, target: str, body: str, headers: Any) -> Response | None:
        """One API request → (status, body); None means drop the connection."""
        parts = urlsplit(target)
        path, params = parts.path, parse_form(body if method == "POST" else parts.query)
        key = headers.get("Idempotency-Key")
        with self._lock:
            self.requests.append((method, path, params, key))
            failure = self._failures.pop(0) if self._failures else None
            if failure and not failure[2]:
                return self._failure(*failure[:2])
            response = self._answer(method, path, params, key, headers)
            return self._failure(*failure[:2]) if failure else response

    @staticmethod
    def _failure(status: int, drop: bool) -> Response | None:
        return None if drop else _error(status, "Fake Stripe outage.", "api_error")

    def _answer(self, method: str, path: str, params: dict[str, Any], key: str | None, headers: Any) -> Response:
        """The API's answer (called with the lock held)."""
        auth = headers.get("Authorization") or ""
        if not auth.startswith("Bearer sk_"):
            return _error(401, "Invalid API Key provided: expected `Authorization: Bearer sk_…`.")
        signature = (method, path, params)
        if method == "POST" and key and key in self._idempotent:
            seen, response = self._idempotent[key]
            if seen != signature:
                return _error(400, "Keys for idempotent requests can only be used with the same parameters "
                              f"they were first used with. Try using a key other than '{key}' if you meant "
                              "to execute a different request.", "idempotency_error")  # fmt: skip
            return response
        response = self._route(method, path, params)
        if method == "POST" and key and response[0] < 300:
            self._idempotent[key] = (signature, response)
        return response

    def _route(self, method: str, path: str, params: dict[str, Any]) -> Response:
        if (method, path) == ("POST", "/v1/checkout/sessions"):
            return self._create_session(params)
        if (method, path) == ("POST", "/v1/refunds"):
            return self._create_refund(params)
        if (m := re.fullmatch(r"/v1/checkout/sessions/([^/]+)", path)) and method == "GET":
            session = self._sessions.get(m[1])
            return (200, self._public(session)) if session else self._missing("checkout.session", m[1])
        if (m := re.fullmatch(r"/v1/checkout/sessions/([^/]+)/expire", path)) and method == "POST":
            session = self._sessions.get(m[1])
            if session is None:
                return self._missing("checkout.session", m[1])
            if session["status"] != "open":
                return _error(400, 'Only Checkout Sessions with a status in ["open"] can be expired.')
            session["status"] = "expired"
            return 200, self._public(session)
        if (m := re.fullmatch(r"/v1/refunds/([^/]+)", path)) and method == "GET":
            refund = self._refunds.get(m[1])
            return (200, dict(refund)) if refund else self._missing("refund", m[1])
        return self._unknown(method, path)

    @staticmethod
    def _missing(kind: str, id_: str) -> Response:
        return _error(404, f"No such {kind}: '{id_}'", code="resource_missing", param="id")

    @staticmethod
    def _unknown(method: str, path: str) -> Response:
        return _error(404, f"Unrecognized request URL ({method}: {path}).")

    @staticmethod
    def _public(session: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in session.items() if not k.startswith("_")}

    def _create_session(self, p: dict[str, Any]) -> Response:
        if p.get("mode") != "payment":
            return _error(400, "This fake only supports mode=payment.", param="mode")
        for name in ("success_url", "cancel_url"):
            if not p.get(name):
                return _missing_param(name)
        if p.get("currency", "vnd") != "vnd":
            return _error(400, "This fake only supports currency=vnd.", param="currency")
        items = p.get("line_items")
        if not isinstance(items, list) or not items:
            return _missing_param("line_items")
        total = 0
        for i, item in enumerate(items):
            price = item.get("price_data") if isinstance(item, dict) else None
            if not isinstance(price, dict):
                return _error(400, "This fake needs price_data on each line item.", param=f"line_items[{i}]")
            unit, qty = _int(price.get("unit_amount"), 0), _int(item.get("quantity"), 1)
            if unit is None or qty is None:
                return _error(400, "unit_amount and quantity must be integers.", param=f"line_items[{i}]")
            if price.get("currency") != "vnd" or not (price.get("product_data") or {}).get("name"):
                return _error(400, "price_data needs currency=vnd and product_data[name].", param=f"line_items[{i}]")
            total += unit * qty
        expires_at = p.get("expires_at")
        if expires_at is not None and _int(expires_at, 1) is None:
            return _error(400, "Invalid integer: expires_at.", param="expires_at")
        sid, now = self._new_id("cs_test"), int(time.time())
        session = {"id": sid, "object": "checkout.session", "url": f"{self.url}/pay/{sid}", "mode": "payment",
                   "status": "open", "payment_status": "unpaid", "payment_intent": None, "amount_subtotal": total,
                   "amount_total": total, "currency": "vnd", "client_reference_id": p.get("client_reference_id"),
                   "metadata": p.get("metadata") or {}, "expires_at": int(expires_at or now + 86400),
                   "success_url": p["success_url"], "cancel_url": p["cancel_url"], "locale": p.get("locale"),
                   "customer_email": p.get("customer_email"), "livemode": False, "created": now,
                   "_payment_intent_metadata": (p.get("payment_intent_data") or {}).get("metadata") or {}}  # fmt: skip
        self._sessions[sid] = session
        return 200, self._public(session)

    def _create_refund(self, p: dict[str, Any]) -> Response:
        pi_id = p.get("payment_intent")
        if not pi_id:
            return _missing_param("payment_intent")
        pi = self._intents.get(pi_id)
        if pi is None:
            return self._missing("payment_intent", pi_id)
        remaining = pi["amount"] - pi["refunded"]
        amount = _int(p["amount"], 1) if "amount" in p else remaining
        if amount is None:
            return _error(400, "Invalid positive integer: amount.", param="amount")
        if remaining == 0:
            return _error(400, f"Charge {pi['charge']} has already been refunded.", code="charge_already_refunded")
        if amount > remaining:
            return _error(400, f"Refund amount ({amount} ₫) is greater than unrefunded amount on charge "
                          f"({remaining} ₫)", param="amount")  # fmt: skip
        pi["refunded"] += amount
        refund = {"id": self._new_id("re"), "object": "refund", "amount": amount, "currency": "vnd",
                  "payment_intent": pi_id, "charge": pi["charge"], "status": "succeeded", "reason": p.get("reason"),
                  "metadata": p.get("metadata") or {}, "created": int(time.time())}  # fmt: skip
        self._refunds[refund["id"]] = refund
        return 200, dict(refund)


class _Handler(BaseHTTPRequestHandler):
    stripe_fake: FakeStripe

    def do_GET(self) -> None:
        if m := re.fullmatch(r"/pay/([^/?]+)", self.path):
            session = self.stripe_fake.sessions.get(m[1])
            text = f"Fake Stripe Checkout {m[1]}: {session['amount_total']} VND" if session else "No such session"
            self._send(200 if session else 404, text.encode(), "text/plain; charset=utf-8")
        else:
            self._api("GET")

    def do_POST(self) -> None:
        self._api("POST")

    def _api(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        response = self.stripe_fake.handle(method, self.path, body, self.headers)
        if response is None:
            self.close_connection = True  # no status line: the client sees the connection drop
            return
        status, payload = response
        self._send(status, json.dumps(payload).encode(), "application/json")

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Request-Id", f"req_{uuid.uuid4().hex[:14]}")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        pass
