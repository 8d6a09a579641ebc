"""Tests of the audits app: internal audits, nonconformities, incidents."""
