"""factory_boy factories for the models, bound to the app's session."""

from __future__ import annotations

import factory
from werkzeug.security import generate_password_hash

from shop.accounts.models import PartnerMember, ProducerMember, User
from shop.extensions import db
from shop.partners.models import Partner
from shop.producers.models import Producer

PASSWORD = "correct-horse-9"
# Hashing is deliberately slow; every factory user shares one hash of PASSWORD.
_PASSWORD_HASH = generate_password_hash(PASSWORD)


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
    tax_code = factory.Sequence(lambda n: f"{100000000 + n:010d}")
    province_code = 1
    ward_code = 91
    status = "active"


class PartnerFactory(Base):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Nhà hàng {n}")
    tax_code = factory.Sequence(lambda n: f"{200000000 + n:010d}")
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
