"""The audit programme's approval on the core approval machinery."""
