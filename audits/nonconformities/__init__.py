"""Nonconformity and corrective action (10.2) and continual improvement (10.1)."""
