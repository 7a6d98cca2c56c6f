"""The schedule: day/week grid, class roster, PT booking."""
