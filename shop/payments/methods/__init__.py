"""The ways to pay, one file each, behind the interface in base.py; registry.py lists them."""
