"""German speaks the terms of DIN EN ISO/IEC 42001: KI-Politik, Risikobehandlung(splan),
Begründung for what justifies a control in the SoA; and the heat map is German too."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import RiskFactory, active_criteria

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "de" / "LC_MESSAGES" / "django.po"
OUTDATED = ["KI-Leitlinie", "Anlässe", "Behandlungsplan"]


def translations():
    """Every German msgstr (singular and plural forms) of the active catalogue entries."""
    text = CATALOGUE.read_text(encoding="utf-8")
    entries = [block for block in text.split("\n\n") if not block.startswith("#~")]
    found = []
    for block in entries:
        strings, current = [], None
        for line in block.splitlines():
            if line.startswith("msgstr"):
                current = [line.split(" ", 1)[1]]
                strings.append(current)
            elif line.startswith("msg"):
                current = None
            elif line.startswith('"') and current is not None:
                current.append(line)
        found += ["".join(part.strip('"') for part in parts) for parts in strings]
    return found


@pytest.mark.parametrize("term", OUTDATED)
def test_no_translation_uses_an_outdated_term(term):
    # "Risikobehandlungsplan" contains no capitalised "Behandlungsplan"; only the bare word counts.
    pattern = re.compile(rf"(?<![\w-]){re.escape(term)}")
    assert [text for text in translations() if pattern.search(text)] == []


def test_the_ai_policy_is_the_ki_politik(client, compliance_officer):
    client.force_login(compliance_officer)
    page = client.get(reverse("context:aipolicy_list"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "KI-Politik" in page and "Leitlinie" not in page


def test_the_heat_map_is_drawn_in_german(client, compliance_officer):
    RiskFactory(criteria=active_criteria(), inherent_likelihood=2, inherent_impact=3)
    client.force_login(compliance_officer)
    page = client.get(reverse("risks:risk_list"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    for label in ("Bruttorisiko", "Restrisiko", "Auswirkung →", "Wahrscheinlichkeit ↑"):
        assert label in page
    for english in ("Inherent risk", "Residual risk", "Impact →", "Likelihood ↑"):
        assert english not in page


def test_the_portal_introduces_itself_as_the_ai_management_system(client):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "AI management system (AIMS)" in page
