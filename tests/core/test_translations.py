"""The German interface is complete."""

import re
import subprocess
from pathlib import Path

from django.utils import translation
from django.utils.translation import trans_real

PO = Path(__file__).resolve().parents[2] / "locale" / "de" / "LC_MESSAGES" / "django.po"


def test_every_message_has_a_german_translation():
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(PO)],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    )
    assert "untranslated" not in result.stderr
    assert "fuzzy" not in result.stderr


def test_the_compiled_catalogue_is_used():
    with translation.override("de"):
        assert translation.gettext("interested parties") == "interessierte Parteien"


def test_every_translated_literal_of_every_template_is_in_the_catalogue():
    """Also templates that are not HTML (the heat map is SVG): makemessages reads only the
    extensions it is given, and a string it never read stays English in German pages."""
    msgids = set(trans_real.translation("de")._catalog.keys())
    literal = re.compile(r"""{%\s*translate\s+(["'])(.+?)\1(?:\s+context\s+(["'])(.+?)\3)?""")
    templates = PO.parents[3] / "templates"
    missing = {
        (path.name, msgid)
        for path in templates.rglob("*")
        if path.is_file()
        for match in literal.finditer(path.read_text(encoding="utf-8"))
        if (msgid := f"{match.group(4)}\x04{match.group(2)}" if match.group(4) else match.group(2))
        not in msgids
    }
    assert missing == set()
