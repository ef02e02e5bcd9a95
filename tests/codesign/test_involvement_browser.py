"""Partners' involvement and claims in headless Chromium: a partner on the falls project logs
their own contribution as co-designing and claims for their time; the project's lead confirms
it and sees it on the ladder summary; the quality lead approves the claim. axe-core finds no
violation on the log form, the claim form and page, the project's panel and the ladder."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_support import PASSWORD, shot

from codesign.involvement_support import *  # noqa: F403
from qms.codesign.models import Claim, ClaimStatus, Involvement, InvolvementStatus


def _axe(page):
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in Axe().run(page).response["violations"]
    ]


def _login(page, live_server, username):
    page.context.clear_cookies()
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.browser
def test_it_logs_confirms_and_pays_a_partners_involvement_accessibly(
    live_server, org, project, lead, team_partner, quality_lead, page
):
    from playwright.sync_api import expect

    page.set_default_timeout(20_000)
    _login(page, live_server, "teampartner")
    page.goto(live_server.url + project.get_absolute_url(), timeout=60_000)
    page.get_by_role("link", name="Log your contribution").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log your contribution")
    assert _axe(page) == []
    page.get_by_label("Co-designing").check()
    page.get_by_label("What they contributed").fill("Designed the night checklist with nurses.")
    page.get_by_label("It shaped a decision").check()
    page.get_by_label("What difference it made").fill("The checklist asks about the toilet.")
    page.get_by_label("Hours").fill("2")
    page.get_by_role("button", name="Send for confirmation").click()
    panel = page.locator(".involvement-panel")
    expect(panel).to_contain_text("Waiting for confirmation")
    shot(page, "involvement-partner-panel")

    page.goto(live_server.url + "/partners/claims/new/")
    assert _axe(page) == []
    page.get_by_role("radio", name="Time").check()
    page.get_by_label("What for").fill("Night checklist design session")
    page.get_by_label("Hours (for time)").fill("2")
    page.get_by_label("Part of").select_option(index=1)
    page.get_by_role("button", name="Send the claim").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Time claim of")
    expect(page.locator(".lede")).to_contain_text("Waiting for approval")
    assert _axe(page) == []
    shot(page, "claims-partner-claim")

    _login(page, live_server, "lead")
    page.goto(live_server.url + project.get_absolute_url())
    page.locator(".involvement-panel").get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="Confirm this contribution")).to_be_visible()
    assert _axe(page) == []
    page.get_by_role("button", name="Confirm", exact=True).click()
    panel = page.locator(".involvement-panel")
    expect(panel).to_contain_text("Highest rung reached")
    expect(panel).to_contain_text("Co-designing")
    assert _axe(page) == []
    shot(page, "involvement-project-panel")
    assert Involvement.objects.get().status == InvolvementStatus.CONFIRMED

    page.goto(live_server.url + "/partners/involvement/ladder/")
    expect(page.get_by_role("table", name="Pieces of work by the highest rung")).to_contain_text(
        "4. Co-designing"
    )
    expect(page.locator("#ladder-chart svg")).to_be_visible()
    expect(page.get_by_text("co-designed or co-produced 1 (100%)")).to_be_visible()
    assert _axe(page) == []
    shot(page, "involvement-ladder")

    _login(page, live_server, "quality")
    page.goto(live_server.url + "/partners/claims/")
    page.get_by_role("link", name="Night checklist", exact=False).count()
    page.locator("table").first.get_by_role("link").first.click()
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".lede")).to_contain_text("Approved")
    assert _axe(page) == []
    assert Claim.objects.get().status == ClaimStatus.APPROVED
