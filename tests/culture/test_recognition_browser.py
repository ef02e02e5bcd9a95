"""A colleague is recognised and sees it, in headless Chromium: a colleague recognises Owen
(`member`) from the form; he finds it in his inbox and on "Recognition you received"; his lead
sees it on the huddle board and passes the thanks on; the themes' Pareto draws under the
Content-Security-Policy. axe-core finds no violation on any page."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_support import PASSWORD, shot
from helpers import make_person

from qms.culture.models import Recognition
from qms.culture.services.recognition import themes_defaults_ensure
from qms.people.roles import Role


def _axe(page):
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in Axe().run(page).response["violations"]
    ]


def _log_in(page, base, username):
    page.context.clear_cookies()
    page.goto(base + "/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.browser
def test_a_colleague_is_recognised_and_sees_it(live_server, org, lead, member, page):
    from playwright.sync_api import expect

    themes_defaults_ensure()
    make_person("colleague", (Role.TEAM_MEMBER, org["ward"]), display_name="Priya Shah")
    csp_errors = []
    page.on(
        "console",
        lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.set_default_timeout(20_000)
    base = live_server.url
    ward = org["ward"]

    _log_in(page, base, "colleague")
    page.goto(f"{base}/culture/", timeout=60_000)
    page.get_by_role("link", name="Recognise a colleague").click()
    expect(page.get_by_role("heading", name="Recognise a colleague or a team")).to_be_visible()
    assert _axe(page) == []
    page.get_by_label("Who").select_option(label="Member, Staff nurse")
    page.get_by_label("What happened").fill(
        "Noticed a change in a patient's breathing before the score rose, and called outreach."
    )
    page.get_by_label("Why it mattered").fill("Treatment began hours earlier than it would have.")
    page.get_by_label("Safety awareness").check()
    page.get_by_label("Clinical skill").check()
    shot(page, "recognition-new")
    page.get_by_role("button", name="Send the recognition").click()
    expect(page.get_by_role("heading", name="Recognition of Member")).to_be_visible()
    expect(page.get_by_text("Member and their leads are told")).to_be_visible()
    shot(page, "recognition-detail")
    assert _axe(page) == []
    recognition = Recognition.objects.get()
    assert recognition.unit == ward and recognition.reported_by.username == "colleague"

    _log_in(page, base, "member")
    page.goto(f"{base}/inbox/")
    link = page.get_by_role("link", name="Priya Shah recognised you for excellent practice")
    expect(link).to_be_visible()
    shot(page, "recognition-inbox")
    assert _axe(page) == []
    link.click()
    expect(page.get_by_text("called outreach")).to_be_visible()
    page.goto(f"{base}/culture/recognition/received/")
    expect(page.get_by_role("heading", name="Recognition you received")).to_be_visible()
    expect(page.get_by_text("Safety awareness").first).to_be_visible()
    shot(page, "recognition-received")
    assert _axe(page) == []

    _log_in(page, base, "lead")
    page.goto(f"{base}/control/units/{ward.pk}/huddle/", timeout=60_000)
    panel = page.get_by_role("region", name="Learning from excellence: Ward 7")
    expect(panel).to_contain_text("1 recognition this month")
    shot(page, "recognition-huddle")
    panel.get_by_role("link", name="Member").click()
    page.get_by_label("How you passed it on (optional)").fill("Read out at the huddle.")
    page.get_by_role("button", name="I passed the thanks on").click()
    expect(page.get_by_text("Lead passed the thanks on")).to_be_visible()
    assert _axe(page) == []

    page.goto(f"{base}/culture/units/{ward.pk}/recognition/", timeout=60_000)
    shot(page, "recognition-unit")
    assert _axe(page) == []
    page.goto(f"{base}/culture/units/{ward.pk}/recognition/themes/", timeout=60_000)
    expect(page.locator("#themes-pareto svg")).to_be_visible()
    shot(page, "recognition-themes")
    assert _axe(page) == []
    assert csp_errors == []
