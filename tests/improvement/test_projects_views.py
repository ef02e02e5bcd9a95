"""Projects' pages: who may open and use each, starting from a signal or an issue, the aim's
prompt, the team, the measures and the blockers."""

import pytest
from django.urls import reverse
from helpers import make_measure, make_person, record

from qms.control.models import Signal
from qms.escalation import services as escalation_services
from qms.improvement import services
from qms.improvement.models import MeasureRole, Project, ProjectMeasure, Stage
from qms.issues import services as issue_services
from qms.people.models import ObjectGrant
from qms.people.roles import Role

AIM = "Reduce falls with harm by 30% by 31 March 2027"


@pytest.fixture
def coach(org):
    return make_person("coach", (Role.IMPROVEMENT_COACH, org["other_service"]))


@pytest.fixture
def teammate(org):
    """A team member of the ward given a role on the project."""
    return make_person("teammate", (Role.TEAM_MEMBER, org["ward"]))


@pytest.fixture
def project(org, lead, coach, teammate, partner):
    project = services.project_create(
        by=lead, unit=org["ward"], title="Fewer falls", problem="Falls rose.", aim=AIM, coach=coach
    )
    services.team_member_add(by=lead, project=project, person=teammate, role=Role.TEAM_MEMBER)
    services.team_member_add(by=lead, project=project, person=partner, role=Role.PARTNER)
    return project


# Who sees the project page: the unit's staff and the team; a partner of the unit only when
# on the team; an outsider never (404).
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("lead", 200),
        ("coach", 200),
        ("teammate", 200),
        ("member", 200),
        ("partner", 200),
        ("quality_lead", 200),
        ("outsider", 404),
    ],
)
def test_it_shows_the_project_page_to_whom_it_may(client, as_user, project, who, status):
    as_user(who)
    response = client.get(project.get_absolute_url())
    assert response.status_code == status


def test_it_hides_the_project_from_a_partner_of_the_unit_not_on_the_team(client, org, project):
    other = make_person("other-partner", (Role.PARTNER, org["ward"]))
    client.force_login(other)
    assert client.get(project.get_absolute_url()).status_code == 403


def test_it_sends_anonymous_people_to_log_in(client, project):
    response = client.get(project.get_absolute_url())
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize(
    ("who", "edits"),
    [("lead", True), ("coach", True), ("teammate", False), ("member", False), ("partner", False)],
)
def test_it_shows_the_charter_button_to_leads_only(client, as_user, project, who, edits):
    as_user(who)
    page = client.get(project.get_absolute_url()).content.decode()
    assert (reverse("improvement:project-edit", args=[project.pk]) in page) is edits
    assert ("Add to the team" in page) is edits


@pytest.mark.parametrize(
    ("who", "status"),
    [("lead", 200), ("coach", 200), ("teammate", 403), ("member", 403), ("partner", 403),
     ("outsider", 404)],
)  # fmt: skip
def test_it_lets_only_leads_change_the_charter(client, as_user, project, who, status):
    as_user(who)
    url = reverse("improvement:project-edit", args=[project.pk])
    assert client.get(url).status_code == status
    response = client.post(url, {"title": "Changed", "problem": "p", "aim": AIM,
                                 "method": "mfi", "stage": "testing"})  # fmt: skip
    project.refresh_from_db()
    if status == 200:
        assert response.status_code == 302 and project.title == "Changed"
    else:
        assert response.status_code == status and project.title == "Fewer falls"


@pytest.mark.parametrize(
    ("who", "status"),
    [("lead", 302), ("coach", 302), ("teammate", 403), ("member", 403), ("partner", 403),
     ("outsider", 404)],
)  # fmt: skip
def test_it_lets_only_leads_change_the_stage(client, as_user, project, who, status):
    as_user(who)
    url = reverse("improvement:project-stage", args=[project.pk])
    response = client.post(url, {"stage": "testing", "reason": "Ready to test"})
    assert response.status_code == status
    project.refresh_from_db()
    assert (project.stage == Stage.TESTING) is (status == 302)


@pytest.mark.parametrize(
    ("who", "status"),
    [("lead", 302), ("coach", 302), ("teammate", 403), ("member", 403), ("partner", 403),
     ("outsider", 404)],
)  # fmt: skip
def test_it_lets_only_leads_add_to_the_team(client, as_user, project, org, who, status):
    newcomer = make_person("newcomer", (Role.TEAM_MEMBER, org["other_ward"]))
    as_user(who)
    url = reverse("improvement:team-add", args=[project.pk])
    response = client.post(url, {"person": "newcomer", "role": Role.ANALYST})
    assert response.status_code == status
    assert ObjectGrant.objects.filter(person=newcomer).exists() is (status == 302)


