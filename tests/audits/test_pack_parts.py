"""An audit pack laid out in several parts per section (audits/packs/build.py): the same words
as laid out whole, page numbers running on over the parts, a contents list and bookmarks that
point at the pages their sections start on."""

import io
import re

import pytest
from pypdf import PdfReader

from aims.core.models import User
from audits.packs import build
from audits.packs.build import render_pack
from audits.packs.sections import PackScope
from tests.audits.pack_helpers import counted_layouts

REFERENCE = "PACK-PARTS"
# The demo's sections of many records (the change log about 110 KB of HTML, the risks one
# record of 25 KB): in parts of 12 KB, most are laid out in several.
SECTIONS = ("inventory", "risks", "evidence", "changelog")
RUNNING = re.compile(rf"Page \d+ of \d+|Confidential|{REFERENCE}")


def rendered(monkeypatch, part_bytes):
    """(result, number of layouts, page texts) of the demo's pack in parts of `part_bytes`."""
    monkeypatch.setattr(build, "PART_BYTES", part_bytes)
    layouts = counted_layouts(monkeypatch)
    result = render_pack(
        PackScope(user=User.objects.get(username="compliance"), reference=REFERENCE),
        sections=SECTIONS,
    )
    reader = PdfReader(io.BytesIO(result.pdf))
    return result, len(layouts), reader, [page.extract_text() for page in reader.pages]


def section_words(texts, front_pages, organization):
    """The words of the sections' pages without the running header and footer."""
    text = " ".join(texts[front_pages:]).replace(organization, " ")
    return RUNNING.sub(" ", text).split()


def contents(texts, titles):
    """{title: page} as the contents list (the second page) prints them: the text holds the
    titles in order and, apart from them, the page numbers floated to the right in order."""
    page = texts[1]
    assert "Contents" in page
    positions = [page.index(title) for title in titles]
    assert positions == sorted(positions)
    numbers = [int(n) for n in re.findall(r"^\s*(\d+)\s*$", page, re.MULTILINE)]
    assert len(numbers) == len(titles), (numbers, titles)
    return dict(zip(titles, numbers, strict=True))


@pytest.mark.django_db
def test_a_pack_in_parts_reads_as_the_whole_with_its_pages_numbered_on(demo_module, monkeypatch):
    from aims.context.models import ScopeStatement

    organization = ScopeStatement.current_title()
    whole, whole_layouts, _reader, whole_texts = rendered(monkeypatch, 10**9)
    parted, parted_layouts, reader, texts = rendered(monkeypatch, 12_000)

    # One layout per section and the cover, laid out again if its contents took more pages.
    assert whole_layouts <= len(whole.sections) + 2
    assert parted_layouts > whole_layouts + 5
    assert parted.sections == whole.sections == SECTIONS
    assert parted.pages == len(texts)
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {parted.pages}" in text

    titles = [str(s.title) for s in build.all_sections() if s.key in parted.sections]
    starts = contents(texts, titles)
    front_pages = min(starts.values()) - 1
    assert list(starts.values()) == sorted(starts.values())
    bookmarks = {
        item.title: reader.get_destination_page_number(item) + 1
        for item in reader.outline
        if not isinstance(item, list)
    }
    for title, page in starts.items():
        assert title in texts[page - 1]
        assert bookmarks[title] == page

    # The same words: their order as extracted follows where the pages break, which parts move.
    whole_front = min(contents(whole_texts, titles).values()) - 1
    assert set(section_words(texts, front_pages, organization)) == set(
        section_words(whole_texts, whole_front, organization)
    )
