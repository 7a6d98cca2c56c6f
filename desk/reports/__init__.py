"""Owner reports as documents: laid out for the screen, CSV and PDF, plus the `desk report` CLI."""
