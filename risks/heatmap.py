"""The risk heat map: counts per matrix cell of the active criteria, drawn as SVG on the server
so that the page and a PDF share one drawing. Each cell links to the list filtered to it."""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

CELL, LABEL_WIDTH, AXIS = 54, 118, 40
# Fills as attributes, not CSS, so the drawing looks the same in a PDF.
FILLS = {"low": "#b7e1c1", "medium": "#fde68a", "high": "#fdba74", "critical": "#f19999"}
STAGES = {"inherent": _("Inherent risk"), "residual": _("Residual risk")}
# Parameters a cell link replaces; everything else (search, filters) is kept.
CELL_PARAMS = ("page", "sort", "criteria") + tuple(
    f"{stage}_{axis}" for stage in STAGES for axis in ("likelihood", "impact")
)


@dataclass
class Cell:
    likelihood: int
    impact: int
    fill: str
    count: int
    url: str
    x: int
    y: int


def stage_counts(criteria, risks):
    """Risks per cell for each stage, from one query grouped by all four scores (at most
    levels⁴ rows). `risks` is the (filtered) list the user sees; only risks scored under
    `criteria` count, since other versions may have other scales."""
    columns = [f"{stage}_{axis}" for stage in STAGES for axis in ("likelihood", "impact")]
    counts = {stage: Counter() for stage in STAGES}
    rows = (
        risks.filter(criteria=criteria)
        .order_by()
        .values(*columns)
        .annotate(n=Count("pk", distinct=True))
    )
    for row in rows:
        for stage, cells in counts.items():
            if row[f"{stage}_likelihood"] is not None:
                cells[row[f"{stage}_likelihood"], row[f"{stage}_impact"]] += row["n"]
    return counts


def heat_maps(criteria, risks, list_url, query):
    """The drawings' data for both stages; `query` is the list's QueryDict."""
    counts = stage_counts(criteria, risks)
    return [heat_map(criteria, counts[stage], stage, list_url, query) for stage in STAGES]


def heat_map(criteria, counts, stage, list_url, query):
    """The drawing's data for one stage ("inherent" or "residual") from its cell counts."""
    likelihood, impact = f"{stage}_likelihood", f"{stage}_impact"
    base = query.copy()
    for name in CELL_PARAMS:
        base.pop(name, None)
    rows = criteria.likelihood_levels
    cells = []
    for row in range(1, rows + 1):
        for column in range(1, criteria.impact_levels + 1):
            params = base.copy()
            params.update({"criteria": criteria.pk, likelihood: row, impact: column})
            cells.append(
                Cell(
                    likelihood=row,
                    impact=column,
                    fill=FILLS[criteria.level(row, column)],
                    count=counts.get((row, column), 0),
                    url=f"{list_url}?{params.urlencode()}",
                    x=LABEL_WIDTH + (column - 1) * CELL,
                    y=(rows - row) * CELL,
                )
            )
    return {
        "stage": stage,
        "title": STAGES[stage],
        "cells": cells,
        "total": sum(counts.values()),
        "likelihood_labels": [
            (LABEL_WIDTH - 6, (rows - n) * CELL + CELL // 2, entry["label"])
            for n, entry in enumerate(criteria.likelihood_scale, start=1)
        ],
        "impact_labels": [
            (LABEL_WIDTH + (n - 1) * CELL + CELL // 2, rows * CELL + 14, entry["label"])
            for n, entry in enumerate(criteria.impact_scale, start=1)
        ],
        "width": LABEL_WIDTH + criteria.impact_levels * CELL + 4,
        "height": rows * CELL + AXIS,
        "cell_size": CELL,
    }


def heat_maps_html(criteria, risks, list_url, query):
    """Inherent and residual side by side, as one HTML fragment."""
    maps = heat_maps(criteria, risks, list_url, query)
    return render_to_string("risks/heat_maps.html", {"maps": maps, "criteria": criteria})
