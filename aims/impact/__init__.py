"""AI system impact assessments and their approval (6.1.4, 8.4, A.5)."""
