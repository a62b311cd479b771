"""The shopping cart."""
