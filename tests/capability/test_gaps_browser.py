"""The skills gap in headless Chromium: a ward lead opens the ward's gap (the member short of
awareness in every skill), records the member's assessment and training on the member's
record, and sees the member's gap close on the ward's page; axe-core finds no violation on the
gap page, the record and the framework."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_support import PASSWORD, shot

from capability.support import assess, framework


def _axe(page):
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in Axe().run(page).response["violations"]
    ]


@pytest.mark.browser
def test_it_closes_a_gap_when_a_lead_records_an_assessment_and_training(
    live_server, org, lead, member, page
):
    from playwright.sync_api import expect

    levels, skills = framework(org)
    for code, skill in skills.items():
        if code != "measurement":
            assess(member, skill, levels["awareness"], by=lead)
    page.set_default_timeout(30_000)  # a busy machine: the first page may be slow
    page.goto(live_server.url + "/accounts/login/", timeout=60_000)
    page.get_by_label("User name").fill("lead")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(live_server.url + org["ward"].get_absolute_url(), timeout=60_000)
    page.get_by_role("link", name="The skills gap and protected time of Ward 7").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Skills and protected time: Ward 7")
    people = page.get_by_role("table", name="Each person, their roles")
    member_row = people.get_by_role("row").filter(has_text="Member")
    expect(member_row).to_contain_text("Understanding systems and variation: needs awareness")
    assert _axe(page) == []
    shot(page, "capability-gap-before")

    member_row.get_by_role("link", name="Member").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Skills record: Member")
    assert _axe(page) == []
    form = page.locator("form", has=page.get_by_role("button", name="Save the assessment"))
    form.get_by_label("Skill").select_option(label="Understanding systems and variation")
    form.get_by_label("Level").select_option(label="Foundation")
    form.get_by_label("Evidence").fill("Drew the ward's falls run chart with the analyst")
    form.get_by_role("button", name="Save the assessment").click()
    expect(page.get_by_role("status").or_(page.locator(".messages"))).to_contain_text(
        "Foundation in Understanding systems and variation"
    )

    training = page.locator("form", has=page.get_by_role("button", name="Save the training"))
    training.get_by_label("Course").fill("Measurement for improvement: run charts")
    training.get_by_label("Provider").fill("Test Board quality improvement team")
    training.get_by_label("Completed on").fill("2026-01-15")
    training.get_by_label("Hours").fill("3.5")
    training.get_by_label("Counts towards skill").select_option(
        label="Understanding systems and variation"
    )
    training.get_by_label("At level").select_option(label="Foundation")
    training.get_by_role("button", name="Save the training").click()
    expect(page.get_by_role("table", name="Courses done")).to_contain_text(
        "Measurement for improvement: run charts"
    )
    assert _axe(page) == []
    shot(page, "capability-record")

    page.goto(live_server.url + f"/skills/units/{org['ward'].pk}/")
    member_row = page.get_by_role("table", name="Each person, their roles").get_by_role("row")
    expect(member_row.filter(has_text="Member")).to_contain_text("None: every level met")
    shot(page, "capability-gap-after")

    page.goto(live_server.url + f"/skills/framework/{org['board'].pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Skills framework of Test Board")
    assert _axe(page) == []
    shot(page, "capability-framework")
