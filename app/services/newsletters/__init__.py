"""Newsletters: writing, scheduling, the archive, and sending to an audience resolved when they
go."""
