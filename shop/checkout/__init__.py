"""Checkout: contact, address, delivery and payment, then one transaction that places the order."""
