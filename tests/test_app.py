import pytest
from sqlalchemy import func, select

from shop import create_app
from shop.accounts.models import User
from shop.config import ConfigError
from shop.extensions import db
from tests.conftest import csrf_token_from, submit
from tests.factories import PASSWORD, UserFactory

# --- Language ---------------------------------------------------------------------------------


def test_vietnamese_is_the_default_language(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="vi">' in page
    assert "Đăng nhập" in page


def test_a_first_visit_follows_accept_language(client):
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"}).get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Log in" in page
    page = client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9"}).get_data(as_text=True)
    assert '<html lang="vi">' in page


def test_the_language_switch_sticks_for_the_session_and_returns_to_the_same_page(client):
    response = submit(client, "/lang", {"lang": "en", "next": "/account/login"}, page="/account/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/login"
    # The choice beats the browser's language from now on.
    page = client.get("/cart", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Your cart is empty." in page


def test_the_language_switch_is_saved_on_the_profile_of_a_logged_in_user(client, login):
    user = UserFactory(locale="vi")
    login(user.email, PASSWORD)
    submit(client, "/lang", {"lang": "en", "next": "/"}, page="/")
    db.session.refresh(user)
    assert user.locale == "en"


def test_the_profile_language_applies_at_the_next_login(client, login):
    user = UserFactory(locale="en")
    login(user.email, PASSWORD)
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page


def test_the_language_chosen_before_signing_up_is_kept_on_the_new_account(client):
    import re

    from shop.mail.models import OutboundMail

    submit(client, "/lang", {"lang": "en", "next": "/"}, page="/")
    submit(client, "/account/register", {"email": "lan@example.vn"})
    mail = db.session.scalar(select(OutboundMail))
    assert mail.subject == "Finish creating your account at Chợ OCOP"  # in the language she chose
    link = re.search(r"http://shop\.test(/account/register/\S+)", mail.body_text).group(1)
    submit(client, link, {"name": "Lan", "password": "password-1", "confirm": "password-1"})
    assert db.session.scalar(select(User.locale)) == "en"


@pytest.mark.parametrize("data", [{"lang": "fr"}, {"lang": ""}, {}])
def test_an_unknown_language_changes_nothing(client, data):
    submit(client, "/lang", {**data, "next": "/"}, page="/")
    assert '<html lang="vi">' in client.get("/").get_data(as_text=True)


def test_the_language_switch_never_redirects_off_site(client):
    response = submit(client, "/lang", {"lang": "en", "next": "https://evil.example/"}, page="/")
    assert response.headers["Location"] == "/"


# --- Error pages ------------------------------------------------------------------------------


def test_404_page_in_both_languages(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.get_data(as_text=True)
    response = client.get("/no-such-page", headers={"Accept-Language": "en"})
    assert "Page not found" in response.get_data(as_text=True)


def test_405_is_a_friendly_page(client):
    response = client.post("/", headers={"Accept-Language": "en"})
    assert response.status_code == 405  # no CSRF check for a route that takes no POST
    assert "<h1>Method not allowed</h1>" in response.get_data(as_text=True)


def test_errors_are_json_for_json_clients(client):
    response = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


@pytest.fixture
def boom_app(app_config):
    app = create_app(app_config)

    @app.route("/boom")
    def boom():
        User.query  # noqa: B018
        db.session.add(User(email="half@example.vn", name="Half", password_hash="x"))
        db.session.flush()
        raise RuntimeError("unexpected")

    return app


def test_500_page_is_friendly_and_rolls_back(boom_app):
    client = boom_app.test_client()
    response = client.get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Đã xảy ra lỗi" in body
    assert "RuntimeError" not in body
    with boom_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
    response = client.get("/boom", headers={"Accept-Language": "en"})
    assert "Something went wrong" in response.get_data(as_text=True)


# --- Security ---------------------------------------------------------------------------------


def test_security_headers_and_a_csp_without_inline_scripts(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers
    assert "<script>" not in response.get_data(as_text=True)


def test_over_https_cookies_are_secure_and_hsts_is_sent(client):
    UserFactory(email="ha@example.vn")
    html = client.get("/account/login", base_url="https://shop.test").get_data(as_text=True)
    from tests.conftest import csrf_token_from

    # Over HTTPS the CSRF check also wants a same-site Referer, as browsers send.
    response = client.post(
        "/account/login",
        base_url="https://shop.test",
        headers={"Referer": "https://shop.test/account/login"},
        data={"csrf_token": csrf_token_from(html), "email": "ha@example.vn", "password": PASSWORD, "remember": "y"},
    )
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies and all("Secure" in c for c in cookies)
    assert "max-age=" in response.headers["Strict-Transport-Security"]


def test_pages_for_logged_in_users_are_not_cached(client, login):
    UserFactory(email="ha@example.vn")
    login("ha@example.vn", PASSWORD)
    assert "no-store" in client.get("/account/profile").headers["Cache-Control"]


def test_secret_key_is_required_in_production(monkeypatch, tmp_path):
    monkeypatch.setenv("SHOP_INSTANCE_PATH", str(tmp_path))  # an instance folder with no secret_key
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        create_app({"SHOP_ENV": "production"})
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-secret")
    assert create_app({"SHOP_ENV": "production"}).config["SECRET_KEY"] == "a-long-random-production-secret"


def test_without_secret_key_the_app_uses_the_instance_folders_key(monkeypatch, tmp_path):
    from shop.config import from_environment

    monkeypatch.delenv("SECRET_KEY", raising=False)
    (tmp_path / "secret_key").write_text("key-made-by-make-run\n")
    assert from_environment("production", str(tmp_path))["SECRET_KEY"] == "key-made-by-make-run"
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert from_environment("production", str(tmp_path))["SECRET_KEY"] == "from-the-environment"


def test_output_is_escaped(client):
    response = client.get("/products?q=<script>alert(1)</script>")
    body = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_postgres_urls_use_the_psycopg_driver(monkeypatch, tmp_path):
    from shop.config import from_environment

    monkeypatch.setenv("DATABASE_URL", "postgresql://shop@127.0.0.1/shop")
    assert from_environment("testing", str(tmp_path))["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    monkeypatch.delenv("DATABASE_URL")
    assert from_environment("testing", str(tmp_path))["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/shop.db"


# --- Forms without a valid CSRF token, and rate limits ------------------------------------------


def _stale_token(app) -> str:
    """A real token, from another (say, an expired) session: not this session's."""
    other = app.test_client()
    return csrf_token_from(other.get("/account/login").get_data(as_text=True))


@pytest.mark.parametrize("token", ["missing", "stale"])
@pytest.mark.parametrize(
    ("url", "data", "heading"),
    [
        ("/account/login", {"email": "ha@example.vn", "password": PASSWORD}, "Đăng nhập"),
        ("/account/register", {"email": "lan@example.vn"}, "Tạo tài khoản"),
        ("/account/forgot", {"email": "ha@example.vn"}, "Đặt lại mật khẩu"),
    ],
)
def test_posts_without_a_valid_csrf_token_are_always_400_with_the_form(app, client, token, url, data, heading):
    """Today's sixth such POST to /account/login was a 500: the login limit fired inside the CSRF
    error handler."""
    from shop.mail.models import OutboundMail

    user = UserFactory(email="ha@example.vn")
    client.get(url)
    if token == "stale":
        data = {**data, "csrf_token": _stale_token(app)}
    for _ in range(12):
        response = client.post(url, data=data)
        body = response.get_data(as_text=True)
        assert response.status_code == 400
        assert f"<h1>{heading}</h1>" in body
        assert "Biểu mẫu đã hết hạn" in body
    # Nothing changed: not logged in, no mail, and a real attempt is not slowed down by them.
    assert client.get("/account/profile").status_code == 302
    db.session.refresh(user)
    assert user.last_login_at is None
    assert db.session.scalar(select(func.count()).select_from(OutboundMail)) == 0
    assert submit(client, "/account/login", {"email": "ha@example.vn", "password": PASSWORD}).status_code == 302


@pytest.fixture
def limited_app(app_config):
    """An app with a route limited by a Flask-Limiter decorator, as any package may add."""
    from flask import render_template_string

    from shop.extensions import limiter
    from shop.web import form_view

    app = create_app(app_config)

    @app.route("/limited", methods=["GET", "POST"])
    @form_view
    @limiter.limit("2 per minute")
    def limited():
        return render_template_string("<h1>Limited</h1>")

    return app


@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_a_rate_limit_is_a_429_with_retry_after_as_a_page_or_json(limited_app, accept):
    client = limited_app.test_client()
    headers = {"Accept": accept}
    assert [client.get("/limited", headers=headers).status_code for _ in range(2)] == [200, 200]
    response = client.get("/limited", headers=headers)
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    if accept == "application/json":
        assert response.json["error"]["code"] == "rate_limited"
    else:
        assert "Bạn đã thử quá nhiều lần" in response.get_data(as_text=True)


def test_a_rate_limit_reached_while_answering_a_bad_csrf_token_is_a_429_not_a_500(limited_app):
    client = limited_app.test_client()
    statuses = [client.post("/limited", data={}).status_code for _ in range(4)]
    assert statuses[:2] == [400, 400]
    assert statuses[2:] == [429, 429]
    assert "Retry-After" in client.post("/limited", data={}).headers
