"""Management review (9.3): compiled inputs, decisions and actions, minutes."""
