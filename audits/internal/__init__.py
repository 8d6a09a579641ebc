"""Internal audit (9.2): the audit programme, audits with their scope, team and independence
record, checklists and the audit report."""
