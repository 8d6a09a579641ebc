"""Competence, awareness and AI literacy (7.2, 7.3, EU AI Act Art. 4): requirements, people
and their training and qualification records."""
