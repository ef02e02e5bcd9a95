"""The Pareto of contributory factors: counts, shares and cumulative shares on built cases,
the period, kind and unit filters, the issues behind a bar, who sees it, bad input, and a
fixed number of queries whatever the number of issues."""

import datetime as dt

import pytest
from django.urls import reverse
from helpers import ANONYMOUS

from planning.factors_support import *  # noqa: F403
from planning.factors_support import coded_issue, domain
from qms.planning import selectors, services

pytestmark = pytest.mark.django_db

MARCH, APRIL, MAY = dt.date(2026, 3, 10), dt.date(2026, 4, 10), dt.date(2026, 5, 10)


@pytest.fixture
def coded(org):
    """Six analysed issues: workload on 4, communication on 3, equipment on 1 (8 codings)."""
    ward, other_ward, other = org["ward"], org["other_ward"], org["other_service"]
    coded_issue(ward, ["staff-workload", "communication-systems"], when=MARCH)
    coded_issue(ward, ["staff-workload", "communication-systems"], when=APRIL)
    coded_issue(ward, ["staff-workload"], when=APRIL, source="complaint")
    coded_issue(other_ward, ["staff-workload", "equipment-and-supplies"], when=MAY)
    coded_issue(other_ward, ["communication-systems"], when=MAY, source="complaint")
    coded_issue(other, [], when=MAY)  # an account without factors: not counted
    coded_issue(org["elsewhere"], ["staff-workload"], when=MAY)  # another board


def _rows(counted):
    return [(r.name, r.count, r.share, r.cumulative, r.issue_share) for r in counted.rows]


def test_it_counts_analysed_issues_per_factor_highest_first(org, quality_lead, coded):
    counted = selectors.pareto(quality_lead, org["service"])
    assert (counted.issues_analysed, counted.codings) == (5, 8)
    assert _rows(counted) == [
        ("Staff workload", 4, 0.5, 0.5, 0.8),
        ("Communication systems", 3, 0.375, 0.875, 0.6),
        ("Equipment and supplies", 1, 0.125, 1.0, 0.2),
    ]
    assert [r.vital for r in counted.rows] == [True, True, False]


def test_it_counts_the_unit_and_below_only(org, lead, coded, quality_lead, outsider):
    ward = selectors.pareto(lead, org["ward"])
    assert [(r.name, r.count) for r in ward.rows] == [
        ("Staff workload", 3),
        ("Communication systems", 2),
    ]
    assert selectors.pareto(quality_lead, org["division"]).issues_analysed == 5
    assert selectors.pareto(outsider, org["elsewhere"]).issues_analysed == 1


def test_it_filters_by_months_and_kind(org, quality_lead, coded):
    lead = quality_lead
    april = selectors.pareto(
        lead, org["service"], since=dt.date(2026, 4, 1), until=dt.date(2026, 4, 1)
    )
    assert [(r.name, r.count) for r in april.rows] == [
        ("Staff workload", 2),
        ("Communication systems", 1),
    ]
    from_april = selectors.pareto(lead, org["service"], since=dt.date(2026, 4, 1))
    assert from_april.issues_analysed == 4
    up_to_april = selectors.pareto(lead, org["service"], until=dt.date(2026, 4, 1))
    assert up_to_april.issues_analysed == 3
    complaints = selectors.pareto(lead, org["service"], source="complaint")
    assert [(r.name, r.count, r.cumulative) for r in complaints.rows] == [
        ("Staff workload", 1, 0.5),
        ("Communication systems", 1, 1.0),
    ]


def test_it_lists_the_recurring_factors_from_three_issues(org, lead, quality_lead, coded):
    recurring = selectors.recurring_factors(quality_lead, org["service"])
    assert [(r.row.name, r.row.count, r.priority) for r in recurring] == [
        ("Staff workload", 4, None),
        ("Communication systems", 3, None),
    ]
    assert [r.row.name for r in selectors.recurring_factors(lead, org["ward"])] == [
        "Staff workload"
    ]
    assert selectors.recurring_factors(lead, org["ward"], minimum=4) == []


def test_it_builds_a_pareto_chart_with_the_same_data(org, quality_lead, coded):
    counted = selectors.pareto(quality_lead, org["service"], link=lambda pk: f"/issues-of/{pk}")
    values = counted.spec["data"]["values"]
    assert [(v["category"], v["count"], v["cumulative"]) for v in values] == [
        ("Staff workload", 4, 0.5),
        ("Communication systems", 3, 0.875),
        ("Equipment and supplies", 1, 1.0),
    ]
    assert values[0]["url"] == f"/issues-of/{domain('staff-workload').pk}"
    marks = str(counted.spec["layer"])
    assert "'bar'" in marks and "'line'" in marks and "'rule'" in marks and "0.8" in marks
    assert counted.spec["description"].startswith("Pareto chart of 3 categories")


def test_it_shows_nothing_to_chart_without_analysed_issues(org, lead):
    counted = selectors.pareto(lead, org["ward"])
    assert (counted.rows, counted.issues_analysed, counted.spec) == ([], 0, {})


