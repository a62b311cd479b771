"""Imports every model so that Alembic and the app see the whole schema."""

from shop.accounts.models import PartnerMember, ProducerMember, User  # noqa: F401
from shop.cart.models import Cart, CartLine  # noqa: F401
from shop.catalog.models import Certificate, Product, ProductImage, Variant  # noqa: F401
from shop.checkout.models import SavedAddress  # noqa: F401
from shop.inventory.models import StockMovement  # noqa: F401
from shop.mail.models import OutboundMail  # noqa: F401
from shop.orders.models import Order, OrderEvent, OrderLine  # noqa: F401
from shop.partners.models import Partner  # noqa: F401
from shop.payments.models import PaymentEvent  # noqa: F401
from shop.producers.models import Producer  # noqa: F401
from shop.shipping.models import ShippingRate, ShippingZone, ShippingZoneProvince  # noqa: F401
