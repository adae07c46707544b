"""Haso-yte elections and surveys (pages)."""
