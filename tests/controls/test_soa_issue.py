"""Issuing an SoA version needs a justification for inclusion for every applicable control
(ISO/IEC 42001 6.1.3): the refusal names the controls and links to their entries."""

import re

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse

from controls import services
from controls.models import SoAEntry, SoAVersion
from tests.controls.test_catalogue import ANNEX_A_IDS
from tests.factories import AISystemFactory, justify_soa_entries

EXCLUSION = "We provide no AI products or services to customers."


def org_entry(code):
    return SoAEntry.objects.get(control__code=code, ai_system=None)


def justify(code, text="The board asked for it."):
    entry = org_entry(code)
    entry.inclusion_justification = text
    entry.save()
    return entry


def exclude(code):
    entry = org_entry(code)
    entry.applicable = False
    entry.exclusion_justification = EXCLUSION
    entry.save()
    return entry


@pytest.fixture
def deciders(ai_officer):
    """An AI officer who may decide, so that issuing is refused for the SoA's content only."""
    return ai_officer


def test_a_version_is_refused_while_applicable_controls_have_no_justification(
    compliance_officer, deciders
):
    justify("A.2.2")
    exclude("A.10.4")
    with pytest.raises(services.UnjustifiedEntries) as refusal:
        services.soa_version_issue(user=compliance_officer, note="First issue")
    expected = [code for code in ANNEX_A_IDS if code not in ("A.2.2", "A.10.4")]
    assert [entry.control.code for entry in refusal.value.entries] == expected
    # The message names the first ten: it does not grow with the SoA.
    assert refusal.value.messages == [
        "The version cannot be issued: 36 applicable controls have no justification for "
        "inclusion (ISO/IEC 42001 6.1.3 requires one): "
        + ", ".join(f"{code} (organization-wide)" for code in expected[:10])
        + ", and 26 more."
    ]
    assert not SoAVersion.objects.exists()


def test_a_justification_of_blanks_is_no_justification(compliance_officer, deciders):
    justify_soa_entries()
    justify("A.6.2.4", " \n\t ")
    with pytest.raises(services.UnjustifiedEntries) as refusal:
        services.soa_version_issue(user=compliance_officer)
    assert [str(entry) for entry in refusal.value.entries] == ["A.6.2.4 (organization-wide)"]
    assert refusal.value.messages == [
        "The version cannot be issued: 1 applicable control has no justification for "
        "inclusion (ISO/IEC 42001 6.1.3 requires one): A.6.2.4 (organization-wide)."
    ]
    assert not SoAVersion.objects.exists()


def test_an_applicable_override_without_a_justification_blocks_the_version(
    compliance_officer, deciders
):
    justify_soa_entries()
    system = AISystemFactory(reference="AIS-007")
    SoAEntry.objects.create(control=org_entry("A.7.5").control, ai_system=system)
    with pytest.raises(services.UnjustifiedEntries) as refusal:
        services.soa_version_issue(user=compliance_officer)
    assert [str(entry) for entry in refusal.value.entries] == ["A.7.5 (AIS-007)"]


def test_with_every_applicable_control_justified_the_version_is_issued(
    compliance_officer, deciders
):
    justify_soa_entries()
    exclude("A.10.4")
    version = services.soa_version_issue(user=compliance_officer, note="First issue")
    assert (version.number, version.status) == (1, SoAVersion.Status.AWAITING_APPROVAL)
    applicable = [row for row in version.entries if row["applicable"]]
    assert len(applicable) == 37
    assert all(row["inclusion_justification"].strip() for row in applicable)


def test_the_refusal_on_the_page_links_each_control_without_a_justification(
    client, compliance_officer, deciders
):
    justify_soa_entries()
    a623 = justify("A.6.2.3", "")
    a94 = justify("A.9.4", "")
    client.force_login(compliance_officer)
    response = client.post(reverse("controls:soa_issue"), {"note": "First issue"})
    assert response.status_code == 302
    assert response["Location"] == reverse("controls:soaentry_list")
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert message == (
        "The version cannot be issued: 2 applicable controls have no justification for "
        "inclusion (ISO/IEC 42001 6.1.3 requires one): "
        f'<a href="{a623.get_absolute_url()}">A.6.2.3 (organization-wide)</a>, '
        f'<a href="{a94.get_absolute_url()}">A.9.4 (organization-wide)</a>'
    )
    assert not SoAVersion.objects.exists()


