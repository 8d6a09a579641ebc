"""The parts of an audit pack are laid out by several children at once
(settings.AIMS_PACK_LAYOUT_PROCESSES), never more; a part that fails stops the render, in the
requester's language, and leaves no child behind."""

import os
import threading
from pathlib import Path

import pytest
from django.utils import translation

from aims.core.models import User
from audits.packs import build
from audits.packs.build import RenderFailed, render_pack
from audits.packs.sections import PackScope
from tests.audits.pack_helpers import counted_layouts

# The demo's change log (about 110 KB) in parts of 12 KB: some nine parts.
SECTIONS = ("changelog",)
PART_BYTES = 12_000


def layout_children():
    """The pids of this process's own pack layout children: not what a child forks on its way
    to running a program (such a fork shows its parent's command line until it does)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().split(b"\0")
                parent = int((entry / "stat").read_text().rpartition(")")[2].split()[1])
            except (OSError, IndexError, ValueError):  # ended meanwhile
                continue
            if b"audits.packs.layout" in command and parent == os.getpid():
                found.append(int(entry.name))
    return found


class MostAtOnce:
    """The largest number of layout children alive at the same time while the block ran."""

    def __enter__(self):
        self.most = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.watch, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stop.set()
        self.thread.join()

    def watch(self):
        while not self.stop.wait(0.02):
            self.most = max(self.most, len(layout_children()))


def scope():
    return PackScope(user=User.objects.get(username="compliance"), reference="LAYOUTS")


@pytest.mark.django_db
@pytest.mark.parametrize("processes", [1, 2])
def test_parts_are_laid_out_by_as_many_children_at_once_as_set(
    demo_module, monkeypatch, settings, processes
):
    settings.AIMS_PACK_LAYOUT_PROCESSES = processes
    monkeypatch.setattr(build, "PART_BYTES", PART_BYTES)
    started = counted_layouts(monkeypatch)

    with MostAtOnce() as children:
        result = render_pack(scope(), sections=SECTIONS)

    assert len(started) > 2 * processes + 4
    assert children.most == processes
    assert result.sections == SECTIONS
    assert not layout_children()


@pytest.mark.django_db
def test_a_failing_part_stops_the_render_in_the_requester_s_language_and_leaves_no_child(
    demo_module, monkeypatch, settings
):
    settings.AIMS_PACK_LAYOUT_PROCESSES = 2
    monkeypatch.setattr(build, "PART_BYTES", PART_BYTES)
    started = counted_layouts(monkeypatch)
    parts = sum(
        len(list(build.split(html)))
        for html in (
            build.render_to_string(s.template_name, {**s.build(scope()), "scope": scope()})
            for s in build.all_sections()
            if s.key in SECTIONS
        )
    )

    with translation.override("de"), pytest.raises(RenderFailed) as failed:
        render_pack(scope(), sections=SECTIONS, memory_mb=64)

    assert str(failed.value) == (
        "Die Erstellung brauchte mehr Speicher als die Obergrenze von 64 MB."
    )
    # The parts queued when the first failed are dropped, not laid out.
    assert 1 <= len(started) <= 2 * settings.AIMS_PACK_LAYOUT_PROCESSES < parts
    assert not layout_children()
