"""Views across features: the front page and the participation profile."""
