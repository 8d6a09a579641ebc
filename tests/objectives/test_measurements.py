"""Owners enter the measurements of their own KPIs; other KPIs' answer 404; the auditor reads;
a computed KPI's measurements are not entered by hand; bad input gets a field error and saves
nothing. My work and the dashboard show what is due and what is off target."""

import datetime

import pytest
from django.urls import reverse

from aims.objectives.models import KPI, Measurement
from tests.factories import KPIFactory, MeasurementFactory

pytestmark = pytest.mark.django_db

ADD = reverse("objectives:measurement_add")


def post(kpi, **fields):
    return {"kpi": kpi.pk, "period_start": "2026-03-01", "value": "96.5", **fields}


def test_the_owner_adds_a_measurement_to_their_kpi(client, system_owner):
    kpi = KPIFactory(owner=system_owner)
    client.force_login(system_owner)
    page = client.get(kpi.get_absolute_url())
    assert "Add a measurement" in page.content.decode()
    response = client.post(ADD, post(kpi))
    assert response.status_code == 302
    measurement = kpi.measurements.get()
    assert measurement.period_end == datetime.date(2026, 3, 31)
    assert str(measurement.value) == "96.5000"


def test_the_owner_cannot_add_to_or_change_another_owners_kpi(client, system_owner):
    mine = KPIFactory(owner=system_owner)
    theirs = KPIFactory()
    measurement = MeasurementFactory(kpi=theirs)
    client.force_login(system_owner)
    response = client.post(ADD, post(theirs))
    assert response.status_code == 200
    assert "kpi" in response.context["form"].errors
    assert not theirs.measurements.filter(period_start="2026-03-01").exists()
    edit = reverse("objectives:measurement_edit", args=[measurement.pk])
    # They read it: refused with 403, naming who may change it.
    assert client.get(edit).status_code == 403
    assert client.post(edit, {"value": "1"}).status_code == 403
    assert client.get(reverse("objectives:kpi_edit", args=[theirs.pk])).status_code == 403
    assert "Add a measurement" not in client.get(theirs.get_absolute_url()).content.decode()
    assert mine.measurements.count() == 0


def test_the_auditor_reads_but_enters_nothing(client, auditor):
    kpi = KPIFactory()
    MeasurementFactory(kpi=kpi)
    client.force_login(auditor)
    page = client.get(kpi.get_absolute_url())
    assert page.status_code == 200
    assert "kpi-chart" in page.content.decode()
    assert "Add a measurement" not in page.content.decode()
    assert client.get(ADD).status_code == 403
    assert client.post(ADD, post(kpi)).status_code == 403
    assert kpi.measurements.count() == 1


def test_a_non_numeric_value_gets_a_field_error_and_saves_nothing(client, compliance_officer):
    kpi = KPIFactory()
    client.force_login(compliance_officer)
    response = client.post(ADD, post(kpi, value="ninety"))
    assert response.status_code == 200
    assert "value" in response.context["form"].errors
    assert Measurement.objects.count() == 0


def test_a_second_measurement_for_the_same_period_is_refused_at_the_period(
    client, compliance_officer
):
    kpi = KPIFactory()
    MeasurementFactory(kpi=kpi, period_start="2026-03-01", period_end="2026-03-31")
    client.force_login(compliance_officer)
    response = client.post(ADD, post(kpi, value="80"))
    assert "period_start" in response.context["form"].errors
    assert kpi.measurements.get().value == 96


def test_measurements_of_a_computed_kpi_are_not_entered_by_hand(client, compliance_officer):
    kpi = KPIFactory(
        kind=KPI.Kind.COMPUTED, computed="serious_incidents", target=0, warning_threshold=0
    )
    kpi.higher_is_better = False
    kpi.save()
    stored = MeasurementFactory(kpi=kpi, value=0)
    client.force_login(compliance_officer)
    response = client.post(ADD, post(kpi))
    assert "kpi" in response.context["form"].errors
    edit = client.get(reverse("objectives:measurement_edit", args=[stored.pk]))
    assert edit.status_code == 302
    assert kpi.measurements.count() == 1


