"""The benchmark: a dataset ten times Haso's size, a ceiling app and a runner (see README.md)."""
