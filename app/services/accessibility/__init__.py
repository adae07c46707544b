"""The accessibility statement and its feedback channel."""
