"""Restaurant partners that buy in bulk."""
