"""Quality control in headless Chromium: a ward lead uploads data, sees the signal it raises,
acknowledges and escalates it; the service above sees it in its quality report and answers."""

import re

import pytest
from browser_support import PASSWORD, shot
from helpers import make_person, record

from qms.people.roles import Role

STABLE = [6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5, 7, 6, 5, 6, 7, 6, 5, 6, 6]  # Jan 2024 - Aug 2025


def log_in(page, base, username):
    page.goto(base + "/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.browser
def test_a_signal_travels_from_an_upload_to_the_service_report(
    live_server, org, lead, measure, page, tmp_path
):
    from playwright.sync_api import expect

    base = live_server.url
    record(measure, STABLE)
    service_lead = make_person("servicelead", (Role.TEAM_LEAD, org["service"]))

    # The ward lead uploads September's figure: far above the upper limit.
    upload = tmp_path / "september.csv"
    upload.write_text(f"measure,period,value,denominator\n{measure.code},2025-09,25,1000\n")
    log_in(page, base, "lead")
    page.goto(base + "/control/upload/")
    page.get_by_label("File to upload").set_input_files(str(upload))
    page.get_by_role("button", name="Check the file").click()
    shot(page, "control-01-preview")
    page.get_by_role("button", name=re.compile(r"^Save 1 value")).click()
    expect(page.get_by_role("status")).to_contain_text("1 new value saved")

    # The measure page shows the signal, explained in words.
    page.get_by_role("navigation", name="Areas").get_by_role("link", name="Control").click()
    page.get_by_role("link", name=measure.name).click()
    signal = page.locator("article.signal")
    expect(signal).to_contain_text("Special cause concern")
    expect(signal).to_contain_text("Sep 2025 is above the upper control limit")
    shot(page, "control-02-signal")

    # Acknowledge it, then escalate it: the ward cannot fix bed pressures alone.
    signal.get_by_text("Act on this signal").click()
    signal.get_by_label(re.compile("^Acknowledge")).fill("Reviewed at the safety huddle")
    signal.get_by_role("button", name="Acknowledge").click()
    expect(page.locator("article.signal")).to_contain_text("Acknowledged")
    signal = page.locator("article.signal")
    signal.get_by_text("Act on this signal").click()
    signal.get_by_label(re.compile("^Escalate")).fill("Outside our control: boarders from ED")
    signal.get_by_role("button", name="Escalate").click()
    signal = page.locator("article.signal")
    expect(signal).to_contain_text("Escalated from Ward 7 to Medicine")
    expect(signal).to_contain_text("Awaiting a response")
    shot(page, "control-03-escalated")

    # The service lead sees it on the service's quality report, with its open signal.
    page.get_by_role("button", name="Log out").click()
    log_in(page, base, service_lead.username)
    page.goto(f"{base}/control/units/{org['service'].pk}/report/")
    concern_row = page.get_by_role("row").filter(has_text="Special cause concern")
    expect(concern_row.get_by_role("link", name=measure.name)).to_be_visible()
    expect(concern_row).to_contain_text("1 open signal")
    shot(page, "control-04-service-report")

    # ...and answers the escalation from the measure page it links to.
    concern_row.get_by_role("link", name=measure.name).click()
    page.get_by_label("Decision").select_option("accept")
    page.get_by_label(re.compile("^Response to Ward 7")).fill("We will take this to bed meeting")
    page.get_by_role("button", name="Send response").click()
    expect(page.locator("article.signal")).to_contain_text("Accepted")
    shot(page, "control-05-accepted")
