"""Administration, scheduled jobs and the accessibility statement."""