@pytest.mark.parametrize(
    ("who", "status"),
    [("lead", 302), ("teammate", 403), ("partner", 403), ("outsider", 404)],
)
def test_it_lets_only_leads_remove_from_the_team(client, as_user, project, who, status):
    grant = ObjectGrant.objects.get(person__username="partner", object_id=project.pk)
    as_user(who)
    url = reverse("improvement:team-remove", args=[project.pk, grant.pk])
    response = client.post(url, {"reason": "Moved on"})
    assert response.status_code == status
    assert ObjectGrant.objects.filter(pk=grant.pk).exists() is (status != 302)


def test_it_shows_the_team_with_their_roles_partners_included(client, lead, project):
    client.force_login(lead)
    page = client.get(project.get_absolute_url()).content.decode()
    for text in ("Project lead", "Improvement coach", "Patient / carer partner", "Teammate"):
        assert text in page


def test_it_tells_an_unknown_person_and_a_bad_role_and_adds_no_one(client, lead, project):
    client.force_login(lead)
    url = reverse("improvement:team-add", args=[project.pk])
    before = ObjectGrant.objects.count()
    response = client.post(url, {"person": "nobody", "role": Role.TEAM_MEMBER}, follow=True)
    assert "no one with the username" in response.content.decode()
    response = client.post(url, {"person": "member", "role": Role.QUALITY_LEAD}, follow=True)
    assert "Role on the team" in response.content.decode()
    assert ObjectGrant.objects.count() == before


# Starting a project -------------------------------------------------------------------------


FORM = {"title": "Fewer falls", "problem": "Falls rose.", "aim": AIM, "method": "mfi",
        "stage": "idea"}  # fmt: skip


@pytest.mark.parametrize(
    ("who", "status"),
    [("lead", 200), ("member", 200), ("quality_lead", 200), ("partner", 403), ("outsider", 404)],
)
def test_it_lets_the_units_staff_start_a_project(client, as_user, org, who, status):
    as_user(who)
    url = reverse("improvement:project-create", args=[org["ward"].pk])
    assert client.get(url).status_code == status
    response = client.post(url, FORM)
    assert response.status_code == (302 if status == 200 else status)
    assert Project.objects.exists() is (status == 200)


def test_it_prompts_for_an_aim_without_a_target_or_date_and_saves_when_confirmed(client, org, lead):
    client.force_login(lead)
    url = reverse("improvement:project-create", args=[org["ward"].pk])
    response = client.post(url, {**FORM, "aim": "Improve hand hygiene"})
    page = response.content.decode()
    assert response.status_code == 400 and not Project.objects.exists()
    assert "no measurable target" in page and "no date" in page and "aim_checked" in page
    response = client.post(url, {**FORM, "aim": "Improve hand hygiene", "aim_checked": "on"})
    assert response.status_code == 302
    project = Project.objects.get()
    page = client.get(project.get_absolute_url()).content.decode()
    assert "no measurable target" in page  # the project page shows the check's result


def test_it_refuses_bad_input_naming_the_field(client, org, lead):
    client.force_login(lead)
    url = reverse("improvement:project-create", args=[org["ward"].pk])
    bad = {**FORM, "title": "", "method": "guess", "starts_on": "2027-05-01",
           "ends_on": "2027-01-01", "budget": "-3", "lead": "nobody"}  # fmt: skip
    response = client.post(url, bad)
    page = response.content.decode()
    assert response.status_code == 400 and not Project.objects.exists()
    assert "end date is before the start date" in page and "no one with the username" in page


def test_it_refuses_a_patient_identifier(client, org, lead):
    client.force_login(lead)
    url = reverse("improvement:project-create", args=[org["ward"].pk])
    response = client.post(url, {**FORM, "problem": "Patient NHS 943 476 5919 fell."})
    assert response.status_code == 400 and not Project.objects.exists()


@pytest.fixture
def signal(org):
    measure = make_measure(org["ward"], "falls")
    record(measure, [5, 6, 5, 4, 6, 5, 5, 6, 4, 5, 5, 6, 5, 4, 6, 5, 5, 6, 5, 5, 14])
    return Signal.objects.get(measure=measure)


def test_it_starts_a_project_from_a_signal_carrying_it_over(client, org, lead, signal):
    client.force_login(lead)
    signal_page = client.get(signal.get_absolute_url()).content.decode()
    start = reverse("improvement:project-create", args=[org["ward"].pk])
    link = f"{start}?from=control.signal:{signal.pk}"
    assert link in signal_page.replace("&amp;", "&")
    form = client.get(link).content.decode()
    assert signal.explanation in form
    response = client.post(link, {**FORM, "problem": f"{signal.explanation} Seen on the chart."})
    project = Project.objects.get()
    assert response.status_code == 302
    assert project.source_record == signal and project.unit == org["ward"]
    outcome = ProjectMeasure.objects.get(project=project)
    assert outcome.measure == signal.measure and outcome.role == MeasureRole.OUTCOME
    page = client.get(project.get_absolute_url()).content.decode()
    assert signal.get_absolute_url() in page and "Started from" in page


