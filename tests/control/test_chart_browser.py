"""The measure page's chart in headless Chromium, under the Content-Security-Policy."""

import re

import pytest
from browser_support import PASSWORD
from test_accessibility import _axis_labels, _log_in


@pytest.mark.browser
def test_the_chart_names_its_dates_under_the_content_security_policy(live_server, measure, page):
    from helpers import record

    record(measure, [6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5, 7, 6, 5, 6, 7, 6, 5, 6, 6])
    _log_in(page, live_server.url, "lead", password=PASSWORD)
    page.set_default_timeout(30_000)
    page.goto(f"{live_server.url}/control/measures/{measure.pk}/")
    page.wait_for_selector("#spc-chart svg")
    # 20 months from Jan 2024: a handful of the dates, never none (Vega cannot evaluate a
    # list of tick values without eval, and then drew no dates at all).
    assert re.search(r"(Jan|Apr|Jul|Oct) 202[45]", _axis_labels(page))
