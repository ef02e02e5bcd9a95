"""Server time of the measure pages: `python bench/pages.py` (after `qms demo-data`).

Uses the database the settings point at (QMS_DATA_DIR or DATABASE_URL), logs in as the demo
users, and prints the median of 20 requests after a warm-up, for the measure page with the most
data, a measure list, and the inbox, the weight of the measure page (all of it, and the
chart's inline specification), and the queries of the measure pages with the fewest and the
most signals. Targets: a measure page in at most 150 ms (issue 4), at most 60 KB (issue 7),
the same queries whatever the signals (issue 8).
"""

import gzip
import os
import re
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.config.settings")
os.environ.setdefault("DEBUG", "1")  # plain static files: no collectstatic needed

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from qms.control.models import Measure  # noqa: E402
from qms.people.models import Person, Unit  # noqa: E402

settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]


def median_ms(client: Client, url: str, repeats: int = 20) -> float:
    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def queries(client: Client, url: str) -> int:
    client.get(url)  # the rows and chart are cached after the first read
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def main() -> None:
    if not Measure.objects.exists():
        sys.exit("No measures: run `qms demo-data` first.")
    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    busiest = Measure.objects.annotate(points=Count("observations")).order_by("-points").first()
    client = Client()
    client.force_login(Person.objects.get(username="board"))
    board = Unit.objects.get(parent__isnull=True)
    print(f"database: {database}; {Measure.objects.count()} measures")
    print(
        f"measure page ({busiest.points} periods):   "
        f"{median_ms(client, busiest.get_absolute_url()):7.1f} ms  (target 150)"
    )
    print(
        f"measure list, whole board:      "
        f"{median_ms(client, reverse('control:measure-list', args=[board.pk])):7.1f} ms"
    )
    inbox = reverse("notifications:inbox")
    print(f"inbox:                          {median_ms(client, inbox):7.1f} ms")
    html = client.get(busiest.get_absolute_url()).content
    spec = re.search(rb'<script id="spc-spec" type="application/json">(.*?)</script>', html, re.S)
    print(
        f"measure page weight:            {len(html) / 1024:7.1f} KB (gzip "
        f"{len(gzip.compress(html)) / 1024:.1f} KB), of it the chart "
        f"{len(spec.group(1)) / 1024 if spec else 0:.1f} KB  (target 60)"
    )
    # With no signal at all, the escalations are not even asked for: one query fewer.
    by_signals = (
        Measure.objects.annotate(signal_count=Count("signals"))
        .filter(signal_count__gt=0)
        .order_by("signal_count")
    )
    fewest, most = by_signals.first(), by_signals.last()
    print(
        f"measure page queries:           {queries(client, fewest.get_absolute_url())} "
        f"({fewest.signal_count} signal), {queries(client, most.get_absolute_url())} "
        f"({most.signal_count} signals)  (target: the same)"
    )


if __name__ == "__main__":
    main()
