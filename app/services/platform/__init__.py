"""What every feature stands on: audit, versions, search, CSV, charts, backup, job runs."""
