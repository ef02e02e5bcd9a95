"""The equity page and an evidence table's page in headless Chromium: the charts are drawn
(under the Content-Security-Policy), axe-core finds no violation, and at 320 px nothing but
the tables' own scrolling regions is wider than the screen."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_support import PASSWORD

from planning.needs_support import *  # noqa: F403
from planning.needs_support import csv_file
from qms.planning.services import needs as services


def _axe(page):
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in Axe().run(page).response["violations"]
    ]


def _check(page, url, chart):
    from playwright.sync_api import expect

    page.goto(url, timeout=60_000)
    expect(page.locator(f"{chart} svg")).to_be_visible()
    assert _axe(page) == []
    page.set_viewport_size({"width": 320, "height": 800})
    page.reload()
    expect(page.locator(f"{chart} svg")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert _axe(page) == []


@pytest.mark.browser
def test_it_draws_the_equity_and_evidence_charts_accessibly_at_any_width(
    live_server, falls, assessment, lead, page
):
    evidence = services.evidence_add(
        by=None, assessment=assessment, kind="table", title="Living alone", source="Census",
        file=csv_file("Age band,People\n75-79,1200\n80-84,900\n85+,650\n"),
    )  # fmt: skip
    errors = []
    page.on(
        "console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None
    )
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("User name").fill("lead")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.set_default_timeout(20_000)
    _check(page, f"{live_server.url}/plan/measures/{falls.pk}/equity/", "#dimension-1-chart")
    page.set_viewport_size({"width": 1200, "height": 900})
    _check(page, f"{live_server.url}/plan/needs/evidence/{evidence.pk}/", "#evidence-chart")
    assert errors == []
