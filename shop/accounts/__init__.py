"""Accounts: users, sign-up, sign-in, password reset, profile and roles."""
