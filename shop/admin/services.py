"""What operators see and do."""

from __future__ import annotations

from sqlalchemy import func, select

from shop.accounts.models import User
from shop.extensions import db
from shop.partners.models import Partner
from shop.producers.models import Producer


def overview(*, recent: int = 20) -> dict:
    """Counts and the most recent users and organisations, for the admin dashboard."""
    return {
        "user_count": db.session.scalar(select(func.count()).select_from(User)),
        "producer_count": db.session.scalar(select(func.count()).select_from(Producer)),
        "partner_count": db.session.scalar(select(func.count()).select_from(Partner)),
        "users": db.session.scalars(select(User).order_by(User.created_at.desc(), User.id.desc()).limit(recent)).all(),
        "producers": db.session.scalars(select(Producer).order_by(Producer.name).limit(recent)).all(),
        "partners": db.session.scalars(select(Partner).order_by(Partner.name).limit(recent)).all(),
    }


def make_admin(*, email: str, name: str, password: str | None):
    """Grant admin to the account with `email`, creating it (with `password`) if it does not exist.

    A given password also replaces an existing account's. Returns (user, created).
    Raises ValidationError for a malformed email or short password.
    """
    from shop.accounts.services import check_password_rules, find_user_by_email, hash_password, register_user

    user = find_user_by_email(email)
    if user is None:
        if password is None:
            from flask_babel import lazy_gettext as _l

            from shop.errors import ValidationError

            raise ValidationError(_l("A new admin account needs a password."), field="password")
        user = register_user(email=email, name=name, password=password)
        created = True
    else:
        if password is not None:
            check_password_rules(password)
            user.password_hash = hash_password(password)
        created = False
    user.is_admin = True
    db.session.flush()
    return user, created
