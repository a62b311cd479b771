"""The public catalog of certified OCOP products."""
