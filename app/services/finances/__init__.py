"""House finances: figures, budgets, imports, the budget cycle and its views."""
