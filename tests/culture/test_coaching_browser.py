"""Coaching in headless Chromium: a coach opens a log for Ward 7's lead from Culture's home,
records a session with an agreed action, the lead reads it on "Your coaching" and marks the
action done, then opens the leader's view; every page passes axe-core and fits a 320 px
screen."""

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_support import PASSWORD, shot

from culture.coaching_support import make_coach


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
def test_it_keeps_a_coaching_log_and_the_coachee_acts_on_it(live_server, page, org, lead):
    from playwright.sync_api import expect

    make_coach(org)
    today = dt.date.today()
    page.set_default_timeout(30_000)
    _login(page, live_server.url, "coach")
    page.goto(live_server.url + "/culture/", timeout=60_000)
    _narrow_and_accessible(page, "culture home")
    page.get_by_role("link", name="Open a coaching log").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open a coaching log")
    _narrow_and_accessible(page, "new log")
    page.get_by_label("Unit").select_option(label="Ward 7")
    page.get_by_label("A person").check()
    page.get_by_label("Title").fill("Leading the safety huddle")
    page.get_by_label("Who is coached").fill("lead")
    page.get_by_label("Goals").fill("A ten-minute huddle where everyone speaks.")
    page.get_by_label("Next session").fill((today + dt.timedelta(days=3)).isoformat())
    shot(page, "coaching-new")
    page.get_by_role("button", name="Open the coaching log").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Coaching: Leading the safety huddle")
    _narrow_and_accessible(page, "log")

    page.get_by_role("link", name="Record a session").first.click()
    page.get_by_label("Length in minutes").fill("40")
    page.get_by_label("Focus").fill("Hearing from everyone")
    page.get_by_label("Notes").fill("Support workers rarely speak at the huddle.")
    page.get_by_label("Agreed action 1").fill("Ask support workers first")
    page.get_by_label("Owner of action 1").select_option(label="Lead")
    page.get_by_label("Action 1 due").fill((today + dt.timedelta(days=5)).isoformat())
    _narrow_and_accessible(page, "session form")
    page.get_by_role("button", name="Record the session").click()
    expect(page.get_by_text("Session recorded.")).to_be_visible()
    expect(page.get_by_role("cell", name="Ask support workers first", exact=True)).to_be_visible()
    shot(page, "coaching-log")

    _login(page, live_server.url, "lead")
    page.goto(live_server.url + "/culture/coaching/")
    _narrow_and_accessible(page, "your coaching")
    page.get_by_role("link", name="Leading the safety huddle").click()
    expect(page.get_by_text("Support workers rarely speak at the huddle.")).to_be_visible()
    expect(page.get_by_role("link", name="Record a session")).to_have_count(0)
    page.get_by_role("button", name="Mark done").click()
    expect(page.get_by_text("Action marked done.")).to_be_visible()
    _narrow_and_accessible(page, "log as coachee")
    shot(page, "coaching-coachee")
    page.goto(live_server.url + "/culture/leader/")
    expect(page.get_by_role("heading", level=1)).to_have_text("What your teams need from you")
    _narrow_and_accessible(page, "leader's view")
    shot(page, "leader-view")
