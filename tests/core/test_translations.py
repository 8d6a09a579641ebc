"""The German interface is complete."""

import re
import subprocess
import tokenize
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


def test_no_translated_string_is_written_inside_an_f_string():
    """makemessages does not read inside an f-string: a `gettext("…")` there never reaches the
    catalogue and stays English in German pages (as the heat map's axis labels once did)."""
    root = PO.parents[3]
    call = re.compile(r"""\{[^{}]*\b(?:_|gettext|gettext_lazy|ngettext|pgettext)\(\s*["']""")
    hidden = []
    for path in root.rglob("*.py"):
        if {".venv", "var", "tests"} & set(path.relative_to(root).parts):
            continue
        with path.open("rb") as source:
            for token in tokenize.tokenize(source.readline):
                prefix = token.string[:2].lower()
                if token.type == tokenize.STRING and "f" in prefix and call.search(token.string):
                    hidden.append(f"{path.relative_to(root)}:{token.start[0]}")
    assert hidden == []
