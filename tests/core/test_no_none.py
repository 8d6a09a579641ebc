"""No page, form or printed entry shows a literal "None" for an empty value: the demo data
crawled as every persona — each register's list, the detail, edit form and PDF of its
first entry, the dashboard and My work."""

import contextlib
import io
import re
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse
from pypdf import PdfReader

from aims.core.models import User
from aims.core.registry import registry

DEMO_PERSONAS = ["compliance", "aiofficer", "owner", "auditor", "internalauditor", "admin"]
# Printed entries are the same for every reader but slow to render: one persona prints them.
PRINTING_PERSONA = "compliance"
# "None" as a value in extracted PDF text: alone, or before something that is not a sentence
# going on ("None chosen: …" is English, not a missing value).
NONE_IN_TEXT = re.compile(r"(?:^|\s)None(?=\s*$|\s+[^a-z\s])", re.MULTILINE)


class VisibleText(HTMLParser):
    """The text nodes a reader sees (not scripts, styles or templates)."""

    HIDDEN = {"script", "style", "template"}

    def __init__(self, html):
        super().__init__()
        self.hidden, self.texts = 0, []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in self.HIDDEN

    def handle_endtag(self, tag):
        self.hidden -= tag in self.HIDDEN

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.texts.append(data.strip())


def none_nodes(html):
    return [text for text in VisibleText(html).texts if text == "None" or text.endswith(": None")]


def urls(register, obj):
    """The pages of `obj`'s register to crawl: list, detail, edit form (if any)."""
    pages = [reverse(register.url_name("list")), obj.get_absolute_url()]
    with contextlib.suppress(NoReverseMatch):
        pages.append(reverse(register.url_name("edit"), args=[obj.pk]))
    return pages


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "evidence-storage"},
        },
    }
    call_command("seed_demo", verbosity=0)


def test_no_page_shows_none_for_an_empty_value(client, demo):
    # One seeding for all personas: the crawl only reads.
    found = {}
    for persona in DEMO_PERSONAS:
        user = User.objects.get(username=persona)
        client.force_login(user)
        found.update(
            (f"{persona} {url}", nodes) for url, nodes in none_found(client, user, persona).items()
        )
    assert found == {}


def none_found(client, user, persona):
    found = {}
    pages = [reverse("core:dashboard"), reverse("core:my_work")]
    printed = []
    for register in registry:
        obj = register.model._default_manager.restrict(user).order_by("pk").first()
        if obj is None:
            continue
        pages += urls(register, obj)
        if persona == PRINTING_PERSONA:
            printed.append(reverse(register.url_name("pdf"), args=[obj.pk]))
    for url in pages:
        response = client.get(url)
        if response.status_code >= 500:
            found[url] = [f"HTTP {response.status_code}"]
        html = response.status_code == 200 and response["Content-Type"].startswith("text/html")
        if html and (nodes := none_nodes(response.content.decode())):
            found[url] = nodes
    for url in printed:
        response = client.get(url)
        assert response.status_code == 200, url
        pages_of_pdf = PdfReader(io.BytesIO(response.content)).pages
        text = "\n".join(page.extract_text() for page in pages_of_pdf)
        if matches := NONE_IN_TEXT.findall(text):
            found[url] = matches
    return found
