"""The project page's cycles section: each change idea with its ramp, in a fixed number of
queries."""

import datetime as dt

from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from improvement.cycles_support import *  # noqa: F403
from improvement.cycles_support import plan
from qms.improvement import selectors, services
from qms.improvement.models import DriverNode, NodeKind


def _ideas(project, count):
    primary = project.nodes.get(kind=NodeKind.PRIMARY)
    return [
        DriverNode.objects.create(
            project=project, parent=primary, kind=NodeKind.CHANGE_IDEA, text=f"Idea {i}", position=i
        )
        for i in range(1, count + 1)
    ]


def _queries(project, user):
    selectors.cycles_section(project, user)  # the person's roles, read once per request
    with CaptureQueriesContext(connection) as queries:
        selectors.cycles_section(project, user)
    return len(queries)


def test_it_reads_the_section_in_a_fixed_number_of_queries(project, lead):
    ideas = _ideas(project, 2)
    services.cycle_create(by=None, change_idea=ideas[0], **plan())
    small = _queries(project, lead)
    for idea in _ideas(project, 6):
        for _ in range(3):
            services.cycle_create(by=None, change_idea=idea, **plan())
    assert _queries(project, lead) == small


def test_it_counts_each_ramp_by_stage_with_its_latest_decision_and_overdue_cycles(
    project, lead, member
):
    first, second = _ideas(project, 2)
    done = services.cycle_create(by=None, change_idea=first, **plan())
    services.cycle_do(by=None, cycle=done, what_happened="x", observations="")
    results = {p.pk: ("ok", "met") for p in done.predictions.all()}
    services.cycle_study(by=None, cycle=done, study_summary="x", results=results)
    services.cycle_act(by=None, cycle=done, decision="adapt", act_notes="")
    late = services.cycle_create(by=None, change_idea=first, **plan())
    future = dt.date.today() + dt.timedelta(days=30)
    services.cycle_create(by=None, change_idea=second, **plan(starts_on=future, ends_on=future))
    section = selectors.cycles_section(project, lead)
    ramps = {ramp.change_idea.text: ramp for ramp in section["ramps"]}
    assert (section["total"], section["overdue"], section["can_plan"]) == (3, 1, True)
    assert dict(ramps["Idea 1"].counts) == {"Plan": 1, "Do": 0, "Study": 0, "Act": 0, "Done": 1}
    assert (ramps["Idea 1"].latest_decision, ramps["Idea 1"].overdue) == ("Adapt", [late])
    assert (ramps["Idea 2"].total, ramps["Idea 2"].overdue) == (1, [])
    assert selectors.cycles_section(project, member)["can_plan"] is False
    html = render_to_string(
        "improvement/_project_cycles.html", {"cycles": section, "project": project}
    )
    assert "3 cycles testing 2 change ideas" in html and "1 overdue" in html
    assert late.get_absolute_url() in html


def test_a_project_without_change_ideas_says_what_to_do(project, lead):
    html = render_to_string(
        "improvement/_project_cycles.html", {"cycles": selectors.cycles_section(project, lead)}
    )
    assert "No change ideas yet" in html


def test_home_shows_the_cycles_a_person_owns_that_end_soon(client, as_user, change_idea, coach):
    today = dt.date.today()
    soon = services.cycle_create(
        by=None,
        change_idea=change_idea,
        **plan(title="Ends soon", owner=coach, starts_on=today, ends_on=today + dt.timedelta(3)),
    )
    services.cycle_create(by=None, change_idea=change_idea, **plan(title="Late", owner=coach))
    services.cycle_create(
        by=None,
        change_idea=change_idea,
        **plan(title="Far off", owner=coach, starts_on=today, ends_on=today + dt.timedelta(30)),
    )
    due = selectors.cycles_due(coach)
    assert [(d.cycle.title, d.overdue) for d in due] == [("Late", True), ("Ends soon", False)]
    as_user("coach")  # the ward's coach, on no project of their own: the card shows the cycles
    page = client.get(reverse("home")).content.decode()
    assert "Your PDSA cycles ending soon" in page and soon.get_absolute_url() in page
    assert "Far off" not in page
