"""The REST API under /api/v1/: every register of the registry as list and entry endpoints,
through the same permission layer, filters, forms and save service as the pages."""
