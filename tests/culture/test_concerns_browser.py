"""Concerns in headless Chromium: a member raises one anonymously and keeps the code; the lead
finds it, replies on its thread; the member, signed out, reads the reply with the code and
answers; the lead closes it and sends the feedback; the unit's reporting culture shows its
charts (drawn under the Content-Security-Policy). axe-core finds no violation on any page."""

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_support import PASSWORD, shot
from django.utils import timezone

from culture.concerns_support import backdate
from qms.issues import services as issue_services


def _axe(page):
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in Axe().run(page).response["violations"]
    ]


def _login(page, base, username):
    page.goto(base + "/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _logout(page):
    page.context.clear_cookies()


@pytest.fixture
def history(org, member, lead):
    """A year of issues on the ward, so its charts have months to show."""
    this_month = timezone.localdate().replace(day=1)
    for months_back in range(1, 13):
        month = (this_month - dt.timedelta(days=30 * months_back)).replace(day=1)
        for day in range(3 + months_back % 3):
            issue = issue_services.issue_raise(
                by=member, unit=org["ward"], title=f"Issue {months_back}-{day}", source="other"
            )
            backdate(issue, month + dt.timedelta(days=day))
    return org["ward"]


@pytest.mark.browser
def test_a_member_raises_a_concern_anonymously_and_hears_back(live_server, history, page):
    from playwright.sync_api import expect

    csp_errors = []
    page.on(
        "console",
        lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.set_default_timeout(20_000)
    base = live_server.url
    ward = history

    _login(page, base, "member")
    page.goto(f"{base}/culture/", timeout=60_000)
    page.get_by_role("link", name=f"Raise a concern in {ward.name}").click()
    assert _axe(page) == []
    page.get_by_label("Your concern in a line").fill("Handovers are rushed at 8")
    page.get_by_label("What is happening, and why it worries you").fill(
        "The checklist is skipped when the shift starts late."
    )
    page.get_by_label("Raise it anonymously: QMS keeps no link to me").check()
    shot(page, "concerns-raise")
    page.get_by_role("button", name="Raise the concern").click()
    expect(page.get_by_role("heading", name="Your follow-up code")).to_be_visible()
    code = page.locator("#follow-up-code").inner_text().strip()
    assert len(code) >= 27
    assert _axe(page) == []
    shot(page, "concerns-code")
    _logout(page)

    _login(page, base, "lead")
    page.goto(f"{base}/culture/units/{ward.pk}/concerns/")
    assert _axe(page) == []
    expect(page.get_by_role("cell", name="Anonymous")).to_be_visible()
    page.get_by_role("link", name="Handovers are rushed at 8").click()
    page.get_by_label("Your reply").fill("Thank you. Which days is it worst?")
    page.get_by_role("button", name="Send the reply").click()
    expect(page.get_by_text("Thank you. Which days is it worst?")).to_be_visible()
    assert _axe(page) == []
    shot(page, "concerns-issue-thread")
    issue_url = page.url
    _logout(page)

    page.goto(f"{base}/culture/concerns/follow-up/")
    assert _axe(page) == []
    page.get_by_label("Your follow-up code").fill(code)
    page.get_by_role("button", name="Open the concern").click()
    expect(page.get_by_text("Which days is it worst?")).to_be_visible()
    page.get_by_label("Your reply").fill("Weekends, when the shift starts late.")
    page.get_by_role("button", name="Send the reply").click()
    expect(page.get_by_role("status")).to_contain_text("Your reply is sent")
    assert _axe(page) == []
    shot(page, "concerns-follow-up")

    _login(page, base, "lead")
    page.goto(issue_url.split("#")[0])
    page.get_by_label("What was done or found").fill("Handover starts at 7:45 at weekends now.")
    page.get_by_role("button", name="Close the issue").click()
    page.get_by_role("button", name="Send the feedback").click()
    expect(page.get_by_text("Feedback sent to the person who raised it.")).to_be_visible()
    shot(page, "concerns-feedback")

    page.goto(f"{base}/culture/units/{ward.pk}/reporting/")
    expect(
        page.locator("#reporting-raised-chart svg, #reporting-raised-chart canvas")
    ).to_be_visible()
    assert _axe(page) == []
    shot(page, "concerns-reporting")
    assert csp_errors == []
