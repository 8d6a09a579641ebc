"""Control catalogues, cross-mappings, Statement of Applicability and evidence."""
