"""Tests of the communication app."""
