"""Signing in, the account, single sign-on, privacy."""
