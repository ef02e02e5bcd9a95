"""The driver diagram in headless Chromium, by keyboard only: a team lead adds a primary
driver and a change idea and moves the change idea under another driver, with the keys a
keyboard user presses; the drawing is drawn (under the Content-Security-Policy) and axe-core
finds no violation, at full width and at 320 px (where the drawing scrolls sideways)."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_support import PASSWORD, shot
from django.urls import reverse

from improvement.diagram_support import make_project, tree
from qms.improvement.models import DriverNode


@pytest.fixture
def project(org, lead):
    return make_project(org["ward"], title="Fewer falls")


def _change(page, text):
    """Put the focus on the node's "Change" control and open it with Enter."""
    summary = page.locator("details.node-actions > summary").filter(has_text=f"“{text}”")
    summary.focus()
    page.keyboard.press("Enter")
    return summary


def _type(page, text):
    page.keyboard.type(text)


def _axe(page):
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in Axe().run(page).response["violations"]
    ]


@pytest.mark.browser
def test_a_lead_builds_and_changes_the_diagram_by_keyboard(live_server, project, page):
    from playwright.sync_api import expect

    base = live_server.url
    csp_errors = []
    page.on(
        "console",
        lambda message: (
            csp_errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(base + "/accounts/login/")
    page.get_by_label("User name").fill("lead")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    # The first page with a drawing builds the vega-embed bundle (seconds on a busy machine).
    page.set_default_timeout(20_000)
    page.goto(base + reverse("improvement:diagram", args=[project.pk]), timeout=60_000)
    expect(page.get_by_role("heading", level=1)).to_have_text("Driver diagram")
    aim = DriverNode.objects.get(project=project, kind="aim").text

    # A primary driver under the aim: open "Change", Tab to the text, type, Enter submits.
    _change(page, aim)
    page.keyboard.press("Tab")
    _type(page, "Safe mobility")
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Primary driver added.")
    _change(page, aim)
    page.keyboard.press("Tab")
    _type(page, "Reliable assessment")
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Primary driver added.")

    # A change idea under "Safe mobility": the kind is chosen from a select with the arrow keys.
    _change(page, "Safe mobility")
    page.keyboard.press("Tab")  # Kind: secondary driver, change idea
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    _type(page, "Non-slip socks")
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Change idea added.")
    assert tree(project) == (
        aim,
        [("Safe mobility", [("Non-slip socks", [])]), ("Reliable assessment", [])],
    )

    # Move it under "Reliable assessment": "Move…" opens a page of two selects.
    _change(page, "Non-slip socks")
    for _ in range(3):  # rename field, Rename button, "Move…"
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").startswith("Move…")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Move “Non-slip socks”")
    assert _axe(page) == []
    page.get_by_label("Under").focus()  # the form's first field (links come before it)
    page.keyboard.press("ArrowDown")  # from "Safe mobility" to "Reliable assessment"
    page.keyboard.press("Tab")  # place
    page.keyboard.press("Tab")  # Move
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Moved.")
    assert tree(project) == (
        aim,
        [("Safe mobility", []), ("Reliable assessment", [("Non-slip socks", [])])],
    )

    # The drawing is drawn, with every node, and the page is clean for axe with forms open.
    drawing = page.locator(".diagram-drawing svg")
    expect(drawing).to_be_visible()
    for text in ("Safe mobility", "Reliable assessment", "Non-slip socks"):
        expect(drawing).to_contain_text(text)
    for details in page.locator("details.node-actions").all()[:2]:
        details.evaluate("element => { element.open = true; }")
    shot(page, "diagram-keyboard")
    assert _axe(page) == []
    assert csp_errors == []

    # At 320 px the page does not scroll sideways; the drawing scrolls inside its region.
    page.set_viewport_size({"width": 320, "height": 800})
    page.reload()
    expect(page.locator(".diagram-drawing svg")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    region = page.get_by_role("region", name="Drawing of the driver diagram (scrolls sideways)")
    assert region.evaluate("element => element.scrollWidth > element.clientWidth")
    shot(page, "diagram-320")
    assert _axe(page) == []
