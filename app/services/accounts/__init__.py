"""Accounts: signing in, tokens, single sign-on, a person's own data."""
