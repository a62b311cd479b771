"""Orders: what was bought, at what price, and where each order is in its life."""
