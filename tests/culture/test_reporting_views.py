"""The reporting-culture pages: who may read the charts and who may track them; the unit page's
panel; the page reads in a bounded number of queries whatever the number of issues."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from culture.concerns_support import backdate, raise_concern
from qms.comments import services as comments
from qms.culture.models import ReportingMeasure
from qms.issues import services as issue_services


def _url(unit, name="culture:reporting-unit"):
    return reverse(name, args=[unit.pk])


def _issues(unit, member, lead, count):
    this_month = timezone.localdate().replace(day=1)
    for number in range(count):
        month = (this_month - dt.timedelta(days=30 * (1 + number % 6))).replace(day=1)
        issue = issue_services.issue_raise(
            by=member, unit=unit, title=f"Issue {number}", source="other", owner=lead
        )
        backdate(issue, month + dt.timedelta(days=number % 20))
        comments.comment_add(by=lead, subject=issue, text="Looking at it.")
        if number % 2:
            issue_services.issue_close(by=lead, issue=issue, note="Fixed.")
        if number % 3 == 0:
            raise_concern(member, unit, anonymous=True, title=f"Concern {number}")


@pytest.mark.parametrize(
    ("who", "status"),
    [("member", 200), ("lead", 200), ("quality_lead", 200), ("partner", 403),
     ("outsider", 404), ("anonymous", 302)],
)  # fmt: skip
def test_it_shows_the_charts_to_the_units_staff_only(client, as_user, org, who, status):
    as_user(who)
    assert client.get(_url(org["ward"])).status_code == status


def test_it_draws_the_four_charts(client, member, lead, org):
    _issues(org["ward"], member, lead, 12)
    client.force_login(member)
    response = client.get(_url(org["ward"]))
    charts = response.context["charts"]
    assert [c.kind for c in charts] == ["raised", "front_line", "first_response", "feedback"]
    assert all(c.spec for c in charts[:3])
    assert b"Track the reporting culture" not in response.content


@pytest.mark.parametrize(
    ("who", "status"),
    [("quality_lead", 302), ("lead", 403), ("member", 403), ("outsider", 404)],
)
def test_it_lets_quality_leads_track_the_measures(client, as_user, org, who, status):
    as_user(who)
    assert client.post(_url(org["ward"], "culture:reporting-track")).status_code == status
    assert ReportingMeasure.objects.count() == (4 if status == 302 else 0)


def test_it_answers_405_to_a_get_of_track(client, quality_lead, org):
    client.force_login(quality_lead)
    assert client.get(_url(org["ward"], "culture:reporting-track")).status_code == 405


def test_it_offers_tracking_on_the_unit_page_then_links_the_measures(
    client, quality_lead, member, org
):
    client.force_login(quality_lead)
    unit_page = reverse("people:unit-detail", args=[org["ward"].pk])
    page = client.get(unit_page).content.decode()
    assert "Reporting culture" in page and "Track the reporting culture" in page
    client.post(_url(org["ward"], "culture:reporting-track"))
    page = client.get(unit_page).content.decode()
    assert "Track the reporting culture" not in page
    assert "Reporting: issues and concerns raised" in page
    client.force_login(member)
    page = client.get(unit_page).content.decode()
    assert "Reporting culture" in page and "Track the reporting culture" not in page


def test_it_shows_no_panel_to_a_partner(client, partner, org):
    client.force_login(partner)
    page = client.get(reverse("people:unit-detail", args=[org["ward"].pk]))
    assert page.status_code == 200 and b"reporting-culture-heading" not in page.content


@pytest.mark.parametrize("count", [6, 30])
def test_it_reads_the_page_in_the_same_queries_whatever_its_issues(
    client, member, lead, org, django_assert_max_num_queries, count
):
    _issues(org["ward"], member, lead, count)
    client.force_login(member)
    client.get(_url(org["ward"]))  # warm the content type cache
    with django_assert_max_num_queries(40):
        assert client.get(_url(org["ward"])).status_code == 200
