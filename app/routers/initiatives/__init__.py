"""Initiative pages and their discussion."""
