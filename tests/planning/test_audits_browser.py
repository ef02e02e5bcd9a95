"""A re-audit's page in headless Chromium: the chart of both audits is drawn (under the
Content-Security-Policy), axe-core finds no violation, and at 320 px nothing but the tables'
own scrolling regions is wider than the screen."""

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_support import PASSWORD, shot

from planning.audits_support import *  # noqa: F403
from planning.audits_support import add_cases
from qms.planning import services

MET, NOT, NA = "met", "not_met", "na"


@pytest.fixture
def reaudit(audit, member, lead):
    add_cases(audit, [(MET, MET)] * 12 + [(NOT, MET)] * 8 + [(NA, NOT)] * 2, by=member)
    services.audit_analyse(by=lead, audit=audit)
    services.findings_raise(by=lead, audit=audit)
    again = services.reaudit_create(
        by=lead, audit=audit, period_start=dt.date(2025, 9, 1), period_end=dt.date(2025, 9, 30)
    )
    add_cases(again, [(MET, MET)] * 18 + [(NOT, MET)] * 2, by=member)
    return again


def _axe(page):
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in Axe().run(page).response["violations"]
    ]


@pytest.mark.browser
def test_it_draws_the_reaudit_beside_the_audit_accessibly_at_any_width(live_server, reaudit, page):
    from playwright.sync_api import expect

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
    page.goto(live_server.url + reaudit.get_absolute_url(), timeout=60_000)
    expect(page.get_by_role("heading", level=1)).to_have_text(reaudit.title)
    expect(page.locator("#audit-chart svg")).to_be_visible()
    expect(
        page.get_by_role("table", name="Compliance before and after, and the change")
    ).to_be_visible()
    shot(page, "audit-compare")
    assert _axe(page) == []
    page.set_viewport_size({"width": 320, "height": 800})
    page.reload()
    expect(page.locator("#audit-chart svg")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= 320
    shot(page, "audit-compare-320")
    assert _axe(page) == []
    assert csp_errors == []
