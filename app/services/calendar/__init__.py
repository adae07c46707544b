"""The annual calendar: templates, generated events, registrations, feeds and reminders."""
