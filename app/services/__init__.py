"""Domain logic: never imports fastapi; flushes, never commits."""
