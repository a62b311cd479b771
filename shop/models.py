"""Imports every model so that Alembic and the app see the whole schema."""

from shop.accounts.models import PartnerMember, ProducerMember, User  # noqa: F401
from shop.audit.models import AuditEvent  # noqa: F401
from shop.cart.models import Cart, CartLine  # noqa: F401
from shop.catalog.models import (  # noqa: F401
    Certificate,
    CertificateReminder,  # noqa: F401
    Product,
    ProductImage,
    Variant,
)
from shop.checkout.models import SavedAddress  # noqa: F401
from shop.fulfilment.models import Shipment  # noqa: F401
from shop.integrations.models import (  # noqa: F401
    ApiKey,
    IdempotencyRecord,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from shop.inventory.models import (
    StockMovement,  # noqa: F401
    StockUpload,  # noqa: F401
)
from shop.invoicing.models import Invoice, InvoiceLine, InvoicePayment  # noqa: F401
from shop.mail.models import OutboundMail  # noqa: F401
from shop.orders.models import Order, OrderEvent, OrderLine  # noqa: F401
from shop.partners.models import (  # noqa: F401
    Partner,  # noqa: F401
    PartnerInvitation,
    PartnerLocation,
    PartnerMemberLocation,
    ReceivingHours,
)
from shop.payments.models import PaymentEvent  # noqa: F401
from shop.pricing.models import PartnerPrice, PriceBreak, VatRate  # noqa: F401
from shop.producers.models import (
    Producer,  # noqa: F401
    ProducerInvitation,  # noqa: F401
)
from shop.settlements.models import Payout  # noqa: F401
from shop.shipping.models import ShippingRate, ShippingZone, ShippingZoneProvince  # noqa: F401
from shop.wholesale.models import (  # noqa: F401
    StandingOrder,
    StandingOrderLine,
    StandingOrderRun,
    StandingOrderSkip,
)
