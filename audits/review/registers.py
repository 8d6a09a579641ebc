"""Registers of this area on the register machinery."""
