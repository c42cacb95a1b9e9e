"""Accounts: users and API tokens."""
