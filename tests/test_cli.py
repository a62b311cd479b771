from shop.accounts.services import authenticate
from tests.factories import UserFactory


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


def test_create_admin_promotes_an_existing_account_without_touching_its_password(app, runner, monkeypatch):
    monkeypatch.delenv("SHOP_ADMIN_PASSWORD", raising=False)
    user = UserFactory(email="lan@example.vn")
    old_hash = user.password_hash
    result = runner.invoke(args=["shop", "create-admin", "lan@example.vn"])
    assert result.exit_code == 0, result.output
    assert "Updated admin lan@example.vn" in result.output
    from shop.extensions import db

    db.session.refresh(user)
    assert user.is_admin and user.password_hash == old_hash


def test_create_admin_refuses_a_short_password_and_writes_nothing(app, runner, monkeypatch):
    monkeypatch.setenv("SHOP_ADMIN_PASSWORD", "short")
    result = runner.invoke(args=["shop", "create-admin", "boss@example.vn"])
    assert result.exit_code != 0
    assert "8" in result.output
    from sqlalchemy import func, select

    from shop.accounts.models import User
    from shop.extensions import db

    assert db.session.scalar(select(func.count()).select_from(User)) == 0
