"""The partner's journey in headless Chromium (issue 12's test): a ward's lead invites a new
partner onto the falls project from the Partners pages; the partner sets a password through the
e-mailed link and logs in; their contribution is logged by staff; the lead drafts a “you said,
we did” entry answering it and publishes it; the partner sees it on their home and on the
ward's board. axe-core finds no violation on any page of the way, at 1280 px and at 320 px."""

import datetime as dt
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_support import PASSWORD, shot
from django.core import mail

from codesign.partners_support import *  # noqa: F403
from qms.codesign.services import involvement as involvement_services
from qms.people.models import Person

NEW_PASSWORD = "a-long-partner-password-2026"


def _axe(page):
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in Axe().run(page).response["violations"]
    ]


def _log_in(page, live_server, username, password=PASSWORD):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def _accessible_at_any_width(page, name):
    assert _axe(page) == [], name
    shot(page, f"yousaid-{name}")
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, name
    assert _axe(page) == [], name
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.browser
def test_a_partner_joins_a_project_contributes_and_sees_it_on_the_board(
    live_server, org, lead, project, page
):
    from playwright.sync_api import expect

    page.set_default_timeout(20_000)
    _log_in(page, live_server, "lead")
    page.goto(live_server.url + "/partners/")
    _accessible_at_any_width(page, "staff-home")
    page.get_by_role("link", name="Invite a partner to Ward 7").click()
    _accessible_at_any_width(page, "invite")
    page.get_by_label("Their name").fill("Ann Fraser")
    page.get_by_label("Their e-mail address").fill("ann@example.net")
    page.get_by_label("Invite them to").select_option(label="Fewer falls on Ward 7 (Ward 7)")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text("Ann Fraser is invited")).to_be_visible()
    _accessible_at_any_width(page, "partners-list")

    (message,) = mail.outbox
    link = re.search(r"https?://\S+/accounts/reset/\S+", message.body).group(0)
    path = link[link.index("/accounts/") :]
    page.context.clear_cookies()
    page.goto(live_server.url + path)
    shot(page, "yousaid-set-password")
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set my password").click()
    _log_in(page, live_server, "ann@example.net", NEW_PASSWORD)
    page.goto(live_server.url + "/partners/")
    expect(page.get_by_role("heading", name="Your part in improving care")).to_be_visible()
    expect(page.get_by_role("link", name="Fewer falls on Ward 7")).to_be_visible()
    _accessible_at_any_width(page, "partner-home-before")

    ann = Person.objects.get(email="ann@example.net")
    involvement_services.involvement_log(
        by=lead, work=project, partner=ann, level=4, occurred_on=dt.date.today(),
        contribution="Ask families what their relative does at night.",
    )  # fmt: skip

    page.context.clear_cookies()
    _log_in(page, live_server, "lead")
    page.goto(live_server.url + f"/partners/units/{org['ward'].pk}/you-said/")
    page.get_by_role("link", name="Add an entry").click()
    _accessible_at_any_width(page, "entry-form")
    page.get_by_label("You said").fill("Families know when someone is restless at night.")
    page.get_by_label("Partners' contribution it answers").select_option(index=1)
    page.get_by_label("We did").fill("We ask families on admission, and note it in the plan.")
    page.get_by_label("What followed, in QMS").select_option(label="Fewer falls on Ward 7")
    page.get_by_label("Status").select_option("doing")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_text("Draft: staff only")).to_be_visible()
    page.get_by_role("button", name=re.compile("^Publish")).click()
    expect(page.get_by_text("Entry published")).to_be_visible()
    _accessible_at_any_width(page, "board-staff")

    page.context.clear_cookies()
    _log_in(page, live_server, "ann@example.net", NEW_PASSWORD)
    page.goto(live_server.url + "/partners/")
    expect(page.get_by_text("We did: We ask families on admission")).to_be_visible()
    _accessible_at_any_width(page, "partner-home-after")
    page.get_by_role("link", name="See it on the board of Ward 7").click()
    expect(page.get_by_text("Families know when someone is restless at night.")).to_be_visible()
    expect(
        page.get_by_text("From a partner's contribution to Fewer falls on Ward 7")
    ).to_be_visible()
    expect(page.get_by_text("Draft: staff only")).to_have_count(0)
    _accessible_at_any_width(page, "board-partner")
    page.get_by_role("link", name="Poster to print").click()
    page.emulate_media(media="print")
    expect(page.get_by_text("Back to the board")).to_be_hidden()
    shot(page, "yousaid-poster-print")
    page.emulate_media(media="screen")
    _accessible_at_any_width(page, "poster")
