"""Similar work in headless Chromium: the panel beside the form that starts a project fills in
as the person types (learning/similar.js, under the Content-Security-Policy), a project's page
shows its similar work, and axe-core finds no violation at 1280 and 320 px."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_support import PASSWORD
from django.urls import reverse

from qms.improvement import services
from qms.learning.selectors import similar


def _axe(page):
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in Axe().run(page).response["violations"]
    ]


@pytest.mark.browser
def test_it_suggests_similar_work_as_the_person_types_accessibly(live_server, org, lead, page):
    from playwright.sync_api import expect

    similar.forget_index()
    falls = services.project_create(
        by=None,
        unit=org["ward"],
        title="Fewer falls at night",
        problem="Older patients fall at night going to the toilet.",
        aim="Reduce inpatient falls at night by 30% by March 2027",
    )
    services.project_create(
        by=None,
        unit=org["ward"],
        title="Night-time falls in the day unit",
        problem="Falls at night after day surgery.",
        aim="Reduce falls at night after day surgery by 50% by 2027",
    )
    hidden = services.project_create(
        by=None,
        unit=org["elsewhere"],
        title="Falls at night in the other board",
        problem="Falls at night.",
        aim="Reduce falls at night by 30% by 2027",
    )
    csp_errors = []
    page.on(
        "console",
        lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.set_default_timeout(60_000)  # a busy shared machine
    page.set_default_navigation_timeout(90_000)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("User name").fill("lead")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server.url + reverse("improvement:project-create", args=[org["ward"].pk]))
    panel = page.locator("section.similar-work")
    expect(panel.get_by_role("heading", name="Similar work elsewhere")).to_be_visible()
    # With script, the no-script button is hidden and the panel follows the typing.
    expect(panel.get_by_role("button", name="Find similar work")).to_have_count(0)
    page.get_by_label("Title").fill("Preventing falls overnight")
    page.get_by_label("Aim").fill("Halve falls at night on our ward by 2027")
    expect(panel.get_by_role("link", name="Fewer falls at night")).to_be_visible()
    expect(panel).to_contain_text("Why: ")
    expect(panel).not_to_contain_text(hidden.title)
    assert _axe(page) == []
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert _axe(page) == []

    page.goto(live_server.url + falls.get_absolute_url())
    section = page.locator("section.similar-work")
    expect(section.get_by_role("heading", name="Similar work")).to_be_visible()
    expect(section.get_by_role("link", name="Night-time falls in the day unit")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert _axe(page) == []
    assert csp_errors == []
