"""Documented information (7.5): controlled documents with their approval and versions, and the
index of the records the portal keeps."""
