"""Chart markers in headless Chromium: drawn on the measure's chart under the
Content-Security-Policy, and selecting one opens the record it marks."""

import datetime as dt

import pytest
from browser_support import PASSWORD
from test_accessibility import _log_in

from qms.control import services
from qms.control.models import Standard

STABLE = [6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5, 7, 6, 5, 6, 7, 6, 5, 6, 6]


@pytest.mark.browser
def test_it_draws_markers_that_open_their_record(live_server, measure, page):
    from helpers import record

    record(measure, STABLE)
    # Any record with a page stands for a PDSA cycle (control imports nothing of improvement).
    source = Standard.objects.create(
        code="falls", title="Falls standard", statement="...", source="Test", scope="national"
    )
    services.chart_markers_set(
        source=source,
        markers=[
            (measure, dt.date(2024, 5, 1), "PDSA 1: hourly rounding"),
            (measure, dt.date(2024, 9, 1), "PDSA 2: call bells"),
        ],
    )
    _log_in(page, live_server.url, "lead", password=PASSWORD)
    page.set_default_timeout(30_000)
    page.goto(f"{live_server.url}/control/measures/{measure.pk}/")
    page.wait_for_selector("#spc-chart svg")

    triangles = page.locator("#spc-chart g.markers_marks path")
    assert triangles.count() == 2
    assert page.get_by_role("link", name="PDSA 2: call bells").is_visible()  # the list below
    box = triangles.nth(0).bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url(f"**{source.get_absolute_url()}")
