"""The app keeps no state in its processes: with REDIS_URL set, a login limit holds across two
separate gunicorn processes sharing one database and one Redis."""

import re

import pytest
import requests

from tests.support import servers

LIMIT = "3 per 5 minutes"


@pytest.fixture(scope="module")
def redis_server():
    redis = servers.start_redis()
    yield redis
    redis.stop()


@pytest.fixture
def two_shops(tmp_path):
    started = []

    def start(extra_env: dict):
        db_url = f"sqlite:///{tmp_path / 'shared.db'}"
        servers.migrate_database(db_url, tmp_path)
        env = {
            "DATABASE_URL": db_url,
            "SECRET_KEY": "shared-secret-for-both-processes",
            "LOGIN_LIMIT_PER_ACCOUNT": LIMIT,
            "LOGIN_LIMIT_PER_IP": "100 per minute",
            **extra_env,
        }
        for _ in range(2):
            started.append(servers.start_shop(env, instance=tmp_path))
        return started

    yield start
    for shop in started:
        shop.stop()


def failed_login(http: requests.Session, base: str) -> int:
    html = http.get(f"{base}/account/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    response = http.post(
        f"{base}/account/login",
        allow_redirects=False,
        data={"csrf_token": token, "email": "ha@example.vn", "password": "wrong-password"},
    )
    return response.status_code


def test_login_limit_holds_across_two_app_processes_with_redis(two_shops, redis_server):
    a, b = two_shops({"REDIS_URL": redis_server.url})
    http = requests.Session()
    statuses = [failed_login(http, shop.url) for shop in (a, b, a)]
    assert statuses == [400, 400, 400]
    assert failed_login(http, b.url) == 429  # the 4th attempt, on the process that saw only one
    assert failed_login(http, a.url) == 429


def test_without_redis_each_process_counts_alone(two_shops):
    # Why REDIS_URL matters when several processes serve the shop: memory:// is per process.
    a, b = two_shops({"REDIS_URL": ""})
    http = requests.Session()
    assert [failed_login(http, a.url) for _ in range(3)] == [400, 400, 400]
    assert failed_login(http, a.url) == 429
    assert failed_login(http, b.url) == 400
