"""Shipments: an order split per producer, each producer packing and shipping its own lines."""
