"""The trend chart of a KPI: one point per measurement with the target and the warning line,
drawn as SVG on the server (fills and strokes as attributes, no CSS) so that the page and a PDF
share one drawing."""

from dataclasses import dataclass
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils.formats import date_format, number_format

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 64, 28, 16, 44  # room for the last date label
PLOT_WIDTH, PLOT_HEIGHT = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
MAX_DATE_LABELS = 12
# Colours as attributes, not CSS, so the drawing looks the same in a PDF.
STATUS_FILLS = {"on_target": "#198754", "warning": "#d39e00", "off_target": "#dc3545"}
TARGET_STROKE, WARNING_STROKE, LINE_STROKE, AXIS_STROKE = "#198754", "#d39e00", "#0d6efd", "#6c757d"


def coordinate(number):
    # Formatted here: a template would localize the decimal point (a comma in German).
    return f"{number:.1f}"


@dataclass
class Point:
    x: str
    y: str
    fill: str
    value: str
    period_end: object


class Scale:
    """Maps values to heights: the range holds every value, the target and the threshold."""

    def __init__(self, values):
        low, high = min(values), max(values)
        padding = (high - low) * Decimal("0.1") or max(abs(high) * Decimal("0.1"), Decimal(1))
        self.low, self.high = low - padding, high + padding

    def y(self, value):
        share = (self.high - Decimal(value)) / (self.high - self.low)
        return TOP + float(share) * PLOT_HEIGHT


def x_positions(count):
    if count == 1:
        return [LEFT + PLOT_WIDTH / 2]
    step = PLOT_WIDTH / (count - 1)
    return [LEFT + index * step for index in range(count)]


def display_value(value, unit):
    number = number_format(Decimal(value).normalize(), use_l10n=True)
    return f"{number} {unit}".strip() if unit and unit != "%" else f"{number}{unit}"


def chart_context(kpi, measurements):
    measurements = sorted(measurements, key=lambda m: m.period_start)
    scale = Scale([kpi.target, kpi.warning_threshold, *(m.value for m in measurements)])
    xs = x_positions(len(measurements)) if measurements else []
    points = [
        Point(
            x=coordinate(x),
            y=coordinate(scale.y(m.value)),
            fill=STATUS_FILLS[kpi.status(m)],
            value=display_value(m.value, kpi.unit),
            period_end=m.period_end,
        )
        for x, m in zip(xs, measurements, strict=True)
    ]
    every = -(-len(points) // MAX_DATE_LABELS) or 1
    return {
        "kpi": kpi,
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "bottom": coordinate(TOP + PLOT_HEIGHT),
        "label_x": LEFT - 6,
        "date_y": TOP + PLOT_HEIGHT + 16,
        "points": points,
        "latest": points[-1].value if points else "",
        "center_x": LEFT + PLOT_WIDTH // 2,
        "center_y": TOP + PLOT_HEIGHT // 2,
        "polyline": " ".join(f"{p.x},{p.y}" for p in points),
        "date_labels": [(p.x, date_format(p.period_end, "M Y")) for p in points[::every]],
        "target_y": coordinate(scale.y(kpi.target)),
        "target": display_value(kpi.target, kpi.unit),
        "warning_y": coordinate(scale.y(kpi.warning_threshold)),
        "warning": display_value(kpi.warning_threshold, kpi.unit),
        "high_y": coordinate(scale.y(scale.high)),
        "high": display_value(scale.high.quantize(Decimal("0.1")), kpi.unit),
        "low": display_value(scale.low.quantize(Decimal("0.1")), kpi.unit),
        "colours": {
            "target": TARGET_STROKE,
            "warning": WARNING_STROKE,
            "line": LINE_STROKE,
            "axis": AXIS_STROKE,
        },
    }


def kpi_chart_svg(kpi, measurements=None):
    """The KPI's trend as an SVG fragment (a SafeString), for pages and PDFs alike."""
    if measurements is None:
        measurements = kpi.measurements.all()
    return render_to_string("objectives/kpi_chart.svg", chart_context(kpi, list(measurements)))
