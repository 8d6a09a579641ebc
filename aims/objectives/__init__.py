"""AI objectives (6.2) and key performance indicators with their measurements (9.1)."""
