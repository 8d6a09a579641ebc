"""Guessing what a register's spreadsheet means: which field a column fills
(`HeaderAliases`, `propose_columns`) and which choice a cell names (`keyword_pairs`,
`propose_value`), from what the register declares in its `ImportSpec`. Pure functions, no models.
"""

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

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


# An identifier: letters then digits ("DOJ-0012", "AIS7", "RR-01"), or dotted numbers with at
# least three parts ("01.02.00"); no spaces inside the digits, short.
_IDENTIFIER = re.compile(
    r"[a-z]{1,12}[_./-]?\d{1,8}(?:[_./-][a-z0-9]{1,8})*|\d{1,3}(?:\.\d{1,3}){2,3}", re.IGNORECASE
)
LONG_TEXT = 60  # mean characters from which a column reads as a description


@dataclass(frozen=True)
class ColumnContent:
    """What the cells of a column look like, to weigh a header's guess against."""

    filled: int
    distinct: int
    identifiers: int
    mean_length: float

    @classmethod
    def of(cls, values: Iterable[str]) -> "ColumnContent":
        texts = [value.strip() for value in values if value and value.strip()]
        return cls(
            filled=len(texts),
            distinct=len({text.casefold() for text in texts}),
            identifiers=sum(1 for text in texts if _IDENTIFIER.fullmatch(text)),
            mean_length=sum(map(len, texts)) / len(texts) if texts else 0,
        )

    @property
    def repeated(self) -> bool:
        """A handful of values repeated down the column (agencies, categories)."""
        return self.filled >= 3 and self.distinct * 3 <= self.filled

    @property
    def identifier(self) -> bool:
        """Every cell an identifier, each once."""
        return self.filled >= 2 and self.identifiers == self.filled == self.distinct

    @property
    def long_text(self) -> bool:
        return self.mean_length >= LONG_TEXT

    @property
    def varied(self) -> bool:
        """Many different values: free text rather than a choice."""
        return self.distinct >= 8 and self.distinct * 5 > self.filled * 4


@dataclass(frozen=True)
class FieldRoles:
    """What a register's fields expect of a column's content: `reference` an identifier,
    `name` (what an entry is called) varied short text, `descriptions` long text (in order of
    preference), `choices` a handful of values."""

    reference: str | None = None
    name: str | None = None
    descriptions: tuple[str, ...] = ()
    choices: frozenset[str] = frozenset()

    def fits(self, code: str, content: ColumnContent) -> bool:
        """Whether the content does not speak against the field."""
        if not content.filled or code == self.reference:
            # A header naming the reference (or the ID of the entry to update) stands: a
            # reference given twice or written out at length is an error the preview reports.
            return True
        if code == self.name:
            return not (content.repeated or content.identifier)
        if code in self.choices:
            return not (content.varied or content.long_text)
        return True


def propose_columns(
    headers: list[str],
    aliases: HeaderAliases,
    saved: Mapping[str, str] | None = None,
    rows: Sequence[Sequence[str]] = (),
    roles: FieldRoles | None = None,
) -> dict[int, str]:
    """Column index → field code, each field at most once, from the headers and, given `rows`
    (cell texts) and the register's `roles`, from what the columns hold.

    Mappings the users saved earlier (normalized header → code; codes the aliases do not know
    are ignored) win, then exact aliases, then aliases inside the header; within each pass the
    first column wins. A header's guess whose column content speaks against it is dropped: a
    column of a few repeated agency names is no name, a column of IDs no name but the
    reference. Then content alone: an unclaimed column of identifiers is the reference, an
    unclaimed long free-text column the description, and a column whose header guess was
    dropped may be the name if its content fits.
    """
    normalized = [normalize(header) for header in headers]
    saved = {
        normalize(key): code for key, code in (saved or {}).items() if code in aliases.by_field
    }
    roles = roles or FieldRoles()
    contents = [ColumnContent.of(cells[index] for cells in rows) for index in range(len(headers))]
    passes = [
        (saved.get, False),
        (lambda header: aliases.field(header, exact=True), True),
        (lambda header: aliases.field(header, exact=False), True),
    ]
    proposal: dict[int, str] = {}
    dropped: set[int] = set()
    for lookup, checked in passes:
        for index, header in enumerate(normalized):
            if index in proposal or not header:
                continue
            code = lookup(header)
            if not code or code in proposal.values():
                continue
            if checked and not roles.fits(code, contents[index]):
                dropped.add(index)
                continue
            proposal[index] = code

    def unclaimed(test):
        return next(
            (i for i, content in enumerate(contents) if i not in proposal and test(i, content)),
            None,
        )

    fallbacks = [
        (roles.reference, lambda i, content: content.identifier),
        *((code, lambda i, content: content.long_text) for code in roles.descriptions),
        (
            roles.name,
            lambda i, content: (
                i in dropped
                and content.filled
                and roles.fits(roles.name, content)
                and not content.long_text
            ),
        ),
    ]
    for code, test in fallbacks:
        if code and code in aliases.by_field and code not in proposal.values():
            index = unclaimed(test)
            if index is not None:
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


# Words that turn the meaning of what follows: "pre-deployment" is no deployment, "not in
# production" no production.
QUALIFIERS = frozenset(
    {"pre", "post", "not", "non", "no", "un", "before", "after", "prior", "former", "vor",
     "nach", "nicht", "kein", "keine", "ohne", "without", "ex"}
)  # fmt: skip


def propose_value(keywords: Iterable[tuple[str, str]], text: str) -> str | None:
    """Best guess of the choice code for a cell text, or None when the text names none or
    names several (the user decides; never a default).

    `keywords`: (normalized keyword, code) pairs, see `keyword_pairs`. A keyword equal to the
    text decides. Otherwise the keywords found in the text as whole words count, except where
    a qualifier stands before them ("pre-deployment", "not in production": all words after the
    qualifier that the keyword covers are void): the longest decides, so "deployed – in use" is
    "in use" although it starts like "deployment"; keywords of another code elsewhere in the
    text make it unclear ("Privacy & Security"). For a multi-valued cell, pass the items of
    split_multi one at a time.
    """
    value = normalize(text)
    if not value:
        return None
    words = value.split()
    found = []  # (first word, word after the last, keyword, code)
    for keyword, code in keywords:
        if keyword == value:
            return code
        length = len(keyword.split())
        for start in range(len(words) - length + 1):
            if words[start : start + length] == keyword.split():
                found.append((start, start + length, keyword, code))
    void = set()
    for start, end, _keyword, _code in found:
        if start and words[start - 1] in QUALIFIERS:
            void.update(range(start, end))
    # A keyword that starts with its own qualifier ("not in use") stands.
    kept = [match for match in found if match[0] not in void]
    if not kept:
        return None
    # Longest keyword first; for equal length, the one that comes first in the text.
    kept.sort(key=lambda match: (-len(match[2]), match[0]))
    start, end, _keyword, code = kept[0]
    for other_start, other_end, _other, other_code in kept[1:]:
        if other_code != code and (other_end <= start or other_start >= end):
            return None
    return code
