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


def make_admin(*, email: str, name: str, password: str):
    """Grant admin to the account with `email` and give it `password`, creating the account if it
    does not exist; an existing account's other login sessions end. Returns (user, created).
    Raises ValidationError for a malformed email or short password.
    """
    from shop.accounts.services import find_user_by_email, register_user, set_password

    user = find_user_by_email(email)
    if user is None:
        user = register_user(email=email, name=name, password=password)
        created = True
    else:
        set_password(user, password)
        created = False
    user.is_admin = True
    db.session.flush()
    return user, created
