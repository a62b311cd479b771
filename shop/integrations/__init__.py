"""What an organisation connects to the shop from its own systems: API keys (`keys.py`) and the
webhook endpoints it is told about changes on (`webhooks.py`). The HTTP API itself is
`shop/api/`; the pages where owners manage both are in the producer and partner portals."""
