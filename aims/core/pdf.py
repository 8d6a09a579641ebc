"""PDFs from Django templates (autoescaped) with WeasyPrint.

The URL fetcher reaches only the portal's own static files and `data:` URLs: no file system
path, no network, no redirect. Whatever a user typed into a text field cannot make a PDF read
a file or call a server.
"""

import mimetypes
from functools import cache
from pathlib import Path
from urllib.parse import unquote

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.http import HttpResponse
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Documents are parsed against this base, so "/static/…" becomes an address the fetcher knows.
BASE_URL = "https://portal.invalid/"
STYLESHEET = "css/pdf.css"


class ProjectFilesFetcher(URLFetcher):
    def __init__(self):
        super().__init__(allowed_protocols=("data", "https"), allow_redirects=False)

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        static = BASE_URL + settings.STATIC_URL.lstrip("/")
        if url.startswith(static):
            path = static_file(unquote(url[len(static) :].split("?")[0].split("#")[0]))
            if path:
                content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})
        raise ValueError(f"PDFs may use the portal's own static files only, not {url[:200]}")


def static_file(name):
    try:
        found = finders.find(name)
    except SuspiciousFileOperation:  # "../" out of the static folders
        return None
    return Path(found) if found else None


@cache
def stylesheet():
    """The PDF stylesheet, parsed once per process."""
    return CSS(
        url=BASE_URL + settings.STATIC_URL.lstrip("/") + STYLESHEET,
        url_fetcher=ProjectFilesFetcher(),
    )


def html_to_document(html):
    """The laid-out pages of `html` (their number is `len(document.pages)`), to write as a PDF."""
    return HTML(string=html, base_url=BASE_URL, url_fetcher=ProjectFilesFetcher()).render(
        stylesheets=[stylesheet()]
    )


def html_to_pdf(html):
    return html_to_document(html).write_pdf()


def render_pdf(template_name, context):
    return html_to_pdf(render_to_string(template_name, context))


def pdf_response(content, filename):
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
    return response
