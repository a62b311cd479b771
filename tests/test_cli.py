import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from shop import create_app
from shop.accounts.models import User
from shop.accounts.services import authenticate
from shop.extensions import db
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[1]


def test_create_admin_reads_the_password_from_the_environment(app, runner, monkeypatch):
    monkeypatch.setenv("SHOP_ADMIN_PASSWORD", "admin-password-1")
    result = runner.invoke(args=["shop", "create-admin", "Boss@Example.vn"])
    assert result.exit_code == 0, result.output
    assert "Created admin boss@example.vn" in result.output
    assert authenticate("boss@example.vn", "admin-password-1").is_admin


def test_create_admin_asks_for_the_password(app, runner, monkeypatch):
    monkeypatch.delenv("SHOP_ADMIN_PASSWORD", raising=False)
    result = runner.invoke(
        args=["shop", "create-admin", "boss@example.vn"], input="admin-password-1\nadmin-password-1\n"
    )
    assert result.exit_code == 0, result.output
    assert authenticate("boss@example.vn", "admin-password-1").is_admin


def test_create_admin_asks_for_a_new_password_for_an_existing_account_too(app, runner, monkeypatch):
    """So that `create-admin admin@ocop.example` on a shop seeded by mistake does not leave the
    demo's published password on an admin."""
    from shop.accounts.services import start_login_session, user_for_session_id
    from shop.extensions import db

    monkeypatch.delenv("SHOP_ADMIN_PASSWORD", raising=False)
    user = UserFactory(email="lan@example.vn")
    token = start_login_session(user, remember=True)
    db.session.commit()

    refused = runner.invoke(args=["shop", "create-admin", "lan@example.vn"], input="")
    assert refused.exit_code != 0
    db.session.refresh(user)
    assert not user.is_admin

    result = runner.invoke(
        args=["shop", "create-admin", "LAN@example.vn"], input="admin-password-1\nadmin-password-1\n"
    )
    assert result.exit_code == 0, result.output
    assert "Password:" in result.output and "admin-password-1" not in result.output  # hidden, asked twice
    assert "Repeat for confirmation:" in result.output
    assert "Updated admin lan@example.vn" in result.output
    db.session.refresh(user)
    assert authenticate("lan@example.vn", "admin-password-1").is_admin
    assert user_for_session_id(f"{user.id}:{token}") is None  # whoever knew the old password is out


def test_create_admin_takes_the_password_from_the_environment_for_an_existing_account(app, runner, monkeypatch):
    UserFactory(email="lan@example.vn")
    monkeypatch.setenv("SHOP_ADMIN_PASSWORD", "admin-password-2")
    result = runner.invoke(args=["shop", "create-admin", "lan@example.vn"])
    assert result.exit_code == 0, result.output
    assert "Password:" not in result.output
    assert authenticate("lan@example.vn", "admin-password-2").is_admin


def test_create_admin_refuses_a_short_password_and_writes_nothing(app, runner, monkeypatch):
    monkeypatch.setenv("SHOP_ADMIN_PASSWORD", "short")
    result = runner.invoke(args=["shop", "create-admin", "boss@example.vn"])
    assert result.exit_code != 0
    assert "8" in result.output
    from sqlalchemy import func, select

    from shop.accounts.models import User
    from shop.extensions import db

    assert db.session.scalar(select(func.count()).select_from(User)) == 0


# --- Demo data only in development; commands sign with the app's key ------------------------------


@pytest.fixture
def production_runner(app_config, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-secret")
    app = create_app({**app_config, "SHOP_ENV": "production"})
    with app.app_context():
        yield app.test_cli_runner()
        db.session.remove()
        db.engine.dispose()


def test_seed_demo_refuses_in_production(production_runner):
    result = production_runner.invoke(args=["shop", "seed-demo"])
    assert result.exit_code != 0
    assert "SHOP_ENV=production" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def _make(*args: str, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in {"SHOP_ENV", "MAKEFLAGS", "MAKELEVEL"}}
    done = subprocess.run(
        ["make", "--no-print-directory", "-n", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_make_run_loads_the_demo_on_a_laptop_and_never_in_production():
    assert "flask shop seed-demo" in _make("run")
    assert "flask shop seed-demo" in _make("run", SHOP_ENV="development")
    production = _make("run", SHOP_ENV="production")
    assert "flask shop seed-demo" not in production
    assert "flask db upgrade" in production and "gunicorn" in production


def test_commands_read_the_instance_secret_key_as_the_served_app_does(sqlite_template, tmp_path):
    """`make run` makes instance/secret_key and does not export it: with SHOP_ENV=production and
    no SECRET_KEY, a command run by hand afterwards must find the key, as the app does."""
    shutil.copy(sqlite_template, tmp_path / "shop.db")
    (tmp_path / "secret_key").write_text("key-made-by-make-run\n")
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "SHOP_TEST_CLOCK"}}
    env.update(
        FLASK_APP="wsgi",
        SHOP_ENV="production",
        SHOP_INSTANCE_PATH=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'shop.db'}",
        MAIL_SERVER="",
    )

    def flask(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )

    mail = flask("shop", "send-pending-mail")
    assert (mail.returncode, mail.stdout.strip()) == (0, "Sent 0, still pending 0"), mail.stderr
    stock = flask("shop", "stock", "NO-SUCH-SKU", "--set", "1")
    assert "SECRET_KEY" not in stock.stderr and "Traceback" not in stock.stderr, stock.stderr
    assert stock.returncode == 1 and "NO-SUCH-SKU" in stock.stderr  # the command itself ran, and said no


def test_certificate_reminders_mail_once_per_lead_time_however_often_they_run(app, runner, clock):
    from datetime import date, timedelta

    from shop.catalog.certificates import add_certificate
    from shop.mail.models import OutboundMail
    from tests.portal.conftest import a_member
    from tests.support.builders import a_producer, make_product

    producer = a_producer()
    owner = a_member(producer, role="owner")
    product = make_product("Chè sen Quảng An", producer=producer, stars=None)
    add_certificate(
        product,
        star_level=4,
        decision_number="1147/QĐ-UBND",
        decision_date=date(2025, 9, 15),
        issuing_body="UBND Thành phố Hà Nội",
        issuer_level="province",
        valid_until=date(2026, 11, 30) + timedelta(days=60),
        verification_status="verified",
    )
    db.session.commit()

    def run() -> str:
        result = runner.invoke(args=["shop", "certificate-reminders"])
        assert result.exit_code == 0, result.output
        return result.output

    assert "Reminded of 1 certificates" in run()
    assert "Reminded of 0 certificates" in run()
    clock.shift(timedelta(days=50))  # 10 days left, the 14-day reminder is due
    assert "Reminded of 1 certificates" in run()
    assert "Reminded of 0 certificates" in run()
    mails = db.session.scalars(select(OutboundMail).where(OutboundMail.to_addr == owner.email)).all()
    assert len(mails) == 2
