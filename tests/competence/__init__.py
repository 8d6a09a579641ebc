"""Tests of the competence app."""
