"""Surveys in headless Chromium: a nurse answers the open team pulse from Culture's home; the
lead closes it and reads the score; the relational coordination matrix (one pair suppressed)
and the unit's surveys over time. Every page passes axe-core and fits a 320 px screen."""

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_support import PASSWORD, shot
from django.utils import timezone

from culture.surveys_support import respondents
from qms.culture import instruments
from qms.culture.models import SurveyKind, SurveyResponse
from qms.culture.services import surveys as services

TODAY = timezone.localdate()


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


def _rc_runs(unit, lead):
    """Two closed relational coordination surveys a year apart, pharmacists → doctors rated
    by four only (suppressed)."""
    groups = ["Nurses", "Doctors", "Pharmacists"]
    for years in (1, 0):
        closes = TODAY - dt.timedelta(days=10 + 365 * years)
        run = services.survey_create(
            by=lead,
            unit=unit,
            kind=SurveyKind.RELATIONAL_COORDINATION,
            title=f"Discharge teamwork {closes.year}",
            focal_process="discharging patients",
            workgroups=groups,
            opens_on=closes - dt.timedelta(days=14),
            closes_on=closes,
            today=closes - dt.timedelta(days=14),
        )
        answers = []
        for own in groups:
            for number in range(5):
                rated = {g: [4 - years, 4, 5, 4, 4, 3 + years, 4] for g in groups}
                if own == "Pharmacists" and number == 0:
                    del rated["Doctors"]
                answers.append((own, rated))
        services.survey_answers_enter(by=lead, run=run, answers=answers)
    return run


@pytest.mark.browser
def test_it_answers_the_pulse_and_reads_results_accessibly(live_server, page, org, lead, member):
    from playwright.sync_api import expect

    page.set_default_timeout(30_000)
    pulse = services.survey_create(
        by=lead,
        unit=org["ward"],
        kind=SurveyKind.PULSE,
        title="Team pulse, December",
        opens_on=TODAY - dt.timedelta(days=3),
        closes_on=TODAY + dt.timedelta(days=10),
    )
    for person in respondents(org["ward"], 4):
        services.survey_answer(by=person, run=pulse, scores={"pulse": [2, 6, 2, 6, 2, 6, 6]})
    rc = _rc_runs(org["ward"], lead)

    _login(page, live_server.url, "member")
    page.goto(live_server.url + "/culture/")
    page.get_by_role("link", name="Answer “Team pulse, December”").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Answer: Team pulse, December")
    _narrow_and_accessible(page, "questionnaire")
    for item in instruments.PULSE_ITEMS:
        page.locator(f"input[name={item.key}][value='{2 if item.reverse else 6}']").check()
    shot(page, "surveys-pulse-answer")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("your answers are in, with no name on them")).to_be_visible()
    expect(page.get_by_text("You have answered this survey")).to_be_visible()
    expect(page.get_by_text("Answers so far: at least 5")).to_be_visible()
    assert SurveyResponse.objects.filter(run=pulse).count() == 5

    _login(page, live_server.url, "lead")
    page.goto(live_server.url + pulse.get_absolute_url())
    page.get_by_role("button", name="Close the survey now").click()
    expect(page.get_by_text("The survey is closed")).to_be_visible()
    # Everyone answered 6 as scored (2 on the reversed items): the score is 6.00 of 7.
    expect(page.get_by_text("Psychological safety: 6.00 of 7")).to_be_visible()
    _narrow_and_accessible(page, "pulse results")
    shot(page, "surveys-pulse-results")

    page.goto(live_server.url + rc.get_absolute_url())
    expect(page.get_by_role("cell", name="fewer than 5").first).to_be_visible()
    _narrow_and_accessible(page, "matrix")
    shot(page, "surveys-rc-results")
    page.goto(live_server.url + f"/culture/units/{org['ward'].pk}/surveys/")
    expect(page.locator("#rc-chart svg")).to_be_visible()
    expect(page.locator("#ties-chart svg")).to_be_visible()
    _narrow_and_accessible(page, "unit surveys")
    shot(page, "surveys-unit")
    page.goto(live_server.url + f"/control/units/{org['ward'].pk}/huddle/")
    expect(page.get_by_role("heading", name="Relationships: Ward 7")).to_be_visible()
    shot(page, "surveys-huddle")
