"""Time register pages on seeded scale data, against a baseline measured in the same run.

The baseline is the bare ORM work a page cannot avoid (count + one page of rows, or all rows
for an export); the figure to watch is the ratio, which does not depend on the machine.

    python -m bench [--rows 5000] [--repeat 15]
"""

import argparse
import os
import statistics
import time
import tracemalloc


def measure(function, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_memory(function):
    tracemalloc.start()
    function()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aims.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.test.runner import DiscoverRunner
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    runner = DiscoverRunner(verbosity=0)
    databases = runner.setup_databases()
    try:
        run(args)
    finally:
        runner.teardown_databases(databases)


def run(args):
    from django.test import Client
    from django.urls import reverse

    from aims.context.models import ContextIssue
    from tests.factories import ContextIssueFactory, UserFactory

    owner = UserFactory(role="System Owner")
    ContextIssueFactory.create_batch(args.rows, owner=owner)
    client = Client()
    client.force_login(UserFactory(role="Compliance Officer"))
    list_url = reverse("context:contextissue_list")
    export_url = reverse("context:contextissue_export", args=["csv"])

    def list_page():
        assert client.get(list_url, {"page": 3, "sort": "title"}).status_code == 200

    def list_baseline():
        queryset = ContextIssue.objects.select_related("owner").order_by("title")
        queryset.count()
        list(queryset[50:75])

    def export():
        assert client.get(export_url).status_code == 200

    def export_baseline():
        list(ContextIssue.objects.select_related("owner").values_list())

    print(f"Register benchmark: {args.rows} context issues, median of {args.repeat} runs")
    print(f"{'what':<28}{'page ms':>10}{'baseline ms':>14}{'ratio':>8}{'peak MiB':>10}")
    for name, page, baseline in (
        ("list, page 3 sorted", list_page, list_baseline),
        ("CSV export, all rows", export, export_baseline),
    ):
        page_time = measure(page, args.repeat)
        base_time = measure(baseline, args.repeat)
        memory = peak_memory(page) / 2**20
        print(
            f"{name:<28}{page_time * 1000:>10.1f}{base_time * 1000:>14.1f}"
            f"{page_time / base_time:>8.1f}{memory:>10.1f}"
        )


if __name__ == "__main__":
    main()
