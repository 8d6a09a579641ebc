"""The control catalogues shipped as data files (ISO/IEC 42001 Annex A), read once."""

import json
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


@cache
def annex_a():
    """Objectives of ISO/IEC 42001 Annex A, each with its controls, as in the data file."""
    return json.loads((DATA / "iso42001_annex_a.json").read_text(encoding="utf-8"))["objectives"]


def annex_a_choices():
    """(control ID, "ID short title") for every Annex A control, in catalogue order.

    Titles stay in English: they are the catalogue's short references.
    """
    return [
        (control["id"], f"{control['id']} {control['title']}")
        for objective in annex_a()
        for control in objective["controls"]
    ]
