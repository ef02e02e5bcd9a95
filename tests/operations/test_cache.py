"""What is cached changes the moment results change, in each process's memory (the default) and
in a Redis cache shared by several servers (QMS_CACHE_URL=redis://...).

Cached: the measure page's built chart and table (control.selectors, shared by the measure list,
the unit's report and the huddle board), planning's Pareto counts, and improvement's findings
of special cause on a project's measures. Each is kept under a key holding what it was built
from, so new data make a new key: these tests record new observations through the service and
read the pages again at once.

Users are those of tests/conftest.py: lead in Ward 7, quality_lead in the division above.
"""

import datetime as dt
import html
import json
import os
import re
import uuid

import pytest
from django.core.cache import cache
from django.test import TestCase
from django.urls import reverse
from helpers import make_measure, record

from qms.control import services as control
from qms.control.models import ReportExport

REDIS_URL = "redis://127.0.0.1:6379/0"
STABLE = [6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5, 7, 6, 5, 6, 7, 6, 5, 6, 6]  # Jan 2024 - Aug 2025
SEPTEMBER = dt.date(2025, 9, 1)


def redis_or_skip():
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        client.ping()
    except Exception as error:  # not installed, or no server listening
        reason = f"no Redis at {REDIS_URL} ({type(error).__name__}: {error})"
        if os.environ.get("CI") == "true":  # CI's machine has one: its absence is a failure
            pytest.fail(reason)
        pytest.skip(f"{reason}; CI runs this test against one")
    return client


@pytest.fixture(params=["locmem", "redis"])
def page_cache(request, settings):
    """The cache the settings make for QMS_CACHE_URL empty, and for a redis:// URL (under a
    prefix of this test's own: the server is shared, so nothing else is touched)."""
    if request.param == "redis":
        client = redis_or_skip()
        prefix = f"qms-test-{uuid.uuid4().hex}"
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS_URL,
                "KEY_PREFIX": prefix,
                "TIMEOUT": 3600,
            }
        }
        yield lambda: sorted(k.decode() for k in client.scan_iter(match=f"{prefix}:*"))
        for key in client.scan_iter(match=f"{prefix}:*"):
            client.delete(key)
    else:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": f"qms-test-{uuid.uuid4().hex}",
            }
        }
        yield lambda: sorted(cache._cache)  # this process's memory


@pytest.fixture
def falls(org, lead):
    measure = make_measure(org["ward"], "ward-7-falls", by=lead)
    record(measure, STABLE)
    return measure


def record_september(measure, value, by):
    """A new value through the service, as the page's form saves it; the SPC refresh runs at
    the commit (the task backend of the tests runs it at once)."""
    row = control.ObservationInput(measure=measure, period=SEPTEMBER, value=value, denominator=1000)
    with TestCase.captureOnCommitCallbacks(execute=True):
        control.observations_save(by=by, rows=[row])


def chart_description(page: str) -> str:
    """The chart specification's description: its number of points and its last value."""
    found = re.search(r'<script id="spc-spec" type="application/json">(.*?)</script>', page, re.S)
    assert found, "the measure page has no chart"
    return json.loads(html.unescape(found.group(1)))["description"]


def test_the_measure_page_shows_new_data_at_once(client, lead, falls, page_cache):
    client.force_login(lead)
    before = client.get(falls.get_absolute_url()).content.decode()
    assert "chart of 20 points. Last value 6 (2025-08-01)" in chart_description(before)
    cached = page_cache()
    assert cached, "the chart was not cached: this test would prove nothing"

    # Within the limits: the icons stay as they were, so only the results' version moves.
    record_september(falls, 7, by=lead)

    after = client.get(falls.get_absolute_url()).content.decode()
    assert "chart of 21 points. Last value 7 (2025-09-01)" in chart_description(after)
    assert "Sep 2025" in after and "Sep 2025" not in before
    assert len(page_cache()) > len(cached)  # a new entry beside the old, never the old one


def test_the_report_and_huddle_board_show_new_data_at_once(client, org, lead, falls, page_cache):
    client.force_login(lead)
    report = reverse("control:quality-report", args=[org["ward"].pk])
    huddle = reverse("control:huddle-board", args=[org["ward"].pk])
    before = [client.get(url).content.decode() for url in (report, huddle)]
    assert page_cache()

    record_september(falls, 7, by=lead)

    after = [client.get(url).content.decode() for url in (report, huddle)]
    for old, new in zip(before, after, strict=True):
        assert "Sep 2025" in new and "Sep 2025" not in old


def test_the_report_exports_follow_new_data_at_once(
    client, org, lead, falls, page_cache, django_capture_on_commit_callbacks
):
    """The CSV is built from the stored results on each request (not cached); the PDF is kept
    as a file and reused only while the results it was made from are the same."""
    client.force_login(lead)
    url = reverse("control:quality-report", args=[org["ward"].pk])
    csv_before = client.get(url, {"format": "csv"}).content.decode("utf-8-sig")
    with django_capture_on_commit_callbacks(execute=True):
        client.get(url, {"format": "pdf"})
    first = ReportExport.objects.get()

    record_september(falls, 7, by=lead)

    csv_after = client.get(url, {"format": "csv"}).content.decode("utf-8-sig")
    assert "2025-09" in csv_after and "2025-09" not in csv_before
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.get(url, {"format": "pdf"})
    second = ReportExport.objects.latest("pk")
    assert second.pk != first.pk and asked["Location"].endswith(f"/{second.pk}/")
    assert second.fingerprint != first.fingerprint


def test_the_pareto_counts_follow_a_newly_analysed_issue_at_once(
    client, org, quality_lead, page_cache
):
    from planning.factors_support import coded_issue

    coded_issue(org["ward"], ["staff-workload"], when=dt.date.today())
    client.force_login(quality_lead)
    url = reverse("planning:pareto", args=[org["service"].pk])
    before = client.get(url).content.decode()
    assert any("planning:pareto" in key for key in page_cache())

    coded_issue(org["ward"], ["staff-workload", "communication-systems"], when=dt.date.today())

    after = client.get(url).content.decode()
    assert "Communication" in after and "Communication" not in before


def test_a_cache_entry_holds_json_safe_built_parts(falls, page_cache):
    """What the chart cache keeps survives a trip through Redis's pickling unchanged."""
    from qms.control import selectors

    first = selectors.measure_page(falls)
    selectors._BUILT.clear()  # this process's unpacked copy: read the cache's own
    again = selectors.measure_page(falls)
    assert json.loads(again.chart) == json.loads(first.chart)
    assert [row.period for row in again.rows] == [row.period for row in first.rows]
