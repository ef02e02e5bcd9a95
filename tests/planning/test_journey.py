"""Issue 10's journey in headless Chromium, by the pages only, as its users would take it.

A control chart signal on Ward 7's falls measure becomes an issue; the team lead codes its
contributory factors on the analysis form; the same factor coded on two more issues makes it
recur; from the Pareto the quality lead makes it a candidate priority in one step, scores and
approves it with a reason, and makes it an improvement project, whose driver diagram starts with
primary drivers from the factors. Screenshots go to test-artifacts/ (browser-plan-*.png).
"""

import datetime as dt
import re

import pytest
from browser_support import PASSWORD, shot
from django.urls import reverse
from django.utils import timezone
from helpers import make_measure, record

from qms.control.models import Signal
from qms.improvement.models import Project
from qms.issues import services as issue_services
from qms.planning.models import FactorDomain, Priority, PriorityStatus
from qms.planning.services import framework_defaults_ensure

VALUES = [5, 6, 5, 4, 6, 5, 5, 6, 4, 5, 5, 6, 5, 4, 6, 5, 5, 6, 5, 5, 14]
AIM = "Reduce falls with harm on Ward 7 by 30% by 31 March 2027."


def _months_back(count: int) -> dt.date:
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 - count
    return dt.date(index // 12, index % 12 + 1, 1)


@pytest.fixture
def falls(org, lead):
    measure = make_measure(org["ward"], "falls", name="Inpatient falls")
    record(measure, VALUES, start=_months_back(len(VALUES)))
    return measure


@pytest.fixture
def more_issues(org, lead):
    """Two more incidents of the ward, not yet analysed."""
    return [
        issue_services.issue_raise(
            by=lead, unit=org["ward"], title=title, source="incident", description=title
        )
        for title in ("Fall in the bathroom at 3 am", "Fall on the way to the toilet at night")
    ]


def _log_in(page, base, username):
    page.context.clear_cookies()
    page.goto(base + "/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _analyse(page, expect, domains, account):
    """On an issue's page, open its analysis and code `domains` (names) with a note each."""
    page.get_by_role("link", name="Analyse contributory factors").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Contributory factors")
    page.get_by_label("What in the system allowed this to happen?").fill(account)
    for name in domains:
        page.get_by_label(name, exact=True).check()
        page.get_by_label(f"Note on {name}").fill(f"{name}: seen at night.")
    page.get_by_label("Improve here").check()
    # The escalation's tick box sits beside its label, not centred above it.
    box = page.get_by_role("checkbox", name=re.compile("Escalate the issue")).bounding_box()
    label = page.locator("label", has_text="Escalate the issue").bounding_box()
    assert box["x"] < label["x"] and abs(box["y"] - label["y"]) < label["height"], (box, label)
    page.get_by_role("button", name="Save the analysis").click()
    expect(page.locator(".messages")).to_be_visible()


@pytest.mark.browser
def test_it_takes_a_signal_through_factors_and_a_priority_to_a_project(
    live_server, org, lead, quality_lead, falls, more_issues, page
):
    from playwright.sync_api import expect

    base = live_server.url
    page.set_default_timeout(20_000)
    signal = Signal.objects.get(measure=falls)
    framework_defaults_ensure()  # an earlier browser test's flush empties the seeded framework
    recurring, once_only = (FactorDomain.objects.filter(is_active=True)[i].name for i in (0, 1))

    # The team lead sees the signal on the measure's page and opens an issue from it.
    _log_in(page, base, "lead")
    page.goto(base + falls.get_absolute_url(), timeout=60_000)
    page.get_by_text("Act on this signal").first.click()
    page.get_by_role("button", name="Open issue").click()
    signal.refresh_from_db()
    assert signal.issue is not None
    issue = signal.issue
    shot(page, "plan-01-issue-from-signal")

    # Its contributory factors, on the analysis form.
    page.goto(base + issue.get_absolute_url())
    _analyse(page, expect, [recurring, once_only], "One nurse for twelve beds at night.")
    shot(page, "plan-02-analysis")
    # The same factor on two more issues: it recurs.
    for other in more_issues:
        page.goto(base + other.get_absolute_url())
        _analyse(page, expect, [recurring], "The night rota was short again.")

    # The quality lead sees it recur on the Pareto and makes it a candidate in one step.
    _log_in(page, base, "quality")
    page.goto(base + reverse("planning:pareto", args=[org["ward"].pk]))
    expect(page.get_by_role("heading", name="Recurring factors")).to_be_visible()
    shot(page, "plan-03-pareto")
    page.get_by_role(
        "button", name=re.compile(rf"Make a candidate priority\W*{re.escape(recurring)}")
    ).click()
    priority = Priority.objects.get(unit=org["ward"])
    assert priority.status == PriorityStatus.CANDIDATE
    expect(page.get_by_role("heading", level=1)).to_have_text(priority.title)
    shot(page, "plan-04-candidate")

    # Scored, then approved with a reason.
    page.get_by_role("link", name="Score it").click()
    for label, score in [
        ("People affected", "4"),
        ("Severity", "5"),
        ("Equity", "3"),
        ("Strategic fit", "4"),
        ("Effort (5 = little)", "3"),
        ("Cost (5 = little)", "4"),
        ("Readiness", "5"),
    ]:
        page.get_by_label(label, exact=True).select_option(score)
    shot(page, "plan-05-score")
    page.get_by_role("button", name="Save the scores").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(priority.title)
    page.get_by_role("combobox", name="Decision").select_option(label="Approve")
    page.get_by_label("Reason", exact=True).fill("Falls at night recur and harm; staff ready.")
    page.get_by_role("button", name="Record the decision").click()
    priority.refresh_from_db()
    assert priority.status == PriorityStatus.APPROVED
    shot(page, "plan-06-approved")

    # An improvement project from it, pre-filled; its diagram starts from the factors.
    page.get_by_role("link", name="Make it an improvement project").click()
    expect(page.get_by_label("The problem")).not_to_have_value("")
    page.get_by_label("Aim", exact=True).fill(AIM)
    shot(page, "plan-07-project-form")
    page.get_by_role("button", name="Start the project").click()
    project = Project.objects.get()
    expect(page.get_by_role("heading", level=1)).to_have_text(project.title)
    priority.refresh_from_db()
    assert priority.project == project
    page.get_by_role("link", name="Open and change the driver diagram").click()
    drawing = page.locator(".diagram-drawing svg")
    expect(drawing).to_contain_text(recurring[:12])
    primaries = list(project.nodes.filter(kind="primary").values_list("text", flat=True))
    assert any(recurring in text for text in primaries), primaries
    shot(page, "plan-08-diagram")