def test_the_refusal_is_shown_with_its_links_where_issue_was_clicked(
    client, compliance_officer, deciders
):
    justify_soa_entries()
    a623 = justify("A.6.2.3", "")
    client.force_login(compliance_officer)
    page = client.post(reverse("controls:soa_issue"), {"note": ""}, follow=True)
    assert page.status_code == 200
    assert page.redirect_chain == [(reverse("controls:soaentry_list"), 302)]
    html = page.content.decode()
    assert "The version cannot be issued: 1 applicable control has no justification" in html
    assert f'<a href="{a623.get_absolute_url()}">A.6.2.3 (organization-wide)</a>' in html


def test_the_soa_page_lists_the_controls_that_keep_a_version_from_being_issued(
    client, compliance_officer
):
    justify_soa_entries()
    a52 = justify("A.5.2", "")
    client.force_login(compliance_officer)
    page = client.get(reverse("controls:soaentry_list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "1 applicable control has no justification for inclusion yet" in html
    assert f'<a href="{a52.get_absolute_url()}">A.5.2 (organization-wide)</a>' in html

    justify("A.5.2")
    page = client.get(reverse("controls:soaentry_list"))
    assert page.status_code == 200
    assert "Issue version" in page.content.decode()
    assert "no justification for inclusion yet" not in page.content.decode()


def test_the_entry_page_warns_that_its_missing_justification_blocks_versions(
    client, compliance_officer
):
    entry = org_entry("A.4.2")
    client.force_login(compliance_officer)
    page = client.get(entry.get_absolute_url())
    assert page.status_code == 200
    assert "This control is included without a justification for inclusion" in (
        page.content.decode()
    )
    justify("A.4.2")
    page = client.get(entry.get_absolute_url())
    assert page.status_code == 200
    assert "This control is included without a justification for inclusion" not in (
        page.content.decode()
    )


def links_in(html):
    """(href, text) of every link in an HTML fragment."""
    return re.findall(r'<a href="([^"]+)">([^<]+)</a>', html)


def test_the_soa_page_links_the_first_entries_and_the_list_of_all_that_need_one(
    client, compliance_officer
):
    """A new SoA lacks every justification: the page links the first ten in SoA order and the
    list of all of them, and does not grow with the catalogue."""
    client.force_login(compliance_officer)
    page = client.get(reverse("controls:soaentry_list"))
    assert page.status_code == 200
    (alert,) = re.findall(
        r'<div class="alert alert-warning[^>]*id="soa-unjustified-iso42001">(.*?)</div>',
        page.content.decode(),
        re.S,
    )
    assert alert.startswith("38 applicable controls have no justification for inclusion yet")
    links = links_in(alert)
    assert [text for _url, text in links] == [
        *(f"{code} (organization-wide)" for code in ANNEX_A_IDS[:10]),
        "and 28 more",
    ]
    assert links[0][0] == org_entry(ANNEX_A_IDS[0]).get_absolute_url()
    all_of_them = links[-1][0]
    assert all_of_them == reverse("controls:soaentry_list") + "?unjustified=iso42001"

    justify(ANNEX_A_IDS[20])
    exclude(ANNEX_A_IDS[21])
    listed = client.get(all_of_them)
    assert listed.status_code == 200
    html = listed.content.decode()
    assert "36 entries" in html
    remaining = [code for code in ANNEX_A_IDS if code not in ANNEX_A_IDS[20:22]]
    shown = [text for _url, text in links_in(html) if text in ANNEX_A_IDS]
    assert shown == remaining[: settings.REGISTER_PAGE_SIZE]


def test_a_refused_issue_links_the_first_entries_and_the_list_of_all(
    client, compliance_officer, deciders
):
    client.force_login(compliance_officer)
    response = client.post(reverse("controls:soa_issue"), {"note": "First issue"})
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.startswith(
        "The version cannot be issued: 38 applicable controls have no justification for "
        "inclusion (ISO/IEC 42001 6.1.3 requires one): "
    )
    assert [text for _url, text in links_in(message)] == [
        *(f"{code} (organization-wide)" for code in ANNEX_A_IDS[:10]),
        "and 28 more",
    ]
    assert message.endswith(
        f'<a href="{reverse("controls:soaentry_list")}?unjustified=iso42001">and 28 more</a>'
    )
    assert not SoAVersion.objects.exists()
