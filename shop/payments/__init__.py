"""How orders are paid. Each way to pay (cash on delivery, VietQR bank transfer, Stripe card) is
one object behind one small interface (methods/base.py), listed in registry.py; stripe_checkout.py
and vietqr.py talk to the card provider and build the bank QR code; services.py, refunds.py and
pay.py are what happens to an order's money whatever way it is paid."""
