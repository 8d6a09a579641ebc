"""The Statement of Applicability as PDF: its content, who may download it, and a renderer
that reaches neither the file system nor the network, whatever a user typed into a field."""

import io
from urllib.request import urlopen

import pytest
from django.urls import reverse
from pypdf import PdfReader

from aims.core import pdf
from aims.core.pdf import BASE_URL, ProjectFilesFetcher
from controls import services
from controls.models import SoAEntry
from tests.controls.test_catalogue import ANNEX_A_IDS
from tests.factories import ControlFactory, UserFactory, justify_soa_entries

INCLUSION = "Customers ask how their claims are scored by the model."
EXCLUSION = "We provide no AI products or services to customers."
PASSWD = "root:x:0:0"


@pytest.fixture(autouse=True)
def included_controls_justified(db):
    """Versions are issued only with every included control justified."""
    justify_soa_entries()


@pytest.fixture(autouse=True)
def eligible_decider(db):
    """An AI officer who may approve the versions issued here (issuing needs one)."""
    return UserFactory(username="deciding_ai_officer", role="AI Officer")


def org_entry(code):
    return SoAEntry.objects.get(control__code=code, ai_system=None)


def pdf_text(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    return text_of(response.content)


def text_of(content):
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    # Cells wrap their text over lines: compare with single spaces.
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture
def justified(db):
    included = org_entry("A.8.2")
    included.inclusion_justification = INCLUSION
    included.save()
    excluded = org_entry("A.10.4")
    excluded.applicable = False
    excluded.exclusion_justification = EXCLUSION
    excluded.save()


def assert_whole_soa(text):
    for code in ANNEX_A_IDS:
        assert code in text, code
    assert "Justification for inclusion" in text
    assert "Justification for exclusion" in text
    assert INCLUSION in text
    assert EXCLUSION in text


def test_the_current_soa_downloads_as_a_pdf(client, compliance_officer, justified):
    client.force_login(compliance_officer)
    response = client.get(reverse("controls:soa_pdf"))
    assert 'filename="statement-of-applicability-current-' in response["Content-Disposition"]
    text = pdf_text(response)
    assert_whole_soa(text)
    assert "current, not issued" in text


def test_an_issued_version_downloads_as_a_pdf_with_its_frozen_content(
    client, compliance_officer, justified
):
    version = services.soa_version_issue(user=compliance_officer)
    entry = org_entry("A.8.2")
    entry.inclusion_justification = "Changed after the issue."
    entry.save()
    client.force_login(compliance_officer)
    response = client.get(reverse("controls:soa_version_pdf", kwargs={"number": version.number}))
    assert 'filename="statement-of-applicability-v1.pdf"' in response["Content-Disposition"]
    text = pdf_text(response)
    assert_whole_soa(text)
    assert "Changed after the issue." not in text
    assert version.sha256 in text.replace(" ", "")


def test_an_auditor_downloads_the_pdfs(client, compliance_officer, auditor):
    version = services.soa_version_issue(user=compliance_officer)
    client.force_login(auditor)
    assert "A.6.2.8" in pdf_text(client.get(reverse("controls:soa_pdf")))
    response = client.get(reverse("controls:soa_version_pdf", kwargs={"number": version.number}))
    assert "A.6.2.8" in pdf_text(response)


def test_a_user_without_a_role_gets_no_pdf(client, make_user, compliance_officer):
    version = services.soa_version_issue(user=compliance_officer)
    client.force_login(make_user("no_role"))
    assert client.get(reverse("controls:soa_pdf")).status_code == 403
    response = client.get(reverse("controls:soa_version_pdf", kwargs={"number": version.number}))
    # Versions are objects: one the user may not see does not exist for them.
    assert response.status_code == 404
    assert response.get("Content-Type") != "application/pdf"


def test_an_unknown_version_has_no_pdf(client, auditor):
    client.force_login(auditor)
    response = client.get(reverse("controls:soa_version_pdf", kwargs={"number": 99}))
    assert response.status_code == 404


# The renderer reaches no file and no server --------------------------------------------------


def test_the_listener_records_requests(listener):
    """The checks below would prove nothing if the listener heard nothing at all."""
    with urlopen(f"{listener.url}/probe") as response:  # noqa: S310 - our own local server
        assert response.status == 200
    assert listener.requests == ["/probe"]
    assert listener.connections == 1


def hostile_markup(listener):
    return (
        '<img src="file:///etc/passwd">'
        f'<link rel=stylesheet href="{listener.url}/x.css">'
        f'<img src="{listener.url}/y.png">'
    )


def test_markup_in_text_fields_fetches_nothing_for_the_pdf(client, compliance_officer, listener):
    markup = hostile_markup(listener)
    included = org_entry("A.8.2")
    included.inclusion_justification = markup
    included.save()
    excluded = org_entry("A.10.4")
    excluded.applicable = False
    excluded.exclusion_justification = markup
    excluded.save()
    ControlFactory(code="OWN-01", title=markup)
    justify_soa_entries()
    version = services.soa_version_issue(user=compliance_officer)
    client.force_login(compliance_officer)

    current = pdf_text(client.get(reverse("controls:soa_pdf")))
    issued = pdf_text(
        client.get(reverse("controls:soa_version_pdf", kwargs={"number": version.number}))
    )

    assert listener.requests == []
    for text in (current, issued):
        assert PASSWD not in text
        assert "OWN-01" in text
        # Escaped by the template: the markup is printed as the text it is (wrapped anywhere).
        assert f'<imgsrc="{listener.url}/y.png">' in text.replace(" ", "")


def test_raw_html_with_local_and_remote_urls_renders_without_fetching_them(listener):
    html = f"""<!DOCTYPE html>
    <html><head>
      <link rel="stylesheet" href="file:///etc/passwd">
      <link rel=stylesheet href="{listener.url}/x.css">
      <style>@import url("{listener.url}/imported.css");
        body {{ background: url("{listener.url}/background.png"); }}</style>
    </head><body>
      <h1>Raw markup</h1>
      <img src="file:///etc/passwd">
      <img src="{listener.url}/y.png">
      <object data="file:///etc/passwd"></object>
      <embed src="{listener.url}/embedded.svg">
    </body></html>"""

    content = pdf.html_to_pdf(html)

    assert listener.requests == []
    text = text_of(content)
    assert "Raw markup" in text
    assert PASSWD not in text


def test_the_project_files_fetcher_refuses_everything_but_static_files_and_data(listener):
    fetcher = ProjectFilesFetcher()
    refused = [
        "file:///etc/passwd",
        f"{listener.url}/",
        f"{listener.url}/static/css/pdf.css",
        BASE_URL + "static/../../../../etc/passwd",
        BASE_URL + "static/css/../../manage.py",
        BASE_URL + "static/%2e%2e/%2e%2e/manage.py",
        BASE_URL + "media/evidence/anything",
        "https://example.com/static/css/pdf.css",
        BASE_URL + "static/css/no-such-file.css",
    ]
    for url in refused:
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert listener.requests == []


def test_the_project_files_fetcher_serves_static_files_and_data_urls():
    fetcher = ProjectFilesFetcher()
    stylesheet = fetcher.fetch(BASE_URL + "static/css/pdf.css")
    assert b"@page" in stylesheet.read()
    assert stylesheet.content_type == "text/css"
    inline = fetcher.fetch("data:text/plain;base64,U29BIGFwcHJvdmVk")
    assert inline.read() == b"SoA approved"
