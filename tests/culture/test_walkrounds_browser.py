"""A walkround in headless Chromium: the executive plans it, records it done, adds what staff
raised (asked gently to rephrase a sentence that blames a nurse, and keeping an action for the
ward's lead), gives feedback; Ward 7's member then reads it. axe-core finds no violation, and
nothing is wider than a 320 px screen."""

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_support import PASSWORD

from culture.walkrounds_support import *  # noqa: F403
from qms.culture.models import Walkround, WalkroundItem


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
def test_a_leader_walks_round_and_the_ward_reads_the_feedback(
    live_server, org, executive, lead, member, page
):
    from playwright.sync_api import expect

    page.set_default_timeout(20_000)
    expect.set_options(timeout=20_000)  # two cores shared: a page may take seconds
    today = dt.date.today()
    _log_in(page, live_server, "executive")
    page.goto(f"{live_server.url}/culture/walkrounds/?unit={org['ward'].pk}")
    assert _axe(page) == []
    page.get_by_role("link", name="Plan a walkround of Ward 7").click()
    page.get_by_label("Date").fill(today.isoformat())
    page.get_by_label("Focus").fill("Medicines at night")
    assert _axe(page) == []
    page.screenshot(path="test-artifacts/walkrounds-plan.png", full_page=True)
    page.get_by_role("button", name="Plan the walkround").click()
    expect(page.get_by_text("Walkround planned.")).to_be_visible()
    walkround = Walkround.objects.get()

    page.get_by_role("button", name="Record it as done").click()
    expect(page.get_by_role("heading", name="Add what staff raised")).to_be_visible()
    page.get_by_role("textbox", name="What staff raised").fill(
        "Nurse Smith forgot to check the fridge"
    )
    page.get_by_label("Tools and equipment", exact=False).check()
    page.get_by_label("Action (if it needs one)").fill("Move the fridge alarm's sounder")
    page.get_by_label("Action owner").select_option(value=str(lead.pk))
    page.get_by_label("Action due by").fill((today + dt.timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text("may read as blaming a person")).to_be_visible()
    assert _axe(page) == []
    page.screenshot(path="test-artifacts/walkrounds-blame-prompt.png", full_page=True)
    page.get_by_role("textbox", name="What staff raised").fill(
        "The fridge alarm cannot be heard from the nurses' station"
    )
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text("an issue raised for its action")).to_be_visible()
    assert WalkroundItem.objects.get(walkround=walkround).issue.actions.count() == 1

    page.get_by_role("textbox", name="Feedback to the team").fill(
        "The alarm now sounds at the station."
    )
    page.get_by_label("Given on").fill(today.isoformat())
    page.get_by_role("button", name="Record the feedback").click()
    expect(page.get_by_text("Feedback to the team recorded.")).to_be_visible()
    assert _axe(page) == []
    page.screenshot(path="test-artifacts/walkrounds-detail-leader.png", full_page=True)

    page.context.clear_cookies()
    _log_in(page, live_server, "member")
    page.goto(live_server.url + "/culture/")
    page.get_by_role("link", name="Walkrounds of your units").click()
    page.get_by_role("link", name=today.strftime("%-d %b %Y")).first.click()
    expect(page.locator("blockquote")).to_have_text("The alarm now sounds at the station.")
    expect(page.get_by_role("button", name="Add", exact=True)).to_have_count(0)
    page.set_viewport_size({"width": 320, "height": 800})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert _axe(page) == []
    page.screenshot(path="test-artifacts/walkrounds-detail-member.png", full_page=True)
