"""The audit log: who changed what, when, with the values before and after. Append-only."""

from shop.audit.services import record, snapshot

__all__ = ["record", "snapshot"]