def test_it_names_the_projects_already_started_from_the_signal(client, org, lead, signal):
    client.force_login(lead)
    link = reverse("improvement:project-create", args=[org["ward"].pk])
    link += f"?from=control.signal:{signal.pk}"
    assert "already started from it" not in client.get(link).content.decode()
    client.post(link, FORM)
    first = Project.objects.get()
    form = client.get(link).content.decode()
    assert "A project has already started from it" in form
    assert first.get_absolute_url() in form


def test_it_names_only_the_earlier_projects_the_user_sees(client, org, lead, signal):
    hidden = services.project_create(
        by=None, unit=org["ward"], title="Hidden", problem="p", aim="a", source=signal
    )
    Project.objects.filter(pk=hidden.pk).update(unit=org["elsewhere"])
    client.force_login(lead)
    link = reverse("improvement:project-create", args=[org["ward"].pk])
    form = client.get(link + f"?from=control.signal:{signal.pk}").content.decode()
    assert "already started from it" not in form and "Hidden" not in form


def test_it_starts_a_project_from_an_issue(client, org, lead):
    issue = issue_services.issue_raise(
        by=lead, unit=org["ward"], title="Call bells unanswered", source="staff_concern",
        description="Bells ring for minutes at night.",
    )  # fmt: skip
    client.force_login(lead)
    issue_page = client.get(issue.get_absolute_url()).content.decode()
    link = reverse("improvement:project-create", args=[org["ward"].pk])
    link += f"?from=issues.issue:{issue.pk}"
    assert link in issue_page.replace("&amp;", "&")
    assert "Bells ring for minutes at night." in client.get(link).content.decode()
    client.post(link, FORM)
    project = Project.objects.get()
    assert project.source_record == issue and not project.project_measures.exists()


@pytest.mark.parametrize("reference", ["control.signal:999", "people.person:1", "issues.issue:x"])
def test_it_answers_404_for_a_source_that_is_not_there(client, org, lead, reference):
    client.force_login(lead)
    url = reverse("improvement:project-create", args=[org["ward"].pk]) + f"?from={reference}"
    assert client.get(url).status_code == 404


def test_it_answers_404_for_a_source_the_user_cannot_see(client, org, lead, outsider):
    far = make_measure(org["elsewhere"], "far")
    record(far, [5, 6, 5, 4, 6, 5, 5, 6, 4, 5, 5, 6, 5, 4, 6, 5, 5, 6, 5, 5, 14])
    signal = Signal.objects.get(measure=far)
    client.force_login(lead)
    url = reverse("improvement:project-create", args=[org["ward"].pk])
    assert client.get(f"{url}?from=control.signal:{signal.pk}").status_code == 404


# Measures -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("lead", 200), ("coach", 403), ("teammate", 200), ("member", 403), ("partner", 403),
     ("outsider", 404)],
)  # fmt: skip
def test_it_lets_the_teams_staff_link_measures(client, as_user, org, project, who, status):
    measure = make_measure(org["ward"], "falls")
    as_user(who)
    url = reverse("improvement:project-measures", args=[project.pk])
    assert client.get(url).status_code == status
    response = client.post(url, {"measure": measure.pk, "role": "process"})
    linked = ProjectMeasure.objects.filter(project=project, measure=measure).exists()
    assert linked is (status == 200)
    if status == 200:
        assert response.status_code == 302


def test_it_shows_measures_with_their_latest_value_and_icons(client, org, lead, project):
    measure = make_measure(org["ward"], "falls")
    record(measure, [5, 6, 5, 4, 6, 5, 5, 6, 4, 5, 5, 6, 5, 4, 6, 5, 5, 6, 5, 5, 14])
    services.project_measure_link(by=lead, project=project, measure=measure, role="outcome")
    client.force_login(lead)
    page = client.get(project.get_absolute_url()).content.decode()
    assert measure.name in page and "mdc-icon" in page and "Sep 2025" in page


def test_it_unlinks_a_measure_for_the_team_only(client, org, lead, member, project):
    measure = make_measure(org["ward"], "falls")
    link = services.project_measure_link(by=lead, project=project, measure=measure, role="outcome")
    url = reverse("improvement:measure-unlink", args=[project.pk, link.pk])
    client.force_login(member)
    assert client.post(url).status_code == 403
    client.force_login(lead)
    assert client.post(url).status_code == 302
    assert not ProjectMeasure.objects.exists()


