"""AI incidents (A.8.4) and the EU AI Act's serious-incident reporting (Art. 73, Art. 26(5))."""
