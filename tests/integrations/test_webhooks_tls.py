"""In production a delivery goes over HTTPS to the address checked when the host was resolved (not
to whatever the name resolves to a moment later), and the certificate is verified for the
endpoint's host name all the same."""

from __future__ import annotations

import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from shop.integrations import sending, webhooks


def certificate(tmp_path, name: str):
    """A self-signed certificate for `name` (its own CA). Returns (cert file, key file)."""
    cert, key = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert)]
        + ["-days", "2", "-subj", f"/CN={name}", "-addext", f"subjectAltName=DNS:{name}"],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def tls_receiver(tmp_path):
    """An HTTPS server on 127.0.0.1 presenting a certificate for hooks.example.vn."""
    cert, key = certificate(tmp_path, "hooks.example.vn")
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            seen.append((self.headers["Host"], self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], cert, seen
    server.shutdown()
    server.server_close()


@pytest.fixture
def production(app):
    app.config["SHOP_ENV"] = "production"
    yield app
    app.config["SHOP_ENV"] = "testing"


def test_production_connects_to_the_checked_address_and_verifies_the_hosts_certificate(
    production, tls_receiver, monkeypatch, tmp_path
):
    port, cert, seen = tls_receiver
    looked_up = []

    def resolved(host, port):  # as if DNS said: a public address (here the test's server)
        looked_up.append(host)
        return ["127.0.0.1"]

    monkeypatch.setattr(webhooks, "public_addresses", resolved)
    trusting = ssl.create_default_context  # the real one, before it is replaced below
    monkeypatch.setattr(sending.ssl, "create_default_context", lambda: trusting(cafile=str(cert)))

    answer = sending.post(
        f"https://hooks.example.vn:{port}/ocop", b"{}", {"Content-Type": "application/json"}, timeout=5
    )
    assert (answer.status_code, answer.error) == (204, None)
    assert looked_up == ["hooks.example.vn"]
    assert seen == [(f"hooks.example.vn:{port}", b"{}")]

    # A certificate for another name is refused, whatever the address.
    other, _ = certificate(tmp_path, "other.example.vn")
    monkeypatch.setattr(sending.ssl, "create_default_context", lambda: trusting(cafile=str(other)))
    refused = sending.post(f"https://hooks.example.vn:{port}/ocop", b"{}", {}, timeout=5)
    assert refused.status_code is None and refused.error.startswith("TLS error")
    assert len(seen) == 1
