"""A person's own data: export, erasure on request, retention rules."""