def test_the_kpi_page_shows_status_chart_measurements_and_objectives(client, compliance_officer):
    kpi = KPIFactory(name="Triage accuracy")
    MeasurementFactory(kpi=kpi, value=85, comment="Drift after the <i>update</i>")
    client.force_login(compliance_officer)
    html = client.get(kpi.get_absolute_url()).content.decode()
    assert "Off target" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="kpi-chart"' in html
    assert "Drift after the &lt;i&gt;update&lt;/i&gt;" in html


def test_my_work_asks_the_owner_for_the_measurement_due(client, system_owner):
    kpi = KPIFactory(owner=system_owner)
    client.force_login(system_owner)
    html = client.get(reverse("core:my_work")).content.decode()
    assert f"Enter the measurement of {kpi}" in html
    start, end = kpi.period_due()
    MeasurementFactory(kpi=kpi, period_start=start, period_end=end)
    html = client.get(reverse("core:my_work")).content.decode()
    assert f"Enter the measurement of {kpi}" not in html


def test_the_dashboard_lists_the_kpis_off_target(client, auditor):
    off = KPIFactory(name="Complaint rate")
    MeasurementFactory(kpi=off, value=70)
    fine = KPIFactory(name="Uptime")
    MeasurementFactory(kpi=fine, value=99)
    client.force_login(auditor)
    html = client.get(reverse("core:dashboard")).content.decode()
    assert "KPIs off target" in html
    assert "Complaint rate" in html and "Uptime" not in html
    assert "1 KPI is off target." in html


@pytest.mark.parametrize("model", ["aiobjective", "kpi", "measurement"])
def test_lists_cost_the_same_queries_for_one_row_and_fifty(client, compliance_officer, model):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import AIObjectiveFactory

    factory = {"aiobjective": AIObjectiveFactory, "kpi": KPIFactory, "measurement": None}[model]
    client.force_login(compliance_officer)
    url = reverse(f"objectives:{model}_list")

    def rows(n):
        for _ in range(n):
            if factory:
                obj = factory()
                if model == "aiobjective":
                    obj.kpis.add(KPIFactory())
            else:
                MeasurementFactory()

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    rows(1)
    one = queries()
    rows(49)
    assert queries() == one
    print(f"PIN {model} {one}")


def test_a_computed_kpi_takes_unit_and_direction_from_its_figure(client, compliance_officer):
    client.force_login(compliance_officer)
    response = client.post(
        reverse("objectives:kpi_add"),
        {
            "name": "Serious incidents",
            "definition": "Serious incidents the organization became aware of in the month.",
            "kind": KPI.Kind.COMPUTED,
            "computed": "serious_incidents",
            "unit": "%",
            "higher_is_better": "on",
            "target": "0",
            "warning_threshold": "1",
            "frequency": "monthly",
            "owner": compliance_officer.pk,
        },
    )
    assert response.status_code == 302
    kpi = KPI.objects.get()
    assert (kpi.unit, kpi.higher_is_better, kpi.reference) == ("", False, "KPI-01")


def test_the_kpi_pages_render_in_german(client, compliance_officer):
    kpi = KPIFactory()
    MeasurementFactory(kpi=kpi, value="93.5")
    client.force_login(compliance_officer)
    client.cookies["django_language"] = "de"
    for url in (
        kpi.get_absolute_url(),
        reverse("objectives:kpi_list"),
        reverse("objectives:kpi_list") + "?current_status=warning",
        reverse("objectives:measurement_list"),
        reverse("objectives:aiobjective_list"),
    ):
        assert client.get(url, HTTP_ACCEPT_LANGUAGE="de").status_code == 200
    listed = client.get(reverse("objectives:kpi_list") + "?current_status=warning")
    assert kpi.reference in listed.content.decode()
    off = client.get(reverse("objectives:kpi_list") + "?current_status=off_target")
    assert kpi.reference not in off.content.decode()
