"""A design's page and a unit's resources page in headless Chromium: the flows and the balance
chart are drawn (under the Content-Security-Policy), axe-core finds no violation, and at 320 px
nothing but the scrolling regions is wider than the screen."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_support import PASSWORD, shot

from planning.designres_support import *  # noqa: F403
from qms.planning import services


@pytest.fixture
def design(priority):
    design = services.design_create(
        by=None, priority=priority, title="Night huddle", kind="process", evidence="NICE, 2013."
    )
    steps = [("Call bell", "step", 2), ("Safe to mobilise?", "decision", 1),
             ("Wait for a nurse", "wait", 15), ("Walk to the toilet", "step", 10),
             ("Back to bed", "step", 5)]  # fmt: skip
    for name, kind, minutes in steps:
        services.design_step_add(
            by=None, design=design, state="current", name=name, kind=kind, minutes=minutes
        )
    for name, kind, minutes in steps[:2] + steps[3:4]:
        services.design_step_add(
            by=None, design=design, state="future", name=name, kind=kind, minutes=minutes
        )
    return design


def _axe(page):
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in Axe().run(page).response["violations"]
    ]


def _log_in(page, base):
    page.goto(base + "/accounts/login/")
    page.get_by_label("User name").fill("lead")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.set_default_timeout(20_000)


def _check(page, url, drawn, name):
    from playwright.sync_api import expect

    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(url, timeout=60_000)
        for selector in drawn:
            expect(page.locator(selector)).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        shot(page, f"{name}-{width}")
        assert _axe(page) == []


@pytest.mark.browser
def test_it_draws_a_design_s_flows_accessibly_at_any_width(live_server, lead, design, page):
    csp = []
    page.on("console", lambda m: csp.append(m.text) if "Content Security" in m.text else None)
    _log_in(page, live_server.url)
    drawn = [
        "[data-diagram-spec='current-flow-spec'] svg",
        "[data-diagram-spec='future-flow-spec'] svg",
    ]
    _check(page, live_server.url + design.get_absolute_url(), drawn, "design")
    assert csp == []


@pytest.mark.browser
def test_it_draws_the_balance_of_effort_accessibly_at_any_width(
    live_server, org, lead, member, priority, page
):
    services.capacity_set(by=None, unit=org["ward"], protected_hours=2, control_hours=3)
    services.priority_resources_set(by=None, priority=priority, protected_hours=5, budget=100)
    services.responsibility_add(by=None, priority=priority, person=member, raci="A")
    csp = []
    page.on("console", lambda m: csp.append(m.text) if "Content Security" in m.text else None)
    _log_in(page, live_server.url)
    _check(
        page,
        f"{live_server.url}/plan/units/{org['ward'].pk}/resources/",
        ["#balance-chart svg"],
        "resources",
    )
    _check(page, f"{live_server.url}/plan/priorities/{priority.pk}/roles/", [], "priority-roles")
    assert csp == []
