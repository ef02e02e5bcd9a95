"""Reflective practice in headless Chromium: a nurse writes a reflection from an issue's
"Reflect on this", shares it with the ward, a colleague reads it; the pages (the form, the
reflection, its NMC account, the unit's reviews, a review) pass axe-core and are no wider than a
320 px screen."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_support import PASSWORD, shot

from learning.reflection_support import *  # noqa: F403
from learning.reflection_support import DAY
from qms.learning.services import reflection as services


def _axe(page):
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in Axe().run(page).response["violations"]
    ]


def _login(page, url, username):
    page.context.clear_cookies()
    page.goto(url + "/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _narrow_and_accessible(page, name):
    assert _axe(page) == [], name
    page.set_viewport_size({"width": 320, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, (name, width)
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.browser
def test_it_writes_shares_and_reads_a_reflection_accessibly(
    live_server, page, nurse, member, issue, org
):
    from playwright.sync_api import expect

    page.set_default_timeout(30_000)
    _login(page, live_server.url, "nurse")
    page.goto(live_server.url + issue.get_absolute_url(), timeout=60_000)
    page.get_by_role("link", name="Reflect on this").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Write a reflection")
    _narrow_and_accessible(page, "form")
    page.get_by_label("Title").fill("Observations missed at night")
    page.get_by_label("Day it happened").fill("2026-05-04")
    page.get_by_label("1. Description").fill("Observations were missed between 2 and 4 am.")
    page.get_by_label("6. Action plan").fill("Set an alarm for the 2 am observations.")
    page.get_by_label("Preserve safety").check()
    shot(page, "reflection-form")
    page.get_by_role("button", name="Save the reflection").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Observations missed at night")
    expect(page.get_by_text("Only you can read it.")).to_be_visible()
    _narrow_and_accessible(page, "reflection")
    page.get_by_label("My unit's staff").check()
    page.get_by_label("Unit to share with").select_option(label="Ward 7")
    page.get_by_role("button", name="Save who may read it").click()
    expect(page.get_by_text("Shared with the staff of Ward 7.")).to_be_visible()
    shot(page, "reflection-shared")
    page.get_by_role("link", name="NMC reflective account").click()
    expect(page.get_by_text("How is this relevant to the Code?")).to_be_visible()
    _narrow_and_accessible(page, "nmc")

    services.review_create(
        by=member,
        unit=org["ward"],
        title="Night observations review",
        held_on=DAY,
        expected="All observations on time.",
        happened="Two in ten late after 2 am.",
        why_different="The drug round and observations fall at the same hour.",
        will_do="Move the drug round to 1.30 am.",
        subject=issue,
    )
    _login(page, live_server.url, "member")
    page.goto(live_server.url + f"/learn/units/{org['ward'].pk}/reviews/")
    expect(page.get_by_role("link", name="Observations missed at night")).to_be_visible()
    _narrow_and_accessible(page, "unit")
    page.get_by_role("link", name="Night observations review").click()
    expect(page.get_by_role("heading", name="Why was there a difference?")).to_be_visible()
    _narrow_and_accessible(page, "review")
    page.goto(live_server.url + "/learn/")
    _narrow_and_accessible(page, "home")
