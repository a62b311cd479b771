"""The app keeps no state in its processes: with REDIS_URL set, the wait after failed log-ins holds
across two separate gunicorn processes sharing one database and one Redis."""

import re

import pytest
import requests

from tests.support import servers

FREE_FAILURES = "3"  # after the third failure the next try must wait 2 seconds


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
            "LOGIN_FREE_FAILURES": FREE_FAILURES,
            "LOGIN_FREE_FAILURES_PER_IP": "100",
            **extra_env,
        }
        for _ in range(2):
            started.append(servers.start_shop(env, instance=tmp_path))
        return started

    yield start
    for shop in started:
        shop.stop()


def failed_login(http: requests.Session, base: str) -> requests.Response:
    html = http.get(f"{base}/account/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    return http.post(
        f"{base}/account/login",
        allow_redirects=False,
        data={"csrf_token": token, "email": "ha@example.vn", "password": "wrong-password"},
    )


def test_login_wait_holds_across_two_app_processes_with_redis(two_shops, redis_server):
    a, b = two_shops({"REDIS_URL": redis_server.url})
    http = requests.Session()
    statuses = [failed_login(http, shop.url).status_code for shop in (a, b, a)]
    assert statuses == [400, 400, 400]
    waiting = failed_login(http, b.url)  # the 4th attempt, on the process that saw only one
    assert waiting.status_code == 429
    assert waiting.headers["Retry-After"] in {"1", "2"}
    assert failed_login(http, a.url).status_code == 429


def test_without_redis_each_process_counts_alone(two_shops):
    # Why REDIS_URL matters when several processes serve the shop: memory:// is per process.
    a, b = two_shops({"REDIS_URL": ""})
    http = requests.Session()
    assert [failed_login(http, a.url).status_code for _ in range(3)] == [400, 400, 400]
    assert failed_login(http, a.url).status_code == 429
    assert failed_login(http, b.url).status_code == 400
