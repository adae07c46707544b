"""The front page and the participation profile (pages)."""
