"""Compare units in headless Chromium: the funnel plot is drawn under the Content-Security-Policy,
its flagged units are named on it, axe-core finds no violation, and at 320 px nothing but the
table's own scrolling region is wider than the screen."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_support import PASSWORD, shot
from django.urls import reverse

from learning.funnel_support import *  # noqa: F403


def _axe(page):
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in Axe().run(page).response["violations"]
    ]


@pytest.mark.browser
def test_it_draws_the_funnel_plot_accessibly_at_any_width(
    live_server, org, quality_lead, falls, page
):
    from playwright.sync_api import expect

    csp_errors = []
    page.on(
        "console",
        lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.set_default_timeout(60_000)  # two cores shared: the first page can be slow
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("User name").fill("quality")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server.url + reverse("learning:home"), timeout=60_000)
    page.get_by_role("link", name="Falls per 1,000 bed days").click()
    expect(page.locator("#funnel-chart svg")).to_be_visible()
    # Flagged units are named on the plot, not only coloured.
    expect(page.locator("#funnel-chart svg")).to_contain_text("Ward 7")
    expect(page.locator("#funnel-chart svg")).to_contain_text("Ward 8")
    expect(page.get_by_role("table")).to_contain_text("Better than expected")
    shot(page, "funnel-compare")
    assert _axe(page) == []
    page.get_by_label("Adjust the limits for overdispersion").check()
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#funnel-chart svg")).to_be_visible()
    assert "overdispersion=on" in page.url
    assert _axe(page) == []
    page.set_viewport_size({"width": 320, "height": 800})
    page.reload()
    expect(page.locator("#funnel-chart svg")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert _axe(page) == []
    page.goto(live_server.url + reverse("learning:home"))
    assert _axe(page) == []
    assert csp_errors == []
