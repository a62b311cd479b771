"""Operator pages."""
