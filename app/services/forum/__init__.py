"""The cooperation forum: sessions, agendas built from initiatives, minutes."""
