"""Risk criteria, risk register, treatment and acceptance (6.1.2, 6.1.3, 8.2, 8.3)."""
