"""Newsletters: writing (editions), what each reader's language gets (content), whom a sending
reaches (reach, shown before it is confirmed), and sending to an audience resolved when they go."""
