"""Guessing what a register's spreadsheet means: which field a column fills
(`HeaderAliases`, `propose_columns`) and which choice a cell names (`keyword_pairs`,
`propose_value`), from what the register declares in its `ImportSpec`. Pure functions, no models.
"""

import re
import unicodedata
from collections.abc import Iterable, Mapping

# --- Normalising -------------------------------------------------------------------------------

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
# "1.", "1)", "1.2", "a)", "(b)", "iv." in front of a header or value, followed by a space.
_ENUMERATION = re.compile(
    r"^\(?(?:\d{1,2}(?:\.\d{1,2})+\.?|\d{1,2}[.)]|[a-z][.)]|[ivx]{1,4}[.)])\s+"
)
_NON_WORD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Lowercase with German umlauts spelt out and other accents dropped (é → e)."""
    text = unicodedata.normalize("NFC", text).lower().translate(_UMLAUTS)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def normalize(text: str) -> str:
    """Comparable form of a header or value: "1. Nächste Prüfung:" → "naechste pruefung"."""
    text = _ENUMERATION.sub("", fold(str(text)).strip())
    return " ".join(_NON_WORD.sub(" ", text).split())


def _contains(haystack: str, needle: str) -> bool:
    """Whole-word containment of normalized texts."""
    return f" {needle} " in f" {haystack} "


# --- Header aliases ----------------------------------------------------------------------------

# Short or generic words only count as the whole header: "unit" may sit inside "business unit
# owner", but "no" must not be found in "personal data yes no", nor "system" in "operating system".
EXACT_ONLY = frozenset({"system", "code", "tool", "number", "nummer", "state", "land"})


class HeaderAliases:
    """The headers under which registers in the wild keep each field, English and German.

    `aliases`: field code → header texts (normalized here). Aliases of at least four letters
    are also found inside a longer header, except the words in `exact_only`.
    """

    def __init__(self, aliases: Mapping[str, Iterable[str]], exact_only: Iterable[str] = ()):
        self.by_field = {
            code: list(dict.fromkeys(normalize(alias) for alias in words))
            for code, words in aliases.items()
        }
        self._field = {alias: code for code, words in self.by_field.items() for alias in words}
        exact = EXACT_ONLY | {normalize(word) for word in exact_only}
        self._contained = sorted(
            (alias for alias in self._field if len(alias) >= 4 and alias not in exact),
            key=len,
            reverse=True,
        )

    def field(self, header: str, exact: bool | None = None) -> str | None:
        """Field of a normalized header: its exact alias (exact=True), the longest alias inside
        it (exact=False), or either in that order (None)."""
        if exact is not False and header in self._field:
            return self._field[header]
        if exact is not True:
            for alias in self._contained:
                if _contains(header, alias):
                    return self._field[alias]
        return None


def propose_columns(
    headers: list[str], aliases: HeaderAliases, saved: Mapping[str, str] | None = None
) -> dict[int, str]:
    """Column index → field code, each field at most once.

    Mappings the users saved earlier (normalized header → code; codes the aliases do not know
    are ignored) win, then exact aliases, then aliases inside the header; within each pass the
    first column wins.
    """
    normalized = [normalize(header) for header in headers]
    saved = {
        normalize(key): code for key, code in (saved or {}).items() if code in aliases.by_field
    }
    passes = [
        saved.get,
        lambda header: aliases.field(header, exact=True),
        lambda header: aliases.field(header, exact=False),
    ]
    proposal: dict[int, str] = {}
    for lookup in passes:
        for index, header in enumerate(normalized):
            if index in proposal or not header:
                continue
            code = lookup(header)
            if code and code not in proposal.values():
                proposal[index] = code
    return dict(sorted(proposal.items()))


# --- Choice values -----------------------------------------------------------------------------


def keyword_pairs(
    keywords: Mapping[str, Iterable[str]], labels: Mapping[str, object] | None = None
) -> list[tuple[str, str]]:
    """(normalized keyword, code) pairs from code → keywords, plus each code and its label."""
    pairs = [(normalize(word), code) for code, words in keywords.items() for word in words]
    for code, label in (labels or {}).items():
        pairs += [(normalize(code), code), (normalize(str(label)), code)]
    return [(word, code) for word, code in pairs if word]


def propose_value(keywords: Iterable[tuple[str, str]], text: str) -> str | None:
    """Best guess of the choice code for a cell text, or None.

    `keywords`: (normalized keyword, code) pairs, see `keyword_pairs`. A keyword equal to the
    text decides; otherwise the longest keyword found in the text, so "deployed – in use" is
    "in use" although it starts like "deployment". For a multi-valued cell, pass the items of
    split_multi one at a time.
    """
    value = normalize(text)
    if not value:
        return None
    best: tuple[int, int] | None = None
    best_code = None
    for keyword, code in keywords:
        if keyword == value:
            return code
        if _contains(value, keyword):
            # Longest keyword first; for equal length, the one that comes first in the text.
            key = (len(keyword), -f" {value} ".index(f" {keyword} "))
            if best is None or key > best:
                best, best_code = key, code
    return best_code
