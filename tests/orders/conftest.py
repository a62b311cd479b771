"""The checkout's products and bank details, for placing orders to look at."""

from tests.checkout.conftest import app_config, products  # noqa: F401
from tests.payments.conftest import evil_host  # noqa: F401
