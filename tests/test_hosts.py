"""A forged Host header changes no link: every absolute URL comes from SHOP_BASE_URL, production
serves only the shop's own host names, and forwarded headers count only from configured proxies."""

from __future__ import annotations

import re

import pytest
from flask import request

from shop import create_app
from tests.conftest import csrf_token_from
from tests.factories import UserFactory
from tests.support.builders import make_product

EVIL = {"Host": "evil.example"}


@pytest.fixture
def app_config(app_config):
    # As in production: no SERVER_NAME for url_for to fall back on, only the request's Host.
    return {**app_config, "SERVER_NAME": None}


@pytest.fixture
def product(app):
    return make_product("Chè Sen Quảng An")


def test_a_reset_link_mailed_after_a_forged_host_points_at_the_shop(client, smtp_sink):
    UserFactory(email="lan@example.vn")
    page = client.get("/account/forgot", headers=EVIL).get_data(as_text=True)
    client.post("/account/forgot", data={"csrf_token": csrf_token_from(page), "email": "lan@example.vn"}, headers=EVIL)
    (message,) = smtp_sink.wait_for(1)
    body = message.get_body(("plain",)).get_content()
    links = re.findall(r"https?://[^\s\"<>]+", body)
    assert links and all(link.startswith("http://shop.test/account/reset/") for link in links)
    assert "evil.example" not in message.as_string()


@pytest.mark.parametrize("path", ["/", "/products?stars=4", "/products/{slug}", "/producers/{producer}"])
def test_canonical_and_open_graph_links_ignore_the_host_header(client, product, path):
    url = path.format(slug=product.slug, producer=product.producer.slug)
    html = client.get(url, headers=EVIL).get_data(as_text=True)
    canonical = re.search(r'<link rel="canonical" href="([^"]+)"', html).group(1)
    og_image = re.search(r'<meta property="og:image" content="([^"]+)"', html).group(1)
    assert canonical.startswith("http://shop.test/") and og_image.startswith("http://shop.test/")
    assert "evil.example" not in html


def test_product_json_ld_sitemap_and_robots_point_at_the_shop(client, product):
    html = client.get(f"/products/{product.slug}", headers=EVIL).get_data(as_text=True)
    json_ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert f"http://shop.test/products/{product.slug}" in json_ld and "evil.example" not in json_ld
    sitemap = client.get("/sitemap.xml", headers=EVIL).get_data(as_text=True)
    assert f"<loc>http://shop.test/products/{product.slug}</loc>" in sitemap and "evil.example" not in sitemap
    robots = client.get("/robots.txt", headers=EVIL).get_data(as_text=True)
    assert "Sitemap: http://shop.test/sitemap.xml" in robots


@pytest.fixture
def production(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "production-test-key")
    monkeypatch.setenv("SHOP_INSTANCE_PATH", str(tmp_path))

    def make(**config):
        app = create_app(
            {
                "SHOP_ENV": "production",
                "SQLALCHEMY_DATABASE_URI": database_url,
                "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
                "PAGE_CACHE_SECONDS": 0,
                "SHOP_BASE_URL": "https://cho-ocop.vn",
                **config,
            }
        )
        return app

    return make


def test_production_answers_400_to_a_host_that_is_not_the_shops(production):
    app = production()
    client = app.test_client()
    assert client.get("/robots.txt", headers=EVIL).status_code == 400
    assert client.get("/robots.txt", headers={"Host": "cho-ocop.vn"}).status_code == 200
    # The port does not matter, and no other name is served unless it is listed.
    assert client.get("/robots.txt", headers={"Host": "cho-ocop.vn:443"}).status_code == 200
    assert client.get("/robots.txt", headers={"Host": "www.cho-ocop.vn"}).status_code == 400


def test_production_serves_the_extra_host_names_it_is_given(production):
    app = production(SHOP_ALLOWED_HOSTS=["www.cho-ocop.vn"])
    client = app.test_client()
    assert client.get("/robots.txt", headers={"Host": "www.cho-ocop.vn"}).status_code == 200
    assert client.get("/robots.txt", headers=EVIL).status_code == 400


def test_a_forwarded_host_from_an_untrusted_client_is_refused_in_production(production):
    client = production(TRUSTED_PROXIES=1).test_client()
    response = client.get("/robots.txt", headers={"Host": "cho-ocop.vn", "X-Forwarded-Host": "evil.example"})
    assert response.status_code == 400


def test_the_base_url_must_be_an_absolute_address(production):
    from shop.config import ConfigError

    for bad in ("cho-ocop.vn", "ftp://cho-ocop.vn", "https://", "https://cho-ocop.vn/?x=1"):
        with pytest.raises(ConfigError):
            production(SHOP_BASE_URL=bad)


def _client_ip_app(app_config, proxies: int):
    app = create_app({**app_config, "TRUSTED_PROXIES": proxies})
    app.add_url_rule("/_ip", "client_ip", lambda: request.remote_addr or "")
    return app.test_client()


@pytest.mark.parametrize(
    ("proxies", "seen"),
    [
        (0, "10.0.0.9"),  # nobody in front: the header is the client's own word and is ignored
        (1, "203.0.113.7"),  # one proxy: the address it appended, not what the client wrote before it
    ],
)
def test_forwarded_for_counts_only_for_the_configured_number_of_proxies(app, app_config, proxies, seen):
    client = _client_ip_app(app_config, proxies)
    response = client.get(
        "/_ip",
        headers={"X-Forwarded-For": "1.2.3.4, 203.0.113.7"},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert response.get_data(as_text=True) == seen
