"""Spreadsheet imports into the registers: reading files (`parsing`), guessing what columns and
values mean (`proposals`), what a register declares and the services run on it (`services`),
and the wizard's pages (`views`)."""
