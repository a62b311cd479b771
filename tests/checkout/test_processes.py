"""No overselling across processes: two gunicorn servers (two workers each) on one database, and
twenty shoppers pressing "Place order" at the same moment for the last five units."""

from __future__ import annotations

import re
import threading

import pytest
import requests
from sqlalchemy import func, select

from shop.catalog.models import Variant
from shop.extensions import db
from shop.inventory.services import ledger_totals
from shop.orders.models import Order
from tests.checkout.test_views import ADDRESS
from tests.support import servers
from tests.support.builders import stocked

SHOPPERS = 20
STOCK = 5
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}"[^>]*value="([^"]*)"', html).group(1)


@pytest.mark.both_databases
def test_twenty_shoppers_on_two_servers_buy_five_units(app, database_url, tmp_path):
    product = stocked("Hoa đào Nhật Tân", on_hand=STOCK, price=1_200_000, shelf_life_days=10)
    variant_id, slug = product.variants[0].id, product.slug
    db.session.remove()
    env = {"DATABASE_URL": database_url, "SECRET_KEY": "processes-test-key", "MAIL_SERVER": "", "REDIS_URL": ""}
    shops = [servers.start_shop(env, workers=2, instance=tmp_path) for _ in range(2)]
    try:
        # Each shopper fills a cart and reaches the review page on one of the servers.
        ready = []
        for n in range(SHOPPERS):
            base = shops[n % 2].url
            http = requests.Session()
            page = http.get(f"{base}/products/{slug}").text
            http.post(
                f"{base}/cart/add",
                data={"csrf_token": TOKEN.search(page).group(1), "variant_id": variant_id, "quantity": 1},
            )
            form = http.get(f"{base}/checkout").text
            http.post(
                f"{base}/checkout",
                data={
                    **ADDRESS,
                    "email": f"s{n}@example.vn",
                    "phone": f"0912 345 {n:03d}",
                    "csrf_token": TOKEN.search(form).group(1),
                },
            )
            review = http.get(f"{base}/checkout/review").text
            fields = {name: hidden(review, name) for name in ("csrf_token", "checkout_token", "expected_total")}
            # Drop the kept-alive connection (the server closes idle ones): the order is posted on a
            # fresh one, with the session cookie.
            http.close()
            ready.append((http, base, fields))

        start = threading.Barrier(SHOPPERS)
        results: list[str | None] = [None] * SHOPPERS

        def place(n: int) -> None:
            http, base, fields = ready[n]
            start.wait(timeout=30)
            response = http.post(f"{base}/checkout/place", data=fields, allow_redirects=True, timeout=60)
            results[n] = response.url if response.ok else f"HTTP {response.status_code}"

        threads = [threading.Thread(target=place, args=(n,)) for n in range(SHOPPERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    finally:
        for shop in shops:
            shop.stop()

    placed = [url for url in results if url and "/orders/OCOP-" in url]
    refused = [url for url in results if url and url.endswith("/cart")]
    assert len(placed) == STOCK, results
    assert len(refused) == SHOPPERS - STOCK, results  # sent back to the cart with "not enough stock"
    with app.app_context():
        variant = db.session.get(Variant, variant_id)
        assert (variant.on_hand, variant.reserved) == (STOCK, STOCK)
        assert ledger_totals(variant_id) == (STOCK, STOCK)
        assert db.session.scalar(select(func.count()).select_from(Order)) == STOCK