def test_it_lists_the_issues_behind_a_bar(org, coded):
    issues = selectors.domain_issues(org["service"], domain("communication-systems"))
    assert issues.count() == 3
    assert list(issues) == sorted(issues, key=lambda i: i.created_at, reverse=True)


# The page -------------------------------------------------------------------------------------


def _url(unit, **query):
    from urllib.parse import urlencode

    return reverse("planning:pareto", args=[unit.pk]) + (f"?{urlencode(query)}" if query else "")


@pytest.mark.parametrize(
    ("who", "unit", "status"),
    [
        (ANONYMOUS, "ward", 302),
        ("member", "ward", 200),
        ("lead", "ward", 200),
        ("quality_lead", "division", 200),
        ("partner", "ward", 403),  # sees the unit, not its planning
        ("member", "division", 404),  # above their ward: not theirs to see
        ("outsider", "ward", 404),
    ],
)
def test_it_shows_the_pareto_to_the_unit_s_staff(client, as_user, org, who, unit, status):
    as_user(who)
    assert client.get(_url(org[unit])).status_code == status


def test_it_shows_the_table_and_the_chart(client, as_user, org, coded):
    as_user("quality_lead")
    response = client.get(_url(org["service"], since="2026-01", until="2026-12"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "5</strong> issues analysed" in page
    assert "Staff workload" in page and "88%" in page  # 87.5% cumulative, rounded
    assert 'id="factors-pareto-spec"' in page and "<caption>" in page
    assert "Recurring factors" in page and "Make a candidate priority" in page


def test_it_opens_on_the_last_twelve_months(client, as_user, org):
    as_user("lead")
    page = client.get(_url(org["ward"])).content.decode()
    today = dt.date.today()
    assert f'value="{today:%Y-%m}"' in page


def test_it_lists_the_issues_behind_a_bar_on_the_page(client, as_user, org, coded):
    as_user("quality_lead")
    workload = domain("staff-workload")
    page = client.get(
        _url(org["service"], since="2026-01", until="2026-12", domain=workload.pk)
    ).content.decode()
    assert "Issues with “Staff workload”" in page
    assert page.count('<th scope="row"><a href="/issues/') == 4


@pytest.mark.parametrize(
    "query",
    [
        {"since": "2026-13"},
        {"since": "abc", "until": "2026-02"},
        {"since": "0001-01"},
        {"until": "9999-12"},
        {"since": "2026-05", "until": "2026-01"},
        {"source": "gossip"},
        {"domain": "abc"},
        {"domain": "9" * 30},
        {"domain": "-1"},
        {"page": "NaN", "domain": "1"},
        {"since": "2026-01\x00"},
    ],
)
def test_it_answers_bad_filters_without_an_error(client, as_user, org, coded, query):
    as_user("quality_lead")
    response = client.get(_url(org["service"], **query))
    assert response.status_code == 200


def test_it_reads_the_page_in_the_same_queries_whatever_the_number_of_issues(
    client, as_user, org, django_assert_max_num_queries
):
    user = as_user("quality_lead")
    query = {"since": "2026-01", "until": "2026-12", "domain": domain("staff-workload").pk}
    for _ in range(3):  # a recurring factor: the page reads its open priorities too
        coded_issue(org["ward"], ["staff-workload", "team-factors"], when=MARCH)
    client.get(_url(org["service"], **query))  # warm: content types, sessions
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()  # both measured requests count (the cache is tested on its own)
    with CaptureQueriesContext(connection) as few:
        client.get(_url(org["service"], **query))
    for index in range(30):
        codes = ["staff-workload", "team-factors", "safety-culture"][: 1 + index % 3]
        coded_issue(org["other_ward"], codes, when=APRIL, title=f"Issue {index}")
    cache.clear()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(_url(org["service"], **query))
    assert response.status_code == 200 and user is not None


def test_the_plan_home_links_each_unit_s_factors_and_the_framework(client, as_user, org):
    as_user("lead")
    page = client.get(reverse("planning:home")).content.decode()
    assert reverse("planning:pareto", args=[org["ward"].pk]) in page
    assert reverse("planning:framework") in page


def test_it_keeps_the_counts_until_something_they_count_changes(
    org, quality_lead, coded, django_assert_num_queries
):
    selectors.pareto(quality_lead, org["service"])
    with django_assert_num_queries(1):  # what the counts depend on, then the cache
        again = selectors.pareto(quality_lead, org["service"])
    assert again.issues_analysed == 5
    coded_issue(org["ward"], ["team-factors"], when=MAY)
    assert selectors.pareto(quality_lead, org["service"]).issues_analysed == 6


def test_it_counts_again_when_a_domain_is_renamed_or_an_issue_changes_kind(
    org, quality_lead, coded, admin
):
    from qms.issues import services as issue_services
    from qms.issues.models import Issue

    selectors.pareto(quality_lead, org["service"], source="complaint")
    services.framework_domain_update(
        by=admin, domain=domain("staff-workload"), name="Workload", prompt="What about it?"
    )
    issue = Issue.objects.filter(unit=org["ward"], source="incident").first()
    issue_services.issue_update(by=admin, issue=issue, source="complaint")
    complaints = selectors.pareto(quality_lead, org["service"], source="complaint")
    assert complaints.issues_analysed == 3
    assert complaints.rows[0].name == "Workload"
