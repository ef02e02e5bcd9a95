"""The ranked list and a priority's page in headless Chromium: the impact-against-effort chart
is drawn (under the Content-Security-Policy), axe-core finds no violation, and at 320 px
nothing but the tables' own scrolling regions is wider than the screen."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_support import PASSWORD

from planning.priorities_support import *  # noqa: F403
from planning.priorities_support import propose, scores
from qms.planning import services


def _axe(page):
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in Axe().run(page).response["violations"]
    ]


@pytest.mark.browser
def test_it_draws_the_ranked_list_and_the_priority_accessibly_at_any_width(
    live_server, org, member, lead, page
):
    from playwright.sync_api import expect

    for n, value in enumerate([5, 3, 1]):
        p = propose(member, org["ward"], f"Priority number {n}")
        services.priority_score(by=lead, priority=p, **scores(value, effort=6 - value))
    csp_errors = []
    page.on(
        "console",
        lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("User name").fill("lead")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.set_default_timeout(20_000)
    url = live_server.url + f"/plan/units/{org['ward'].pk}/priorities/"
    page.goto(url, timeout=60_000)
    expect(page.locator("#priority-chart svg")).to_be_visible()
    assert _axe(page) == []
    page.set_viewport_size({"width": 320, "height": 800})
    page.reload()
    expect(page.locator("#priority-chart svg")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert _axe(page) == []
    page.goto(live_server.url + p.get_absolute_url())
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert _axe(page) == []
    assert csp_errors == []
