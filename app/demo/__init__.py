"""Demo data: a believable company for `portal seed`, `make run` and the tests."""
