"""House finances and the budget cycle (pages)."""
