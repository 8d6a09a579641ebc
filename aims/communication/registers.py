"""Registers of this app on the register machinery."""
