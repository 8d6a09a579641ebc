"""Imports off the request: the worker reads the file once and runs the import, the pages show
its progress; files past the limits are refused with their reason; with the broker down the
upload says the import could not be queued."""

import io
import time

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from aims import celery_app
from aims.core import roles
from aims.core.imports import parsing, services
from aims.inventory.imports import AI_SYSTEMS
from aims.inventory.models import AISystem, SystemImport
from tests.factories import UserFactory

BROKER_DOWN = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def workbook(rows, columns=("Name", "Purpose", "Lifecycle stage")):
    """An XLSX of a header and `rows` AI systems, written as a stream."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Register")
    sheet.append(list(columns))
    for n in range(rows):
        sheet.append([f"System {n}", f"Purpose of system {n}", "Idea"][: len(columns)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def officer_client():
    client = Client()
    client.force_login(UserFactory(role=roles.COMPLIANCE_OFFICER))
    return client


def post_upload(client, content, name="register.xlsx"):
    return client.post(
        reverse("inventory:import_upload"), {"file": SimpleUploadedFile(name, content)}
    )


def status_fragment(client, record):
    response = client.get(
        reverse("inventory:import_status", args=[record.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    return response


def wait_for(client, record, statuses, seen, until_progress=None, timeout=240):
    """Poll the status fragment as the page does until the record reaches one of `statuses`
    (or `until_progress`); every progress value the fragment showed lands in `seen`."""
    deadline = time.monotonic() + timeout
    while True:
        fragment = status_fragment(client, record)
        shown = fragment.context["record"]
        seen.append(shown.progress)
        if shown.status in statuses:
            return fragment
        if until_progress is not None and shown.progress >= until_progress:
            return fragment
        assert time.monotonic() < deadline, f"still {fragment.context['record'].status}"
        time.sleep(0.2)


def wait_until_saved(record, timeout=240):
    deadline = time.monotonic() + timeout
    while True:
        try:
            if SystemImport.objects.get(pk=record.pk).status in ("imported", "failed"):
                return
        except OperationalError:  # "database is locked" while the import commits
            pass
        assert time.monotonic() < deadline, "the import did not finish"
        time.sleep(0.5)


def map_columns(client, record):
    columns_url = reverse("inventory:import_columns", args=[record.pk])
    page = client.get(columns_url)
    assert page.status_code == 200
    data = {f"column-{c['index']}": c["field"] for c in page.context["columns"]}
    assert client.post(columns_url, data).status_code == 302


# The real worker --------------------------------------------------------------------------------


def test_the_worker_reads_and_imports_a_large_workbook_while_the_page_shows_progress(
    worker, settings
):
    settings.AIMS_IMPORT_MAX_ROWS = 40_000
    client = officer_client()
    response = post_upload(client, workbook(30_000))
    record = SystemImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("inventory:import_status", args=[record.pk])
    page = client.get(response.url)
    assert page.status_code == 200
    assert "<progress" in page.content.decode()

    parsed = wait_for(client, record, {"uploaded", "failed"}, seen := [])
    record.refresh_from_db()
    assert (record.status, record.rows_total, record.progress) == ("uploaded", 30_000, 100)
    assert reverse("inventory:import_columns", args=[record.pk]) in parsed.content.decode()

    map_columns(client, record)
    preview_url = reverse("inventory:import_preview", args=[record.pk])
    response = client.post(preview_url)
    assert response.url == reverse("inventory:import_status", args=[record.pk])
    seen.clear()
    wait_for(client, record, {"imported", "failed"}, seen, until_progress=90)
    # The rows are checked; SQLite blocks readers while the import's one transaction writes
    # them (PostgreSQL does not), so the page is asked again once they are saved.
    wait_until_saved(record)
    done = wait_for(client, record, {"imported", "failed"}, seen)
    assert "30000 AI systems imported." in done.content.decode()
    assert any(0 < progress < 100 for progress in seen), seen
    assert seen[-1] == 100
    assert AISystem.objects.filter(source_import=record).count() == 30_000


# Limits ----------------------------------------------------------------------------------------


def test_reading_stops_at_the_row_limit_with_its_reason():
    content = workbook(6)
    with pytest.raises(parsing.ImportFileError) as refused:
        parsing.read_table(content, "big.xlsx", limits=parsing.Limits(rows=5))
    assert str(refused.value) == (
        "The file has more than 5 rows; at most 5 rows can be imported at once. "
        "Please split the file."
    )


def test_a_file_at_the_row_limit_is_read():
    table = parsing.read_table(workbook(5), "big.xlsx", limits=parsing.Limits(rows=5))
    assert len(table.rows) == 5


def test_reading_stops_at_the_cell_limit_with_its_reason():
    content = ("Name,Purpose\n" + "".join(f"S{n},P{n}\n" for n in range(10))).encode()
    with pytest.raises(parsing.ImportFileError) as refused:
        parsing.read_table(content, "big.csv", limits=parsing.Limits(cells=20))
    assert str(refused.value) == (
        "The file has more than 20 filled cells; at most 20 cells can be imported at once. "
        "Please remove unneeded columns or split the file."
    )


def test_the_limits_come_from_the_settings(settings):
    settings.AIMS_IMPORT_MAX_ROWS, settings.AIMS_IMPORT_MAX_CELLS = 7, 70
    assert parsing.Limits.configured() == parsing.Limits(rows=7, cells=70)


@pytest.mark.usefixtures("tasks_in_process")
def test_a_workbook_past_the_row_limit_fails_its_import_with_the_reason(
    client, compliance_officer, settings
):
    settings.AIMS_IMPORT_MAX_ROWS = 3
    client.force_login(compliance_officer)
    response = post_upload(client, workbook(4), "big.xlsx")
    record = SystemImport.objects.get()
    page = client.get(response.url)
    assert page.status_code == 200
    record.refresh_from_db()
    assert record.status == "failed"
    assert "The file has more than 3 rows" in record.message
    assert "The file has more than 3 rows" in page.content.decode()
    assert 'hx-trigger="every 1s"' not in page.content.decode()
    columns = client.get(reverse("inventory:import_columns", args=[record.pk]))
    assert columns.url == reverse("inventory:import_status", args=[record.pk])


# The status page ------------------------------------------------------------------------------


def test_a_running_import_polls_its_progress_with_htmx_only(client, compliance_officer):
    client.force_login(compliance_officer)
    record = SystemImport.objects.create(
        uploaded_by=compliance_officer, file_name="r.csv", sha256="0" * 64, progress=42
    )
    page = client.get(reverse("inventory:import_status", args=[record.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert '<progress class="w-100" max="100" value="42"' in html
    assert 'hx-trigger="every 1s"' in html
    assert "<script>" not in html
    fragment = status_fragment(client, record).content.decode()
    assert "<html" not in fragment
    assert 'hx-trigger="every 1s"' in fragment


def test_someone_elses_import_progress_is_not_found(client, compliance_officer):
    record = SystemImport.objects.create(
        uploaded_by=compliance_officer, file_name="r.csv", sha256="0" * 64
    )
    client.force_login(UserFactory(role=roles.COMPLIANCE_OFFICER))
    response = client.get(reverse("inventory:import_status", args=[record.pk]))
    assert response.status_code == 404


def test_an_import_already_running_is_not_started_twice(compliance_officer):
    record = SystemImport.objects.create(
        uploaded_by=compliance_officer, file_name="r.csv", sha256="0" * 64, status="importing"
    )
    with pytest.raises(ValidationError, match="This file is being imported."):
        services.import_start_run(
            spec=AI_SYSTEMS, record=record, user=compliance_officer, skip_invalid=False
        )


# The broker down -------------------------------------------------------------------------------


@pytest.fixture
def broker_down(settings):
    """The broker is unreachable: the Celery app points at a closed port, and its producer
    pool (which keeps its first connection) starts afresh."""
    conf = celery_app.conf
    saved = (conf.broker_url, conf.broker_transport_options, celery_app._pool)
    saved_producers = celery_app.amqp._producer_pool
    settings.CELERY_BROKER_URL = BROKER_DOWN
    conf.broker_url, conf.broker_transport_options = BROKER_DOWN, {}
    celery_app._pool = celery_app.amqp._producer_pool = None
    try:
        yield
    finally:
        conf.broker_url, conf.broker_transport_options, celery_app._pool = saved
        celery_app.amqp._producer_pool = saved_producers


def test_with_the_broker_down_the_upload_says_the_import_could_not_be_queued(
    broker_down, client, compliance_officer
):
    client.force_login(compliance_officer)
    response = post_upload(client, b"Name,Purpose\nBot,Chats\n", "register.csv")
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "The import could not be queued: the background service is not available. "
        "Please try again later."
    ]
    record = SystemImport.objects.get()
    assert (record.status, record.message) == (
        "failed",
        "The import could not be queued: the background service is not available. "
        "Please try again later.",
    )


@pytest.mark.usefixtures("tasks_in_process")
def test_a_file_uploaded_before_it_was_read_at_upload_is_read_when_its_wizard_opens(
    client, compliance_officer
):
    record = SystemImport(
        uploaded_by=compliance_officer, file_name="r.csv", sha256="0" * 64, status="uploaded"
    )
    record.file.save("old.csv", io.BytesIO(b"Name,Purpose\nBot,Chats\n"), save=False)
    record.save()
    client.force_login(compliance_officer)
    response = client.get(reverse("inventory:import_columns", args=[record.pk]))
    assert response.url == reverse("inventory:import_status", args=[record.pk])
    record.refresh_from_db()
    assert (record.status, record.rows_total, bool(record.parsed)) == ("uploaded", 1, True)
    page = client.get(reverse("inventory:import_columns", args=[record.pk]))
    assert page.status_code == 200
    assert [column["header"] for column in page.context["columns"]] == ["Name", "Purpose"]


@pytest.mark.usefixtures("tasks_in_process")
def test_a_sheet_the_workbook_does_not_have_is_refused_and_nothing_changes(
    client, compliance_officer
):
    client.force_login(compliance_officer)
    post_upload(client, workbook(2))
    record = SystemImport.objects.get()
    columns_url = reverse("inventory:import_columns", args=[record.pk])
    response = client.post(columns_url, {"sheet": "Missing"}, follow=True)
    assert response.redirect_chain[-1][0] == columns_url
    assert "The workbook has no sheet “Missing”. Its sheets are: Register." in (
        response.content.decode()
    )
    record.refresh_from_db()
    assert (record.sheet, record.status, record.rows_total) == ("Register", "uploaded", 2)


def test_a_read_or_import_task_that_comes_twice_changes_nothing(compliance_officer):
    record = SystemImport(
        uploaded_by=compliance_officer, file_name="r.csv", sha256="0" * 64, status="imported"
    )
    record.file.save("done.csv", io.BytesIO(b"Name,Purpose\nBot,Chats\n"), save=False)
    record.save()
    assert services.import_parse(AI_SYSTEMS, record) is None
    assert (
        services.import_in_worker(
            spec=AI_SYSTEMS, record=record, user=compliance_officer, skip_invalid=False
        )
        is None
    )
    record.refresh_from_db()
    assert (record.status, bool(record.parsed)) == ("imported", False)
