"""How orders are paid: cash on delivery, VietQR bank transfer, Stripe cards."""
