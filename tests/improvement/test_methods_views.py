"""The method structures' pages: the A3 (and its print layout), the co-design stages and
milestones. Who may read, who may write, bad input."""

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse

from improvement.cycles_support import *  # noqa: F403
from qms.improvement import services
from qms.improvement.models import A3, EbcdStage, Method, Milestone

READERS = ["lead", "coach", "teammate", "team_partner", "member", "quality_lead"]
TEAM = ["lead", "coach", "teammate", "team_partner", "quality_lead"]


@pytest.fixture
def milestone(project, lead):
    return services.milestone_add(
        by=lead, project=project, title="Night rota agreed", due_on=dt.date(2020, 1, 6)
    )


def _pages(project):
    return [
        reverse(name, args=[project.pk])
        for name in ("improvement:a3", "improvement:ebcd", "improvement:milestones")
    ]


def _writes(project, milestone):
    """Every form that writes, with data it would accept."""
    return [
        (reverse("improvement:a3-edit", args=[project.pk]), {"goal": "Written by them"}),
        (
            reverse("improvement:ebcd-stage", args=[project.pk, "gather"]),
            {"gather-status": "in_progress", "gather-notes": "Written by them"},
        ),
        (
            reverse("improvement:milestone-add", args=[project.pk]),
            {"title": "Written by them", "due_on": "2026-09-01"},
        ),
        (
            reverse("improvement:milestone-edit", args=[milestone.pk]),
            {"title": "Written by them", "due_on": "2026-09-01"},
        ),
        (reverse("improvement:milestone-complete", args=[milestone.pk]), {}),
        (reverse("improvement:milestone-remove", args=[milestone.pk]), {"reason": "Them"}),
    ]


def _nothing_written(project, milestone):
    assert not A3.objects.filter(project=project).exists()
    assert not EbcdStage.objects.filter(project=project).exists()
    assert list(Milestone.objects.values_list("title", "done_on")) == [(milestone.title, None)]


# Who may ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", READERS)
def test_the_team_and_the_unit_s_staff_read_every_structure(client, as_user, project, who):
    as_user(who)
    for url in _pages(project):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Fewer falls at night" in response.content.decode()


@pytest.mark.parametrize(("who", "status"), [("partner", 403), ("outsider", 404)])
def test_those_not_on_the_project_are_refused(client, as_user, project, milestone, who, status):
    as_user(who)
    for url in _pages(project):
        assert client.get(url).status_code == status, url
    for url, data in _writes(project, milestone):
        assert client.post(url, data).status_code == status, url
    _nothing_written(project, milestone)


def test_a_unit_member_not_on_the_team_reads_but_does_not_write(
    client, as_user, project, milestone
):
    as_user("member")
    for url in _pages(project):
        html = client.get(url).content.decode()
        assert reverse("improvement:a3-edit", args=[project.pk]) not in html
        assert "Add a milestone" not in html and "Update this stage" not in html
    for url, data in _writes(project, milestone):
        assert client.post(url, data).status_code == 403, url
    _nothing_written(project, milestone)


def test_no_one_logged_in_is_sent_to_log_in(client, project, milestone):
    for url in [*_pages(project), *(url for url, _ in _writes(project, milestone))]:
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url
    _nothing_written(project, milestone)


@pytest.mark.parametrize("who", TEAM)
def test_the_team_writes_every_structure(client, as_user, project, milestone, who):
    as_user(who)
    for url, data in _writes(project, milestone)[:-2]:  # complete and remove: below
        response = client.post(url, data)
        assert response.status_code == 302, (url, response.content.decode()[:2000])
    assert A3.objects.get(project=project).goal == "Written by them"
    assert EbcdStage.objects.get(project=project, stage="gather").status == "in_progress"
    assert Milestone.objects.filter(title="Written by them").count() == 2
    url, data = _writes(project, milestone)[-2]
    assert client.post(url, data).status_code == 302
    assert Milestone.objects.get(pk=milestone.pk).done_on == dt.date.today()


# The A3 ------------------------------------------------------------------------------------------


def test_the_a3_reads_in_two_columns_and_prints_on_one_landscape_sheet(
    client, as_user, project, lead
):
    services.a3_update(by=lead, project=project, background="Falls <at> night", follow_up="Audit")
    as_user("team_partner")

    html = client.get(reverse("improvement:a3", args=[project.pk])).content.decode()

    assert "Falls &lt;at&gt; night" in html
    assert html.index("Background") < html.index("Current condition") < html.index("Follow-up")
    assert "improvement/a3.css" in html and "improvement/print.js" in html
    assert "data-print" in html and "<script>" not in html  # no inline script (CSP)
    stylesheet = (
        Path(__file__).parents[2] / "src/qms/improvement/static/improvement/a3.css"
    ).read_text()
    assert "@page { size: landscape" in stylesheet
    assert "grid-auto-flow: column" in stylesheet.split("@media print")[1]


def test_the_a3_page_says_when_another_method_s_project_uses_it(client, as_user, project):
    as_user("lead")
    url = reverse("improvement:a3", args=[project.pk])
    assert "its team may use an A3 too" in client.get(url).content.decode()
    project.method = Method.LEAN
    project.save()
    html = client.get(url).content.decode()
    assert "its team may use an A3 too" not in html
    assert "Start the A3" in html


def test_a_bad_a3_is_shown_again_naming_the_section(client, as_user, project):
    as_user("lead")
    url = reverse("improvement:a3-edit", args=[project.pk])

    response = client.post(url, {"goal": "Fine", "plan": "x" * 4001})

    assert response.status_code == 400
    assert "Nothing has been saved yet" in response.content.decode()
    assert "at most 4000 characters" in response.content.decode()
    assert not A3.objects.exists()


