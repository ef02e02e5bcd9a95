"""The product driven in headless Chromium, as a team lead would use it.

The lead of Ward 7 also covers Ward 8 (a senior charge nurse leading two neighbouring wards, so a
team lead role in each). They log in through the real form, switch the navigation's unit to
Ward 8, find it still current on another page, open Ward 8 and see its people, reach the skip
link first by keyboard, and the unit page fits a 320 px wide screen.

Screenshots go to test-artifacts/ (git-ignored). Without Debian's chromium the test is skipped,
unless QMS_REQUIRE_BROWSER=1 (as in CI), when a missing browser is a failure.
"""

import re

import pytest
from browser_support import PASSWORD, shot
from helpers import make_person

from qms.people import services
from qms.people.roles import Role


@pytest.fixture
def ward_8(org, lead):
    """Ward 8 with a team; the lead of Ward 7 also leads Ward 8 (cross-cover of two wards)."""
    ward_8 = org["other_ward"]
    services.membership_add(by=None, person=lead, unit=ward_8, role=Role.TEAM_LEAD)
    # Names and job titles as long as real ones, so the 320 px check means something.
    make_person(
        "isla",
        (Role.TEAM_MEMBER, ward_8),
        display_name="Isla Cunningham",
        job_title="Occupational therapist",
    )
    make_person(
        "tom",
        (Role.IMPROVEMENT_COACH, ward_8),
        display_name="Tom Reid",
        job_title="Healthcare support worker",
    )
    return ward_8


@pytest.mark.browser
def test_a_team_lead_switches_unit_and_sees_its_people(live_server, ward_8, page):
    from playwright.sync_api import expect

    base = live_server.url

    # Log in through the real form: an anonymous visit to home asks for it.
    page.goto(base + "/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("User name").fill("lead")
    page.get_by_label("Password").fill(PASSWORD)
    shot(page, "01-login")
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(base + "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    expect(page.locator(".lede")).to_contain_text("You are working in Ward 7")
    shot(page, "02-home")

    # Switch to Ward 8 with the navigation's unit switcher; it returns to the same page.
    switcher = page.get_by_label("Working in", exact=True)
    switcher.select_option(label="Ward 8")
    page.get_by_role("button", name="Switch").click()
    expect(page).to_have_url(base + "/")
    expect(page.locator(".lede")).to_contain_text("You are working in Ward 8")
    expect(switcher).to_have_value(str(ward_8.pk))
    shot(page, "03-switched")

    # Ward 8 stays current elsewhere, and after a fresh visit (it is remembered, not per page).
    page.get_by_role("navigation", name="Areas").get_by_role("link", name="Control").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Measures: Ward 8")
    expect(switcher).to_have_value(str(ward_8.pk))
    page.goto(base + "/")
    expect(page.locator(".lede")).to_contain_text("You are working in Ward 8")

    # Open the unit page from the People area and see the people of Ward 8.
    page.get_by_role("navigation", name="Areas").get_by_role("link", name="People").click()
    page.get_by_role("link", name="Ward 8", exact=True).click()
    expect(page).to_have_url(f"{base}/units/{ward_8.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ward 8")
    people = page.get_by_role("table", name=re.compile("People with a role in Ward 8"))
    for name, job_title, role in [
        ("Isla Cunningham", "Occupational therapist", "Team member"),
        ("Tom Reid", "Healthcare support worker", "Improvement coach"),
        ("Lead", "Senior charge nurse", "Team lead"),
    ]:
        row = people.get_by_role("row").filter(has=page.get_by_role("link", name=name, exact=True))
        expect(row).to_have_count(1)
        expect(row).to_contain_text(job_title)
        expect(row).to_contain_text(role)
    expect(switcher).to_have_value(str(ward_8.pk))
    shot(page, "04-unit")

    # Keyboard only: the first Tab reaches the skip link, which moves focus to the content.
    page.goto(f"{base}/units/{ward_8.pk}/")
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    shot(page, "05-skip-link")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    # A 320 px wide screen (WCAG 1.4.10 reflow): no sideways scrolling of the page.
    page.set_viewport_size({"width": 320, "height": 800})
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ward 8")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    shot(page, "06-unit-320px")
    assert scroll_width <= 320, f"the unit page scrolls sideways at 320 px ({scroll_width} px)"
