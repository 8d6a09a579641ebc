"""Tests of the objectives app."""
