"""Pack sections, one module per area; see audits/packs/sections.py."""