# Blockers -----------------------------------------------------------------------------------


def test_it_raises_a_blocker_from_the_project_and_lists_it(client, org, lead, project):
    client.force_login(lead)
    page = client.get(project.get_absolute_url()).content.decode()
    raise_url = reverse("issues:issue-raise", args=[org["ward"].pk])
    link = f"{raise_url}?from=improvement.project:{project.pk}"
    assert link in page.replace("&amp;", "&")
    response = client.post(link, {"title": "No hip protectors in stock",
                                  "source": "project_blocker", "owner": lead.pk})  # fmt: skip
    assert response.status_code == 302
    page = client.get(project.get_absolute_url()).content.decode()
    assert "No hip protectors in stock" in page and "Not escalated" in page


def test_it_reads_the_page_in_the_same_queries_whatever_its_size(client, org, lead, project):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def grow(first, last):
        for n in range(first, last):
            measure = make_measure(org["ward"], f"m{n}")
            services.project_measure_link(by=lead, project=project, measure=measure, role="process")
            person = make_person(f"p{n}")
            services.team_member_add(by=lead, project=project, person=person, role="team_member")
            issue = issue_services.issue_raise(
                by=lead, unit=org["ward"], title=f"Blocker {n}", source_record=project
            )
            escalation_services.escalate(by=lead, subject=issue, reason="Beyond the ward")

    client.force_login(lead)
    url = project.get_absolute_url()
    grow(0, 1)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    grow(1, 6)
    # The first view after a change also rebuilds the similar-work index (a fixed number of
    # queries, once per change anywhere): the page itself is compared warm, as above.
    client.get(url)
    with CaptureQueriesContext(connection) as large:
        assert "Blocker 5" in client.get(url).content.decode()
    assert len(large) == len(small)


# The discussion ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("lead", 302), ("coach", 302), ("teammate", 302), ("partner", 302), ("member", 403),
     ("outsider", 404)],
)  # fmt: skip
def test_it_lets_the_team_partners_included_discuss_the_project(
    client, as_user, project, who, status
):
    from qms.comments.models import Comment

    as_user(who)
    url = reverse("comments:comment-add", args=["improvement.project", project.pk])
    response = client.post(url, {"text": "Shall we try the bed alarms first?"})
    assert response.status_code == status
    assert Comment.objects.filter(object_id=project.pk).exists() is (status == 302)


def test_it_keeps_the_discussion_from_a_partner_of_the_unit_not_on_the_team(client, org, project):
    from qms.comments import services as comment_services

    comment_services.comment_add(by=None, subject=project, text="Staff only so far.")
    other = make_person("other-partner", (Role.PARTNER, org["ward"]))
    client.force_login(other)
    url = reverse("comments:comment-add", args=["improvement.project", project.pk])
    assert client.post(url, {"text": "Hello"}).status_code == 403
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        comment_services.comment_add(by=other, subject=project, text="Hello")


def test_it_defines_a_new_measure_from_the_project_and_comes_back_to_link_it(
    client, org, lead, project
):
    from qms.control.models import Measure

    client.force_login(lead)
    link_page = reverse("improvement:project-measures", args=[project.pk])
    page = client.get(link_page).content.decode()
    create = reverse("control:measure-create", args=[org["ward"].pk])
    assert f"{create}?next=" in page
    fields = {
        "name": "Falls with harm", "code": "falls-harm", "kind": "outcome", "domain": "safe",
        "operational_definition": "Inpatient falls with harm.", "frequency": "month",
        "chart": "c", "direction": "decrease", "multiply": "1", "rules": "mdc",
        "shift_length": "7", "trend_length": "7", "baseline_points": "20",
    }  # fmt: skip
    response = client.post(f"{create}?next={link_page}", fields)
    assert response.status_code == 302 and response["Location"] == link_page
    assert "Falls with harm" in client.get(link_page).content.decode()
    # Only a path on this site is followed.
    response = client.post(
        f"{create}?next=https://evil.example/", {**fields, "name": "B", "code": "b"}
    )
    measure = Measure.objects.get(code="b")
    assert response["Location"] == reverse("control:measure-detail", args=[measure.pk])


def test_it_starts_from_a_signal_for_a_member_who_names_another_lead(
    client, org, lead, member, signal
):
    client.force_login(member)
    url = reverse("improvement:project-create", args=[org["ward"].pk])
    response = client.post(f"{url}?from=control.signal:{signal.pk}", {**FORM, "lead": "lead"})
    assert response.status_code == 302
    project = Project.objects.get()
    assert project.lead.username == "lead" and project.created_by == member
    assert ProjectMeasure.objects.get(project=project).measure == signal.measure