def test_an_a3_naming_a_patient_asks_to_check_before_saving(client, as_user, project):
    as_user("lead")
    url = reverse("improvement:a3-edit", args=[project.pk])
    text = "Mrs Smith, DOB 12/03/1954, fell twice."

    response = client.post(url, {"background": text})

    assert response.status_code == 400
    assert "may identify a patient" in response.content.decode()
    assert not A3.objects.exists()
    response = client.post(url, {"background": text, "identifiers_checked": "on"})
    assert response.status_code == 302
    assert A3.objects.get().background == text


# Co-design stages --------------------------------------------------------------------------


def test_the_co_design_page_shows_five_stages_without_writing_them(client, as_user, project):
    as_user("lead")

    html = client.get(reverse("improvement:ebcd", args=[project.pk])).content.decode()

    for name in ("Gather experiences", "Identify touchpoints", "Co-design groups", "Review"):
        assert name in html
    assert "0 of 5 stages done" in html
    assert not EbcdStage.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"gather-status": "paused"}, "Select a valid choice"),
        ({"gather-status": "done", "gather-started_on": "next week"}, "as a date"),
        (
            {"gather-status": "done", "gather-started_on": "2026-05-02",
             "gather-completed_on": "2026-04-01"},
            "before the start date",
        ),
    ],
)  # fmt: skip
def test_a_bad_stage_update_is_shown_again_naming_the_field(
    client, as_user, project, data, message
):
    as_user("teammate")
    url = reverse("improvement:ebcd-stage", args=[project.pk, "gather"])

    response = client.post(url, data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not EbcdStage.objects.exclude(status="not_started").exists()


def test_an_unknown_stage_is_not_found(client, as_user, project):
    as_user("lead")
    url = reverse("improvement:ebcd-stage", args=[project.pk, "launch"])
    assert client.post(url, {"launch-status": "done"}).status_code == 404
    assert client.get(reverse("improvement:ebcd", args=[project.pk])).status_code == 200


def test_stages_are_posted_only(client, as_user, project):
    as_user("lead")
    url = reverse("improvement:ebcd-stage", args=[project.pk, "gather"])
    assert client.get(url).status_code == 405


# Milestones --------------------------------------------------------------------------------


def test_the_milestones_page_flags_the_overdue(client, as_user, project, milestone, lead):
    services.milestone_add(by=lead, project=project, title="Later", due_on=dt.date(2040, 1, 1))
    as_user("member")

    html = client.get(reverse("improvement:milestones", args=[project.pk])).content.decode()

    assert "1 overdue" in html
    assert "Overdue by" in html
    assert html.index("Night rota agreed") < html.index("Later")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "", "due_on": "2026-09-01"}, "Say what the milestone is"),
        ({"title": "Rota", "due_on": "soon"}, "Enter the due date as a date"),
        ({"title": "Rota", "due_on": "2026-09-01", "owner": "999999"}, "Select a valid choice"),
    ],
)
def test_a_bad_milestone_is_shown_again_naming_the_field(client, as_user, project, data, message):
    as_user("lead")

    response = client.post(reverse("improvement:milestone-add", args=[project.pk]), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Milestone.objects.exists()


def test_a_milestone_owner_is_chosen_from_the_team(client, as_user, project, teammate, member):
    as_user("lead")
    url = reverse("improvement:milestone-add", args=[project.pk])

    refused = client.post(url, {"title": "Rota", "due_on": "2026-09-01", "owner": member.pk})
    client.post(url, {"title": "Rota", "due_on": "2026-09-01", "owner": teammate.pk})

    assert refused.status_code == 400
    assert Milestone.objects.get().owner == teammate


def test_a_milestone_is_completed_reopened_and_removed_with_a_reason(
    client, as_user, project, milestone
):
    as_user("coach")
    client.post(reverse("improvement:milestone-complete", args=[milestone.pk]))
    again = client.post(reverse("improvement:milestone-complete", args=[milestone.pk]), follow=True)
    assert "already done" in again.content.decode()
    client.post(reverse("improvement:milestone-reopen", args=[milestone.pk]))
    assert Milestone.objects.get().done_on is None

    refused = client.post(
        reverse("improvement:milestone-remove", args=[milestone.pk]), {"reason": ""}, follow=True
    )
    assert "Nothing was removed" in refused.content.decode()
    client.post(reverse("improvement:milestone-remove", args=[milestone.pk]), {"reason": "Dup"})
    assert not Milestone.objects.exists()


def test_the_edit_page_shows_the_milestone_s_history(client, as_user, project, milestone):
    as_user("lead")
    url = reverse("improvement:milestone-edit", args=[milestone.pk])
    client.post(url, {"title": "Rota signed off", "due_on": "2026-09-01"})

    html = client.get(url).content.decode()

    assert "Changes to this milestone" in html
    assert "“Night rota agreed” → “Rota signed off”" in html


def test_dates_are_given_to_the_browser_as_iso_dates(client, as_user, project, milestone, lead):
    services.ebcd_stage_update(
        by=lead, project=project, stage="gather", status="done", completed_on=dt.date(2026, 10, 15)
    )
    as_user("lead")

    edit = client.get(reverse("improvement:milestone-edit", args=[milestone.pk]))
    stages = client.get(reverse("improvement:ebcd", args=[project.pk]))

    assert 'value="2020-01-06"' in edit.content.decode()
    assert 'value="2026-10-15"' in stages.content.decode()
