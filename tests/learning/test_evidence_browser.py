"""The evidence library in headless Chromium: a lead adds an item, cites it from a change
package's page, and finds the package under the item's uses; axe-core finds no violation on
the library, the item, the form and the package's panel."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_support import PASSWORD, shot

from learning.evidence_support import *  # noqa: F403
from learning.evidence_support import add_item


def _axe(page):
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in Axe().run(page).response["violations"]
    ]


@pytest.mark.browser
def test_it_adds_cites_and_shows_where_evidence_is_used_accessibly(
    live_server, org, lead, package, page
):
    from playwright.sync_api import expect

    add_item(org["board"], title="Falls in older people (CG161)")
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("User name").fill("lead")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.set_default_timeout(20_000)

    page.goto(live_server.url + "/learn/evidence/", timeout=60_000)
    expect(page.get_by_role("heading", level=1)).to_have_text("Evidence library")
    assert _axe(page) == []
    shot(page, "evidence-library")

    page.get_by_role("link", name="Add evidence").click()
    assert _axe(page) == []
    page.get_by_label("Title").fill("Ward 7 falls audit 2025")
    page.get_by_label("Kind").select_option("audit")
    page.get_by_label("Source", exact=True).fill("Ward 7 audit of 40 admissions, 2025.")
    page.get_by_label("Summary").fill("Half had a falls care plan within 24 hours.")
    page.get_by_label("Very low").check()
    page.get_by_role("button", name="Add to the library").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ward 7 falls audit 2025")
    expect(page.get_by_text("What very low certainty means")).to_be_visible()
    assert _axe(page) == []

    page.goto(live_server.url + package.get_absolute_url())
    expect(page.locator(".evidence-none")).to_contain_text("cites no evidence")
    page.get_by_label("Evidence", exact=True).select_option(
        label="Ward 7 falls audit 2025 (Very low certainty)"
    )
    page.get_by_label("How it supports the work").fill("The gap the bundle closes")
    page.get_by_role("button", name="Cite evidence").click()
    panel = page.locator(".evidence-panel")
    expect(panel).to_contain_text("Ward 7 falls audit 2025")
    expect(panel).to_contain_text("The gap the bundle closes")
    assert _axe(page) == []
    shot(page, "evidence-package-panel")

    panel.get_by_role("link", name="Ward 7 falls audit 2025").click()
    uses = page.get_by_role("table", name="Work citing it that you may see (1)")
    expect(uses).to_contain_text("Night-time falls bundle")
    shot(page, "evidence-item")
