"""/api/docs/ in the browser: Swagger UI from the portal's own files loads the schema and lists
the operations under the portal's Content-Security-Policy (the page fixture fails on any CSP
report and runs axe-core on the page)."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_api_documentation_lists_the_operations_of_the_schema(
    page, log_in, live_server, compliance_officer
):
    log_in(compliance_officer)
    outside = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if not request.url.startswith((live_server.url, "data:"))
            else None
        ),
    )

    with page.expect_response(lambda r: "/api/schema/" in r.url) as schema:
        page.goto(f"{live_server.url}/api/docs/")
    assert schema.value.status == 200

    expect(page.get_by_role("heading", name="AIMS portal API")).to_be_visible()
    tags = page.locator(".opblock-tag")
    expect(tags.first).to_be_visible()
    assert tags.count() >= 53  # one per register, and the workflow steps
    page.locator('.opblock-tag[data-tag="risks: risks"]').click()
    operations = page.locator('.opblock-summary-path[data-path="/api/v1/risks/register/{id}/"]')
    expect(operations).to_have_count(4)  # read, replace, change, delete
    assert outside == []  # no CDN, no other site
