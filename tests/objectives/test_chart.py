"""The trend chart: plain SVG with one point per measurement, the target and warning lines at
the height of their values, dates on the axis, a title and description, no CSS."""

import datetime
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.utils import translation

from aims.objectives.charts import kpi_chart_svg
from tests.factories import KPIFactory, MeasurementFactory

pytestmark = pytest.mark.django_db


class Drawing(HTMLParser):
    def __init__(self, svg):
        super().__init__()
        self.elements, self.texts, self._tag = [], [], None
        self.feed(str(svg))

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self._tag = tag

    def handle_data(self, data):
        if data.strip():
            self.texts.append((self._tag, data.strip()))

    def points(self):
        return [a for tag, a in self.elements if tag == "circle" and a.get("class") == "kpi-point"]

    def line(self, css_class):
        (line,) = [a for tag, a in self.elements if tag == "line" and a.get("class") == css_class]
        assert line["y1"] == line["y2"]
        return float(line["y1"])


def monthly(kpi, values):
    for month, value in enumerate(values, start=1):
        MeasurementFactory(
            kpi=kpi,
            period_start=datetime.date(2026, month, 1),
            period_end=datetime.date(2026, month, 28),
            value=value,
        )


def test_one_point_per_measurement_and_the_target_line_at_the_targets_height():
    kpi = KPIFactory(target=95, warning_threshold=90)
    monthly(kpi, [88, 91, 95, 97])
    drawing = Drawing(kpi_chart_svg(kpi))
    points = drawing.points()
    assert len(points) == 4
    at_target = points[2]
    assert float(at_target["cy"]) == drawing.line("kpi-target")
    # Higher values are drawn higher (a smaller y), the warning line below the target line.
    heights = [float(p["cy"]) for p in points]
    assert heights == sorted(heights, reverse=True)
    assert drawing.line("kpi-warning") > drawing.line("kpi-target")
    # Points run left to right in the order of their periods.
    xs = [float(p["cx"]) for p in points]
    assert xs == sorted(xs)


def test_where_lower_is_better_the_target_line_lies_below_the_warning_line():
    kpi = KPIFactory(higher_is_better=False, target=2, warning_threshold=5, unit="")
    monthly(kpi, [7, 5, 2, 1, 0])
    drawing = Drawing(kpi_chart_svg(kpi))
    points = drawing.points()
    assert len(points) == 5
    assert float(points[2]["cy"]) == drawing.line("kpi-target")
    assert float(points[1]["cy"]) == drawing.line("kpi-warning")
    assert drawing.line("kpi-target") > drawing.line("kpi-warning")
    # Status colours follow the direction: 7 is off target, 1 is on target.
    assert points[0]["fill"] == "#dc3545"
    assert points[3]["fill"] == "#198754"


def test_the_chart_is_accessible_svg_without_css_and_labels_its_dates():
    kpi = KPIFactory(name="<b>Accuracy</b>")
    monthly(kpi, [96, 97])
    svg = str(kpi_chart_svg(kpi))
    drawing = Drawing(svg)
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert all("style" not in attrs for _tag, attrs in drawing.elements)
    assert "<style" not in svg and "<b>" not in svg
    tags = {tag for tag, _attrs in drawing.elements}
    assert {"title", "desc", "polyline"} <= tags
    labels = [text for tag, text in drawing.texts if tag == "text"]
    assert "Jan 2026" in labels and "Feb 2026" in labels


def test_coordinates_keep_a_decimal_point_in_german():
    kpi = KPIFactory(target=Decimal("95.5"), warning_threshold=Decimal("90.25"))
    monthly(kpi, [Decimal("93.3")])
    with translation.override("de"):
        drawing = Drawing(kpi_chart_svg(kpi))
    (point,) = drawing.points()
    assert "," not in point["cy"] and float(point["cy"]) > 0


def test_a_kpi_without_measurements_draws_its_lines_and_says_so():
    drawing = Drawing(kpi_chart_svg(KPIFactory()))
    assert drawing.points() == []
    assert drawing.line("kpi-target") < drawing.line("kpi-warning")
    assert ("text", "No measurements yet") in drawing.texts
