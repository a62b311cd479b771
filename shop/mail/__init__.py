"""Outgoing mail: written to an outbox table in the caller's transaction, delivered after commit."""
