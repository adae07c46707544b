"""Houses, residents, meetings, committees, Haso-yte and compliance."""
