"""Owner reports: read-only queries that return frozen dataclasses (see docs/reports.md)."""
