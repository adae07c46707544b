"""Newsletters and mail preferences (pages)."""
