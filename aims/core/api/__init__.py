"""The REST API under /api/v1/: every register of the registry as list and entry endpoints,
through the same permission layer, filters, forms and save service as the pages."""

# Paths answered in JSON: a refusal there is a status code, never a redirect to a page.
API_PATHS = ("/api/v1/", "/api/schema/")


def is_api_request(request):
    return request.path_info.startswith(API_PATHS)
