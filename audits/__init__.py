"""Internal audits, nonconformities, incidents, management review and audit packs (9, 10)."""
