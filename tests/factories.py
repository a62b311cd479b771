"""factory_boy factories for the models, bound to the app's session."""

from __future__ import annotations

import factory
from stdnum.vn import mst
from werkzeug.security import generate_password_hash

from shop.accounts.models import PartnerMember, ProducerMember, User
from shop.extensions import db
from shop.partners.models import Partner
from shop.producers.models import Producer

PASSWORD = "correct-horse-9"
# Hashing is deliberately slow; every factory user shares one hash of PASSWORD.
_PASSWORD_HASH = generate_password_hash(PASSWORD)


def valid_tax_code(n: int, *, prefix: str = "01") -> str:
    """The n-th valid mã số thuế under `prefix` (2 digits): 7 digits of sequence and the check
    digit. Sequences whose check digit would be 10 (no such code exists) are skipped."""
    while True:
        base = f"{prefix}{n % 10_000_000:07d}"
        check = mst.calc_check_digit(base)
        if len(check) == 1 and base[2:] != "0000000":
            return base + check
        n += 10_000_000 // 7  # another sequence number, far from the ones the next factories take


def _tax_codes(prefix: str):
    # Each call of the sequence gets a distinct code (n distinct → base distinct, skips land elsewhere).
    return factory.Sequence(lambda n: valid_tax_code(n + 1, prefix=prefix))


class Base(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class UserFactory(Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.vn")
    name = factory.Sequence(lambda n: f"Người dùng {n}")
    password_hash = _PASSWORD_HASH
    locale = None


class ProducerFactory(Base):
    class Meta:
        model = Producer

    name = factory.Sequence(lambda n: f"HTX Sản xuất {n}")
    slug = factory.Sequence(lambda n: f"htx-san-xuat-{n}")
    kind = "cooperative"
    tax_code = _tax_codes("01")
    province_code = 1
    ward_code = 91
    status = "active"


class PartnerFactory(Base):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Nhà hàng {n}")
    tax_code = _tax_codes("02")
    province_code = 1
    ward_code = 70
    status = "active"


class ProducerMemberFactory(Base):
    class Meta:
        model = ProducerMember

    user = factory.SubFactory(UserFactory)
    producer = factory.SubFactory(ProducerFactory)
    role = "owner"


class PartnerMemberFactory(Base):
    class Meta:
        model = PartnerMember

    user = factory.SubFactory(UserFactory)
    partner = factory.SubFactory(PartnerFactory)
    role = "owner"
