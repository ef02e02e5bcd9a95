"""A recurring factor becomes a candidate priority in one step from the Pareto, once while one
is open."""

import datetime as dt

import pytest
from django.urls import reverse
from helpers import ANONYMOUS

from planning.factors_support import *  # noqa: F403
from planning.factors_support import coded_issue, domain
from qms.planning import services
from qms.planning.models import Priority, PriorityOrigin, PriorityStatus

pytestmark = pytest.mark.django_db

APRIL = dt.date(2026, 4, 10)
PERIOD = {"since": "2026-01", "until": "2026-12"}


@pytest.fixture
def recurring(org):
    """Workload coded on three of the ward's issues in April 2026, equipment on one."""
    for number in range(3):
        coded_issue(org["ward"], ["staff-workload"], when=APRIL, title=f"Night fall {number}")
    coded_issue(org["ward"], ["equipment-and-supplies"], when=APRIL, title="No bed alarm")


def _url(unit, code):
    from urllib.parse import urlencode

    path = reverse("planning:factor-priority", args=[unit.pk, domain(code).pk])
    return f"{path}?{urlencode(PERIOD)}"


def test_it_makes_a_candidate_priority_naming_the_issues_behind_it(client, as_user, org, recurring):
    member = as_user("member")
    response = client.post(_url(org["ward"], "staff-workload"))
    priority = Priority.objects.get()
    assert response.status_code == 302 and response.url == priority.get_absolute_url()
    assert (priority.unit, priority.origin, priority.status, priority.created_by) == (
        org["ward"],
        PriorityOrigin.FACTOR,
        PriorityStatus.CANDIDATE,
        member,
    )
    assert priority.source_record == domain("staff-workload")
    assert list(priority.factors.all()) == [domain("staff-workload")]
    assert "3 analysed issues" in priority.problem and "January 2026 to December 2026" in (
        priority.problem
    )
    assert "“Night fall 0”" in priority.problem


def test_it_shows_the_open_one_instead_of_a_duplicate(client, as_user, org, recurring):
    as_user("lead")
    client.post(_url(org["ward"], "staff-workload"))
    response = client.post(_url(org["ward"], "staff-workload"))
    priority = Priority.objects.get()
    assert response.url == priority.get_absolute_url()
    page = client.get(reverse("planning:pareto", args=[org["ward"].pk]) + "?since=2026-01")
    assert "Already a priority" in page.content.decode()
    assert "Make a candidate priority" not in page.content.decode()


def test_a_rejected_priority_lets_the_factor_be_proposed_again(
    client, as_user, org, recurring, lead
):
    as_user("lead")
    client.post(_url(org["ward"], "staff-workload"))
    Priority.objects.update(status=PriorityStatus.REJECTED)
    client.post(_url(org["ward"], "staff-workload"))
    assert Priority.objects.count() == 2


def test_it_refuses_a_factor_that_does_not_recur(client, as_user, org, recurring):
    as_user("lead")
    response = client.post(_url(org["ward"], "equipment-and-supplies"), follow=True)
    assert "a factor recurs from 3" in response.content.decode()
    assert not Priority.objects.exists()


def test_the_service_makes_one_priority_when_two_people_press_at_once(org, recurring, lead, member):
    from qms.planning.selectors import domain_issues

    workload = domain("staff-workload")
    issues = list(domain_issues(org["ward"], workload))
    first, made = services.factor_priority_propose(
        by=lead, unit=org["ward"], domain=workload, issues=issues, count=3, period="this year"
    )
    second, made_again = services.factor_priority_propose(
        by=member, unit=org["ward"], domain=workload, issues=issues, count=3, period="this year"
    )
    assert (made, made_again, first) == (True, False, second)


@pytest.mark.parametrize(
    ("who", "status"),
    [(ANONYMOUS, 302), ("partner", 403), ("outsider", 404), ("member", 302)],
)
def test_it_lets_staff_of_the_unit_propose(client, as_user, org, recurring, who, status):
    as_user(who)
    response = client.post(_url(org["ward"], "staff-workload"))
    assert response.status_code == status
    assert Priority.objects.exists() is (who == "member")


def test_it_answers_get_and_unknown_domains_without_an_error(client, as_user, org, recurring):
    as_user("lead")
    assert client.get(_url(org["ward"], "staff-workload")).status_code == 405
    url = reverse("planning:factor-priority", args=[org["ward"].pk, 999999])
    assert client.post(url).status_code == 404
    assert (
        client.post(f"/plan/units/{org['ward'].pk}/factors/{'9' * 30}/priority/").status_code == 404
    )
