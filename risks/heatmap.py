"""The risk heat map: counts per matrix cell of the active criteria, drawn as SVG on the server
so that the page and a PDF share one drawing. Each cell links to the list filtered to it."""

import unicodedata
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count
from django.template.loader import render_to_string
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

CELL, LABEL_WIDTH, AXIS = 54, 118, 40
# Fills as attributes, not CSS, so the drawing looks the same in a PDF.
FILLS = {"low": "#b7e1c1", "medium": "#fde68a", "high": "#fdba74", "critical": "#f19999"}
STAGES = {"inherent": _("Inherent risk"), "residual": _("Residual risk")}
# Parameters a cell link replaces; everything else (search, filters) is kept.
SCORES = tuple(f"{stage}_{axis}" for stage in STAGES for axis in ("likelihood", "impact"))
CELL_PARAMS = ("page", "sort", "criteria", *SCORES)


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
    levels⁴ rows), read from the index on them (`risk_heat_map`). `risks` is the (filtered)
    list the user sees; only risks scored under `criteria` count, since other versions may have
    other scales. Rows count as the list has them: where a filter crosses a to-many relation,
    the list tells them apart itself (`distinct`)."""
    counts = {stage: Counter() for stage in STAGES}
    rows = (
        risks.filter(criteria=criteria)
        .order_by()
        .values_list(*SCORES)
        .annotate(n=Count("pk", distinct=risks.query.distinct))
    )
    inherent, residual = counts["inherent"], counts["residual"]
    for inherent_likelihood, inherent_impact, residual_likelihood, residual_impact, n in rows:
        if inherent_likelihood is not None:
            inherent[inherent_likelihood, inherent_impact] += n
        if residual_likelihood is not None:
            residual[residual_likelihood, residual_impact] += n
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
    # The kept parameters are encoded once; each cell appends its own.
    prefix = f"{list_url}?{base.urlencode()}&" if base else f"{list_url}?"
    rows = criteria.likelihood_levels
    cells = []
    for row in range(1, rows + 1):
        for column in range(1, criteria.impact_levels + 1):
            cells.append(
                Cell(
                    likelihood=row,
                    impact=column,
                    fill=FILLS[criteria.level(row, column)],
                    count=counts.get((row, column), 0),
                    url=f"{prefix}criteria={criteria.pk}&{likelihood}={row}&{impact}={column}",
                    x=LABEL_WIDTH + (column - 1) * CELL,
                    y=(rows - row) * CELL,
                )
            )
    drawing = {
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
    drawing["svg"] = heat_map_svg(drawing)
    return drawing


def heat_map_svg(drawing):
    """The SVG of one drawing, written directly: a template render per cell cost more than
    the query behind the whole map."""
    stage, size = drawing["stage"], drawing["cell_size"]
    total = drawing["total"]
    title = ngettext("%(total)s risk", "%(total)s risks", total) % {"total": total}
    parts = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" class="heat-map" width="{0}" height="{1}" '
            'viewBox="0 0 {0} {1}" role="group" aria-labelledby="heat-map-{2}-title">\n'
            '<title id="heat-map-{2}-title">{3}: {4}</title>\n',
            drawing["width"],
            drawing["height"],
            stage,
            drawing["title"],
            title,
        )
    ]
    labels = {}  # translated once per count: most cells share theirs (0 above all)
    for cell in drawing["cells"]:
        count = cell.count
        weight, opacity = (700, "") if count else (400, ' fill-opacity="0.45"')
        if count not in labels:
            labels[count] = ngettext(
                "Likelihood %(likelihood)s, impact %(impact)s: %(count)s risk",
                "Likelihood %(likelihood)s, impact %(impact)s: %(count)s risks",
                count,
            )
        label = labels[count] % {
            "likelihood": cell.likelihood,
            "impact": cell.impact,
            "count": count,
        }
        parts.append(
            f'<a href="{conditional_escape(cell.url)}" class="heat-cell" '
            f'data-likelihood="{cell.likelihood}" data-impact="{cell.impact}" '
            f'data-count="{count}"><title>{label}</title>'
            f'<rect x="{cell.x}" y="{cell.y}" width="{size}" height="{size}" '
            f'fill="{cell.fill}" stroke="#ffffff" stroke-width="2"/>'
            f'<text x="{cell.x + 27}" y="{cell.y + 32}" text-anchor="middle" font-size="16" '
            f'font-weight="{weight}" fill="#212529"{opacity}>{count}</text></a>\n'
        )
    for x, y, text in drawing["likelihood_labels"]:
        parts.append(
            f'<text x="{x}" y="{y}" text-anchor="end" dominant-baseline="middle" font-size="11" '
            f'fill="#212529">{conditional_escape(shortened(text, 18))}</text>\n'
        )
    for x, y, text in drawing["impact_labels"]:
        parts.append(
            f'<text x="{x}" y="{y}" text-anchor="middle" font-size="10" '
            f'fill="#212529">{conditional_escape(shortened(text, 9))}</text>\n'
        )
    # Outside the f-string: makemessages does not find strings inside one.
    impact, likelihood = gettext("Impact →"), gettext("Likelihood ↑")
    parts.append(
        f'<text x="{drawing["width"] - 4}" y="{drawing["height"] - 4}" text-anchor="end" '
        f'font-size="11" fill="#6c757d">{conditional_escape(impact)}</text>\n'
        f'<text x="4" y="12" font-size="11" fill="#6c757d">'
        f"{conditional_escape(likelihood)}</text>\n</svg>\n"
    )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped or numeric


def shortened(text, length):
    """`Truncator(text).chars(length)`, without its setup (a translation per call) where the
    text is no longer than `length` and so stays whole."""
    if len(text) <= length:
        return unicodedata.normalize("NFC", text)
    return Truncator(text).chars(length)


def heat_maps_html(criteria, risks, list_url, query):
    """Inherent and residual side by side, as one HTML fragment."""
    maps = heat_maps(criteria, risks, list_url, query)
    return render_to_string("risks/heat_maps.html", {"maps": maps, "criteria": criteria})
