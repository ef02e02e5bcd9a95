"""A learning network in headless Chromium, as a patient partner given a role on it and as its
host: the shared measures' charts drawn side by side (under the Content-Security-Policy), the
list, the forms, axe-core finding no violation, and nothing wider than a 320 px screen."""

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_support import PASSWORD
from helpers import make_measure, make_person, record

from qms.learning.services import networks as services
from qms.people.roles import Role


def _axe(page):
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in Axe().run(page).response["violations"]
    ]


def _log_in(page, live_server, username):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.browser
def test_a_partner_and_a_host_see_the_network_accessibly_at_any_width(live_server, org, lead, page):
    from playwright.sync_api import expect

    network = services.network_create(
        by=lead, unit=org["ward"], name="Falls prevention", topic="Fewer falls at night."
    )
    services.network_team_add(by=lead, network=network, unit=org["other_service"])
    today = dt.date.today().replace(day=1)
    start = dt.date(today.year - 2, today.month, 1)
    # Rates of one definition, in two units: compared on a funnel plot as well.
    rate = {"name": "Falls per 1,000 bed days", "chart": "u", "multiply": 1000.0}
    for unit, code in ((org["ward"], "ward-falls"), (org["other_service"], "surgery-falls")):
        measure = make_measure(unit, code, **rate)
        record(measure, [5, 6, 4, 5, 6, 5, 4, 5, 6, 5, 4, 5, 3, 2, 3, 2] + [4] * 8, start=start)
        services.network_measure_add(by=lead, network=network, measure=measure)
    services.event_create(
        by=lead,
        network=network,
        title="Learning session",
        starts_at=dt.datetime(2020, 5, 1, 14, tzinfo=dt.UTC),
        notes="Rounding at night helps.",
    )
    visitor = make_person("visitor", professional_group="public")
    services.network_member_add(by=lead, network=network, person=visitor, role=Role.PARTNER)
    csp_errors = []
    page.on(
        "console",
        lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.set_default_timeout(20_000)
    _log_in(page, live_server, "visitor")
    page.goto(live_server.url + network.get_absolute_url(), timeout=60_000)
    expect(page.locator(".network-charts svg").first).to_be_visible()
    expect(page.locator(".network-charts svg")).to_have_count(2)
    expect(page.locator("#network-funnel-0 svg")).to_be_visible()
    assert _axe(page) == []
    page.set_viewport_size({"width": 320, "height": 800})
    page.reload()
    expect(page.locator(".network-charts svg").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert _axe(page) == []
    page.goto(live_server.url + "/")
    expect(page.get_by_role("link", name="Falls prevention").first).to_be_visible()
    assert _axe(page) == []

    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    _log_in(page, live_server, "lead")
    for path in (
        network.get_absolute_url(),
        "/learn/networks/",
        "/learn/networks/new/",
        f"/learn/networks/{network.pk}/teams/",
        f"/learn/networks/{network.pk}/measures/",
        f"/learn/networks/{network.pk}/packages/",
        f"/learn/networks/{network.pk}/events/new/",
        "/learn/",
    ):
        page.goto(live_server.url + path)
        assert _axe(page) == [], path
    assert csp_errors == []
