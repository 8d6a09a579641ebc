"""AI systems, model versions, datasets, suppliers and EU AI Act classification."""
