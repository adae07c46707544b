"""The calendar and event registrations (pages)."""
