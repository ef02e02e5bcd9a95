"""Bright spots in headless Chromium: the list, a candidate's page with its chart drawn under
the Content-Security-Policy, accepting it, the inquiry, and turning it into a change package;
axe-core finds no violation, and at 320 px nothing but the tables' own scrolling regions is
wider than the screen."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_support import PASSWORD

from learning.bright_spots_support import *  # noqa: F403
from learning.bright_spots_support import sustained
from qms.learning.models import BrightSpot, BrightSpotStatus
from qms.learning.services import bright_spots as services


def _axe(page):
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in Axe().run(page).response["violations"]
    ]


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 320


@pytest.mark.browser
def test_it_decides_a_bright_spot_and_takes_it_onwards_accessibly(
    live_server, org, quality_lead, page
):
    from playwright.sync_api import expect

    sustained(org["ward"])
    spot = services.bright_spots_find().raised[0]
    csp_errors = []
    page.on(
        "console",
        lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("User name").fill("quality")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.set_default_timeout(20_000)
    page.goto(live_server.url + f"/learn/bright-spots/unit/{org['division'].pk}/", timeout=60_000)
    assert _axe(page) == []
    page.get_by_role("link", name=spot.measure.name).click()
    expect(page.locator("#spot-chart svg")).to_be_visible(timeout=30_000)
    assert _axe(page) == []
    page.get_by_label("Accept it as a bright spot").check()
    page.get_by_label("Reason").fill("Falls have halved for a year.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("The candidate is accepted.")).to_be_visible()
    page.get_by_role("link", name="Write the appreciative inquiry").click()
    assert _axe(page) == []
    page.get_by_label("What does the team do differently?").fill(
        "A falls huddle at every handover names who is at risk."
    )
    page.get_by_label("Likely under some conditions").check()
    page.get_by_label("Under which conditions?").fill("A stable team with a daily huddle.")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("button", name="Turn into a change package").click()
    expect(page.get_by_text("is ready for its leads")).to_be_visible()
    assert _axe(page) == []
    spot = BrightSpot.objects.get(pk=spot.pk)
    assert spot.status == BrightSpotStatus.ACCEPTED and spot.package is not None
    page.set_viewport_size({"width": 320, "height": 800})
    page.reload()
    expect(page.locator("#spot-chart svg")).to_be_visible(timeout=30_000)
    assert _fits(page)
    assert _axe(page) == []
    page.goto(live_server.url + f"/learn/bright-spots/unit/{org['division'].pk}/")
    assert _fits(page)
    assert csp_errors == []
