"""Security headers on every page, and pages without inline code for the policy to refuse.

The Content-Security-Policy allows scripts and styles from the portal's own static files only,
so a page that still carried an inline script, an `on…=` handler or a `style` attribute would
lose that behaviour or look in the browser. These tests render the pages every role visits
(generated from the registry, like the register view tests) and read the markup itself.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLResolver, get_resolver, reverse

from aims.core.headers import permissions_policy
from aims.impact import services as impact_services
from controls import services as control_services
from tests.conftest import PERSONAS, REGISTER_IDS, REGISTERS
from tests.core.test_register_views import (
    EXPECTED,
    EXPECTED_FOR,
    FULL,
    READ,
    READ_ADD,
    READ_CHANGE,
    url,
)
from tests.decisions import decide_url
from tests.factories import (
    REGISTER_FACTORIES,
    AIPolicyFactory,
    AISystemFactory,
    EvidenceFactory,
    ImpactAssessmentFactory,
    RiskFactory,
    TreatmentActionFactory,
    active_criteria,
)

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'self'",
    "object-src": "'none'",
}
DENIED_FEATURES = ("camera", "microphone", "geolocation", "payment", "usb")


def directives(header):
    """`a x; b y z` → {"a": "x", "b": "y z"}."""
    parts = (part.strip().split(None, 1) for part in header.split(";") if part.strip())
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


class InlineCode(HTMLParser):
    """Collects what a Content-Security-Policy without 'unsafe-inline' refuses in markup."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "style" or name.startswith("on") or name.startswith("hx-on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag == "style":
            self.found.append("<style> element")
        if tag == "script":
            if "src" not in dict(attrs):
                self.found.append("<script> without src")
            self.in_script = True

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_script and data.strip():
            self.found.append(f"<script> with content {data.strip()[:60]!r}")


def inline_code(html):
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found


def assert_headers(response, address):
    assert directives(response["Content-Security-Policy"]) == POLICY, address
    assert response["Referrer-Policy"] == "same-origin", address
    assert response["Cross-Origin-Opener-Policy"] == "same-origin", address
    features = dict(
        item.strip().split("=", 1) for item in response["Permissions-Policy"].split(",")
    )
    assert all(features[name] == "()" for name in DENIED_FEATURES), address


def assert_page(response, address, status=200):
    """The page answered as expected, carries the headers, and has no inline code."""
    assert response.status_code == status, address
    assert response["Content-Type"].startswith("text/html"), address
    html = response.content.decode()
    assert "</html>" in html, address
    assert_headers(response, address)
    assert inline_code(html) == [], address


# The inline-code detector itself --------------------------------------------------------------


def test_the_detector_finds_each_kind_of_inline_code():
    html = (
        '<select onchange="this.form.submit()"></select><div style="width: 5%"></div>'
        "<style>p { color: red }</style><script>alert(1)</script>"
        '<button hx-on:click="go()"></button><a href="javascript:go()">x</a>'
    )
    assert len(inline_code(html)) == 7


def test_the_detector_accepts_scripts_from_files_data_attributes_and_escaped_text():
    html = (
        '<script src="/static/js/portal.js" defer></script>'
        '<select data-submit-on-change></select><svg><rect fill="#fff" stroke="#000"/></svg>'
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; onclick=&quot;x&quot;</p>"
    )
    assert inline_code(html) == []


def test_the_permissions_policy_denies_each_feature_with_an_empty_list():
    assert permissions_policy({"camera": [], "fullscreen": ["self"]}) == (
        "camera=(), fullscreen=(self)"
    )


# Pages of every role --------------------------------------------------------------------------


def test_the_login_page_carries_the_headers_and_no_inline_code(client, db):
    assert_page(client.get(reverse("login")), "login")


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_the_dashboard_and_my_work_carry_the_headers_and_no_inline_code(client, make_user, persona):
    client.force_login(make_user(persona))
    for address in (reverse("core:dashboard"), reverse("core:my_work")):
        assert_page(client.get(address), address)


@pytest.mark.parametrize("persona", list(EXPECTED))
@pytest.mark.parametrize("register", REGISTERS, ids=REGISTER_IDS)
def test_register_list_and_detail_pages_carry_the_headers_and_no_inline_code(
    client, make_user, register, persona
):
    client.force_login(make_user(persona))
    obj = REGISTER_FACTORIES[register.model]()
    readable = EXPECTED_FOR.get(register.model_name, EXPECTED)[persona] in (
        FULL,
        READ,
        READ_ADD,
        READ_CHANGE,
    )
    address = url(register, "list")
    assert_page(client.get(address), address, 200 if readable else 403)
    address = url(register, "detail", obj)
    assert_page(client.get(address), address, 200 if readable else 404)


