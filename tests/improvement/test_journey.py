"""Issue 9's journey in headless Chromium, as its users would take it.

The lead of Ward 7 sees a signal on the falls measure's page and starts an improvement project
from it; builds the driver diagram by keyboard (a primary driver, a change idea); runs two PDSA
cycles on the change idea (plan, do, study, act; the first's Act plans the second); sees both
cycles as markers on the measure's chart (the list under the chart and the chart's own data);
and publishes a change package. The lead of Ward 8 then adopts the package, copying the
measure's definition into Ward 8. Screenshots go to test-artifacts/ (browser-journey-*.png).
"""

import datetime as dt
import json
import re

import pytest
from browser_support import PASSWORD, shot
from django.urls import reverse
from django.utils import timezone
from helpers import make_measure, make_person, record

from qms.control.models import Measure, Signal
from qms.improvement.models import Adoption, ChangePackage, PdsaCycle, Project
from qms.people.roles import Role

# Twenty steady months, then a month with far more falls: special cause concern, a signal.
VALUES = [5, 6, 5, 4, 6, 5, 5, 6, 4, 5, 5, 6, 5, 4, 6, 5, 5, 6, 5, 5, 14]
AIM = "Reduce falls with harm on Ward 7 by 30% by 31 March 2027."


def _months_back(count: int) -> dt.date:
    """The first day of the month `count` months before this one."""
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 - count
    return dt.date(index // 12, index % 12 + 1, 1)


@pytest.fixture
def falls(org, lead):
    """Ward 7's falls measure, its data ending last month with the signal."""
    measure = make_measure(org["ward"], "falls", name="Inpatient falls")
    record(measure, VALUES, start=_months_back(len(VALUES)))
    return measure


@pytest.fixture
def ward_8_lead(org):
    return make_person("lead8", (Role.TEAM_LEAD, org["other_ward"]), display_name="Morag Innes")


def _log_in(page, base, username):
    page.context.clear_cookies()
    page.goto(base + "/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _open_change(page, text):
    """Focus the node's "Change" control and open it with Enter (the keyboard's way)."""
    summary = page.locator("details.node-actions > summary").filter(has_text=f"“{text}”")
    summary.focus()
    page.keyboard.press("Enter")


def _run_cycle(page, expect, *, starts_on, ends_on, title, act_next=None):
    """Plan (the page is the ramp or the cycle's plan), do, study and act one cycle."""
    page.get_by_label("Title").fill(title)
    page.get_by_label("Objective").fill(f"Find out whether {title.lower()} works at night.")
    page.get_by_label("Start date").fill(starts_on.isoformat())
    page.get_by_label("End date").fill(ends_on.isoformat())
    page.get_by_label("Question 1").fill("Will fewer patients fall?")
    page.get_by_label("Prediction 1").fill("Two falls fewer than last month.")
    page.get_by_role("button", name=re.compile("Plan the cycle|Save the plan")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)

    page.get_by_role("link", name="Record Do").click()
    page.get_by_label("What happened").fill("Done on four nights of seven.")
    page.get_by_label("Observations").fill("Night staff liked it; agency staff did not know.")
    page.get_by_role("button", name="Save and move on to Study").click()
    expect(page.locator(".messages")).to_contain_text("Do recorded.")

    page.get_by_role("link", name="Record Study").click()
    page.get_by_label("What the data showed (prediction 1)").fill("One fall fewer.")
    page.get_by_label("Was prediction 1 right?").select_option(index=2)
    page.get_by_label("What the team learned").fill("It helps when everyone knows it.")
    page.get_by_role("button", name="Save and move on to Act").click()
    expect(page.locator(".messages")).to_contain_text("Study recorded.")

    page.get_by_role("link", name="Decide (Act)").click()
    page.get_by_label("Adapt" if act_next else "Adopt", exact=True).check()
    page.get_by_label("Why, and what changes next").fill("Brief agency staff at handover.")
    if act_next:
        page.get_by_label("Plan the next cycle of this ramp now").check()
        page.get_by_label("Next cycle: title").fill(act_next["title"])
        page.get_by_label("Next cycle: objective").fill("The same, with agency staff briefed.")
        page.get_by_label("Next cycle: start date").fill(act_next["starts_on"].isoformat())
        page.get_by_label("Next cycle: end date").fill(act_next["ends_on"].isoformat())
    page.get_by_role("button", name="Save: the cycle is done").click()
    expect(page.locator(".messages")).to_contain_text("done")


@pytest.mark.browser
def test_it_takes_a_signal_to_a_project_two_cycles_on_the_chart_and_a_package_adopted(
    live_server, org, lead, falls, ward_8_lead, page
):
    from playwright.sync_api import expect

    base = live_server.url
    page.set_default_timeout(20_000)
    signal = Signal.objects.get(measure=falls)

    # The lead sees the signal on the measure's page and starts a project from it.
    _log_in(page, base, "lead")
    page.goto(base + falls.get_absolute_url(), timeout=60_000)
    page.get_by_role("link", name="Start an improvement project").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Start an improvement project")
    expect(page.get_by_label("The problem")).to_have_value(re.compile(re.escape(falls.name)))
    page.get_by_label("Title").fill("Fewer falls at night")
    page.get_by_label("Aim").fill(AIM)
    shot(page, "journey-01-start")
    page.get_by_role("button", name="Start the project").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fewer falls at night")
    project = Project.objects.get(title="Fewer falls at night")
    assert project.source_record == signal
    assert list(project.project_measures.values_list("measure_id", "role")) == [
        (falls.pk, "outcome")
    ]
    expect(page.get_by_role("link", name=signal.measure.name).first).to_be_visible()

    # The driver diagram, by keyboard: a primary driver under the aim, a change idea under it.
    page.get_by_role("link", name="Open and change the driver diagram").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Driver diagram")
    _open_change(page, AIM)
    page.keyboard.press("Tab")
    page.keyboard.type("Safer nights")
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Primary driver added.")
    _open_change(page, "Safer nights")
    page.keyboard.press("Tab")  # the kind: secondary driver, then change idea
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    page.keyboard.type("Hourly rounding")
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Change idea added.")
    expect(page.locator(".diagram-drawing svg")).to_contain_text("Hourly rounding")
    shot(page, "journey-02-diagram")

    # Two PDSA cycles on the change idea: the first's Act plans the second.
    page.get_by_role("link", name=re.compile("0 PDSA cycles")).click()
    page.get_by_role("link", name="Plan a first cycle").click()
    first_start, second_start = _months_back(4), _months_back(2)
    _run_cycle(
        page,
        expect,
        title="Rounding on one bay",
        starts_on=first_start,
        ends_on=first_start + dt.timedelta(days=13),
        act_next={
            "title": "Rounding on every bay",
            "starts_on": second_start,
            "ends_on": second_start + dt.timedelta(days=13),
        },
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rounding on every bay")
    page.get_by_role("link", name=re.compile("Change the plan")).click()
    _run_cycle(
        page,
        expect,
        title="Rounding on every bay",
        starts_on=second_start,
        ends_on=second_start + dt.timedelta(days=13),
    )
    shot(page, "journey-03-cycle")
    cycles = list(PdsaCycle.objects.filter(project=project).order_by("number"))
    assert [(c.number, c.stage, c.decision) for c in cycles] == [
        (1, "done", "adapt"),
        (2, "done", "adopt"),
    ]

    # Both cycles are markers on the measure's chart: in the list under it, and in its data.
    page.goto(base + falls.get_absolute_url())
    markers = page.locator("ul.markers")
    for cycle in cycles:
        link = markers.get_by_role("link", name=re.compile(re.escape(cycle.title)))
        expect(link).to_have_attribute("href", cycle.get_absolute_url())
    spec = json.loads(page.locator("#spc-spec").text_content())
    marks = [
        value
        for layer in spec["layer"]
        if layer.get("name") == "markers"
        for value in layer["data"]["values"]
    ]
    assert sorted(mark["href"] for mark in marks) == sorted(c.get_absolute_url() for c in cycles)
    expect(page.locator("#spc-chart svg")).to_be_visible()
    shot(page, "journey-04-chart")

    # A change package from the project, published.
    page.goto(base + project.get_absolute_url())
    page.get_by_role("link", name="New change package").click()
    expect(page.get_by_label("Hourly rounding")).to_be_checked()
    page.get_by_label("Title").fill("Hourly rounding at night")
    page.get_by_label("Summary").fill("Hourly rounding cut falls at night on Ward 7.")
    page.get_by_label("How to do it").fill("Round every hour from 10 pm; brief agency staff.")
    page.get_by_label("Evidence").fill("Two PDSA cycles; the falls chart.")
    page.get_by_role("button", name="Save the draft").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messages")).to_contain_text("Published")
    package = ChangePackage.objects.get(title="Hourly rounding at night")
    assert package.status == "published"
    shot(page, "journey-05-package")

    # The lead of Ward 8 finds it and adopts it, copying the falls measure's definition.
    _log_in(page, base, "lead8")
    page.goto(base + reverse("improvement:package-list"))
    page.get_by_role("link", name="Hourly rounding at night").click()
    page.get_by_role("link", name="Adopt in your unit").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ward 8")
    page.get_by_label("Local adaptations").fill("Rounding every two hours: a smaller ward.")
    page.get_by_label("Context").fill("Twelve beds, mostly day surgery.")
    page.get_by_label(re.compile(re.escape(falls.name))).check()
    shot(page, "journey-06-adopt")
    page.get_by_role("button", name="Adopt the package").click()
    expect(page.locator(".messages")).to_contain_text("Ward 8 is adopting")
    adoption = Adoption.objects.get(package=package)
    assert adoption.unit == org["other_ward"]
    copy = Measure.objects.get(unit=org["other_ward"])
    assert (copy.name, copy.operational_definition, copy.direction) == (
        falls.name,
        falls.operational_definition,
        falls.direction,
    )
    assert list(adoption.measures.all()) == [copy]
    expect(page.get_by_role("link", name=falls.name).first).to_be_visible()
    shot(page, "journey-07-adoption")
