"""The cooperation forum (pages): sessions, their agendas, minutes."""
