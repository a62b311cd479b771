"""Whose cart this request is about: a logged-in shopper's, or a guest's by the key in their
session cookie. Shared by every blueprint that shows or changes the cart."""

from __future__ import annotations

from flask import session
from flask_login import current_user

from shop.accounts.services import logged_in
from shop.cart import services
from shop.cart.models import Cart

CART_KEY = "cart_key"


def visitor() -> tuple[int | None, str | None]:
    """(user id, guest cart key) of this visitor."""
    if current_user.is_authenticated:
        return current_user.id, None
    return None, session.get(CART_KEY)


def guest_cart_key() -> str | None:
    return session.get(CART_KEY)


def current_cart(*, create: bool = False) -> Cart | None:
    user_id, key = visitor()
    if create:
        if user_id is None and not key:
            key = session[CART_KEY] = services.new_session_key()
        return services.get_or_create_cart(user_id, key)
    return services.find_cart(user_id, key)


@logged_in.connect
def _carry_guest_cart(user, *, previous: dict, **_) -> None:
    """What a guest put in their cart follows them into their account."""
    services.merge_guest_cart(user.id, previous.get(CART_KEY))