@pytest.mark.parametrize("register", REGISTERS, ids=REGISTER_IDS)
def test_register_forms_and_history_carry_the_headers_and_no_inline_code(client, editor, register):
    client.force_login(editor(register))
    obj = REGISTER_FACTORIES[register.model]()
    # Records of a workflow (form=None) have no add, edit or delete page; a fixed set (the
    # reporting periods) is edited but never added to or deleted from.
    user_may = {a for actions in register.roles.values() for a in actions}
    actions = ("edit", "delete", "history") if register.form else ("history",)
    for action in actions:
        if action == "delete" and "delete" not in user_may:
            continue
        address = url(register, action, obj)
        assert_page(client.get(address), address)
    if register.form and "add" in user_may:
        assert_page(client.get(url(register, "add")), url(register, "add"))


def test_the_decide_pages_carry_the_headers_and_no_inline_code(
    client, compliance_officer, ai_officer
):
    active_criteria()
    risk = RiskFactory.build(owner=compliance_officer, residual_likelihood=3, residual_impact=4)
    risk._history_user = compliance_officer
    risk.save()
    action = TreatmentActionFactory.build(risk=risk, owner=compliance_officer)
    action._history_user = compliance_officer
    action.save()
    policy = AIPolicyFactory.build()
    policy._history_user = compliance_officer
    policy.save()
    assessment = ImpactAssessmentFactory.build(system=AISystemFactory())
    assessment._history_user = compliance_officer
    assessment.save()
    impact_services.impact_assessment_submit(assessment=assessment, user=compliance_officer)
    client.force_login(ai_officer)
    for key, obj in (
        ("treatment-plan", risk),
        ("ai-policy", policy),
        ("impact-assessment", assessment),
    ):
        address = decide_url(key, obj)
        assert_page(client.get(address), address)


def test_a_page_refused_to_a_user_carries_the_headers_too(client, make_user):
    risk = RiskFactory()
    client.force_login(make_user("no_role"))
    address = decide_url("treatment-plan", risk)
    assert_page(client.get(address), address, 404)


# Every page without parameters, for the compliance officer -------------------------------------


def addresses_without_parameters(resolver=None, prefix=""):
    """Every URL of the portal's own apps that needs no argument (admin and i18n left out)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith(("admin/", "i18n/")):
                continue
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from addresses_without_parameters(entry, namespace)
        elif entry.name not in (None, "logout") and "<" not in route:
            yield f"{prefix}{entry.name}"


def test_every_page_without_parameters_carries_the_headers_and_html_pages_no_inline_code(
    client, compliance_officer
):
    client.force_login(compliance_officer)
    names = sorted(set(addresses_without_parameters()))
    assert "core:dashboard" in names
    html_pages = 0
    for name in names:
        response = client.get(reverse(name))
        assert "Content-Security-Policy" in response, name
        assert response["Referrer-Policy"] == "same-origin", name
        if response["Content-Type"].startswith("text/html") and response.content:
            html_pages += 1
            assert inline_code(response.content.decode()) == [], name
    assert html_pages > 20


# Responses with their own policy, and files that are not HTML ----------------------------------


def test_the_evidence_download_keeps_its_own_sandbox_policy(client, compliance_officer):
    evidence = EvidenceFactory(uploaded_by=compliance_officer, link="")
    upload = SimpleUploadedFile("report.pdf", b"%PDF-1.7\n%%EOF\n", "application/pdf")
    control_services.evidence_revision_add(
        evidence=evidence, upload=upload, user=compliance_officer
    )
    client.force_login(compliance_officer)
    response = client.get(reverse("controls:evidence_download", args=[evidence.pk, 1]))
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    response.close()


def test_a_pdf_is_still_rendered_and_sent_as_a_download(client, compliance_officer):
    client.force_login(compliance_officer)
    response = client.get(reverse("controls:soa_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("attachment;")


# The templates themselves ---------------------------------------------------------------------

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Documents rendered to PDF by WeasyPrint on the server, never shown by a browser: their styles
# are the document's layout and no browser policy applies to them. The audit pack's sections
# (audits/pack/) and its document are printed only.
PDF_TEMPLATES = re.compile(
    r"(^|/)(pdf_[^/]*|[^/]*_pdf\.html)$|^audits/pack/|^audits/pack_document\.html$"
)
INLINE = re.compile(
    r"<style\b|<script\b(?![^>]*\bsrc=)|\sstyle\s*=|\son[a-z]+\s*=|\shx-on[:\-a-z]*\s*=|javascript:",
    re.IGNORECASE,
)


def test_no_browser_template_holds_inline_script_style_or_event_handlers():
    found = []
    checked = 0
    for path in sorted(TEMPLATES.rglob("*")):
        name = path.relative_to(TEMPLATES).as_posix()
        if not path.is_file() or PDF_TEMPLATES.search(name):
            continue
        checked += 1
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if INLINE.search(line):
                found.append(f"{name}:{number}: {line.strip()[:100]}")
    assert checked > 50
    assert found == []
