import datetime as dt
import re

import pytest
from django.urls import reverse
from helpers import make_person

from qms.issues import services
from qms.issues.models import Action, Issue, IssueStatus
from qms.people import services as people_services
from qms.people.roles import Role
from qms.web.screening import CONFIRM_FIELD

NHS_NUMBER = "943 476 5919"  # the NHS's published example: a valid check digit


def _url(name, *args):
    return reverse(f"issues:{name}", args=args)


@pytest.mark.parametrize(
    ("who", "status"),
    [("lead", 200), ("member", 200), ("quality_lead", 200), ("partner", 403), ("outsider", 404)],
)
def test_the_unit_s_issues_are_for_its_staff(client, as_user, org, issue, who, status):
    as_user(who)
    response = client.get(_url("unit-issues", org["ward"].pk))
    assert response.status_code == status
    if status == 200:
        assert "Falls at night" in response.text


def test_a_unit_s_list_holds_its_subtree_and_filters(client, as_user, org, issue, quality_lead):
    services.issue_raise(
        by=quality_lead, unit=org["other_ward"], title="Late discharges", source="audit_finding"
    )
    as_user("quality_lead")
    page = client.get(_url("unit-issues", org["service"].pk)).text
    assert "Falls at night" in page and "Late discharges" in page
    page = client.get(_url("unit-issues", org["service"].pk), {"source": "audit_finding"}).text
    assert "Falls at night" not in page and "Late discharges" in page
    page = client.get(_url("unit-issues", org["service"].pk), {"status": "closed"}).text
    assert "No issues match the filters" in page
    # Nonsense filters are ignored, not a server error.
    response = client.get(_url("unit-issues", org["service"].pk), {"owner": "x", "status": "?"})
    assert response.status_code == 200


def test_a_unit_s_list_puts_issues_with_overdue_actions_first(client, as_user, org, lead, issue):
    late = services.issue_raise(by=lead, unit=org["ward"], title="Older issue", source="other")
    action = services.action_add(
        by=lead, issue=late, what="Audit", owner=lead, due_on=dt.date.today()
    )
    Action.objects.filter(pk=action.pk).update(due_on=dt.date.today() - dt.timedelta(days=2))
    as_user("lead")
    page = client.get(_url("unit-issues", org["ward"].pk)).text
    assert page.index("Older issue") < page.index("Falls at night")
    assert "1 overdue" in page


@pytest.mark.parametrize("unit", ["elsewhere", "other_ward"])
def test_other_units_are_not_found(client, as_user, org, unit):
    as_user("member")
    assert client.get(_url("unit-issues", org[unit].pk)).status_code == 404
    assert client.get(_url("issue-raise", org[unit].pk)).status_code == 404
    assert client.get(_url("unit-issues", 999999)).status_code == 404


@pytest.mark.parametrize(
    ("who", "status"), [("lead", 200), ("member", 200), ("partner", 403), ("outsider", 404)]
)
def test_the_issue_page(client, as_user, issue, who, status):
    as_user(who)
    response = client.get(issue.get_absolute_url())
    assert response.status_code == status
    if status == 200:
        assert "Three falls between 2 and 4 am" in response.text
        assert ("Close the issue" in response.text) is (who == "lead")


def test_an_issue_of_another_unit_is_not_found(client, as_user, org, quality_lead):
    other = services.issue_raise(
        by=quality_lead, unit=org["other_ward"], title="Elsewhere", source="other"
    )
    as_user("member")
    for name in ("issue-detail", "issue-edit"):
        assert client.get(_url(name, other.pk)).status_code == 404
    assert client.post(_url("issue-close", other.pk), {"note": "x"}).status_code == 404
    assert client.get(_url("issue-detail", 999999)).status_code == 404


@pytest.mark.parametrize(("who", "status"), [("member", 302), ("partner", 403), ("outsider", 404)])
def test_raising_an_issue(client, as_user, org, who, status):
    user = as_user(who)
    response = client.post(
        _url("issue-raise", org["ward"].pk),
        {"title": "Call bells", "source": "complaint", "description": "", "owner": user.pk},
    )
    assert response.status_code == status
    if status == 302:
        issue = Issue.objects.get()
        assert response["Location"] == issue.get_absolute_url()
        assert (issue.owner, issue.source) == (user, "complaint")
    else:
        assert not Issue.objects.exists()


def test_raising_an_issue_needs_a_title(client, as_user, org, member):
    as_user("member")
    response = client.post(
        _url("issue-raise", org["ward"].pk), {"title": "", "source": "other", "owner": member.pk}
    )
    assert response.status_code == 400
    assert "Title" in response.text and "This field is required" in response.text
    assert not Issue.objects.exists()


def test_raising_an_issue_from_a_signal_links_it(client, as_user, org, signal, lead):
    as_user("lead")
    reference = f"control.signal:{signal.pk}"
    url = _url("issue-raise", org["ward"].pk) + f"?from={reference}"
    page = client.get(url)
    assert page.status_code == 200 and str(signal) in page.text
    response = client.post(url, {"title": "Falls", "source": "signal", "owner": lead.pk})
    issue = Issue.objects.get()
    assert response["Location"] == issue.get_absolute_url()
    assert issue.source_record == signal
    detail = client.get(issue.get_absolute_url()).text
    assert signal.get_absolute_url() in detail


@pytest.mark.parametrize("reference", ["people.person:1", "control.signal:999999", "nonsense"])
def test_raising_from_an_unknown_or_unregistered_record_is_not_found(
    client, as_user, org, reference
):
    as_user("lead")
    url = _url("issue-raise", org["ward"].pk) + f"?from={reference}"
    assert client.get(url).status_code == 404


def test_an_nhs_number_in_a_pdf_name_is_refused_naming_the_field(client, as_user, org, member):
    as_user("member")
    response = client.post(
        _url("issue-raise", org["ward"].pk),
        {
            "title": "Referral lost",
            "source": "incident",
            "description": f"See scan referral_{NHS_NUMBER}.pdf",
            "owner": member.pk,
        },
    )
    assert response.status_code == 400
    assert "What is known so far looks like an NHS or CHI number" in response.text
    assert not Issue.objects.exists()


def test_a_name_with_a_title_asks_first_and_is_kept_when_checked(
    client, as_user, org, member, issue
):
    as_user("lead")
    data = {"what": "Speak to Mr Patel about rounds", "owner": member.pk, "due_on": "2099-01-31"}
    response = client.post(_url("action-add", issue.pk), data)
    assert response.status_code == 400
    assert "may identify a patient" in response.text and CONFIRM_FIELD in response.text
    assert not Action.objects.exists()
    response = client.post(_url("action-add", issue.pk), data | {CONFIRM_FIELD: "on"})
    assert response.status_code == 302
    assert Action.objects.get().what == "Speak to Mr Patel about rounds"


@pytest.mark.parametrize("due_on", ["next Tuesday", "2026-02-31", ""])
def test_a_due_date_that_is_not_a_date_is_refused(client, as_user, member, issue, due_on):
    as_user("lead")
    data = {"what": "Hourly rounds", "owner": member.pk, "due_on": due_on}
    response = client.post(_url("action-add", issue.pk), data)
    assert response.status_code == 400
    assert "Due by" in response.text
    assert not Action.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("lead", 302), ("member", 403), ("partner", 403)])
def test_adding_an_action_is_for_those_who_handle_the_issue(
    client, as_user, member, issue, who, status
):
    as_user(who)
    data = {"what": "Hourly rounds", "owner": member.pk, "due_on": "2099-01-31"}
    assert client.post(_url("action-add", issue.pk), data).status_code == status
    assert Action.objects.exists() is (status == 302)


def test_the_action_s_owner_marks_it_done_and_another_member_cannot(
    client, as_user, org, lead, member, issue
):
    action = services.action_add(
        by=lead, issue=issue, what="Rounds", owner=member, due_on=dt.date(2099, 1, 1)
    )
    as_user("member")
    response = client.post(_url("action-complete", action.pk))
    assert response.status_code == 302 and response["Location"] == action.get_absolute_url()
    action.refresh_from_db()
    assert action.done_by == member
    assert client.post(_url("action-reopen", action.pk)).status_code == 302
    as_user("partner")
    assert client.post(_url("action-complete", action.pk)).status_code == 403
    as_user("outsider")
    assert client.post(_url("action-complete", action.pk)).status_code == 404
    assert client.post(_url("action-complete", 999999)).status_code == 404


def test_editing_an_issue_and_an_action(client, as_user, lead, member, issue):
    action = services.action_add(
        by=lead, issue=issue, what="Rounds", owner=member, due_on=dt.date(2099, 1, 1)
    )
    as_user("lead")
    assert client.get(_url("issue-edit", issue.pk)).status_code == 200
    response = client.post(
        _url("issue-edit", issue.pk),
        {
            "title": "Falls at night in bay 2",
            "source": "incident",
            "description": "",
            "owner": member.pk,
            "status": "in_progress",
        },
    )
    assert response.status_code == 302
    issue.refresh_from_db()
    assert (issue.title, issue.owner) == ("Falls at night in bay 2", member)
    assert client.get(_url("action-edit", action.pk)).status_code == 200
    response = client.post(
        _url("action-edit", action.pk),
        {"what": "Hourly rounds", "owner": lead.pk, "due_on": "2099-02-01"},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.what, action.owner, action.due_on) == (
        "Hourly rounds",
        lead,
        dt.date(2099, 2, 1),
    )
    as_user("partner")
    assert client.get(_url("action-edit", action.pk)).status_code == 403


def test_closing_and_reopening_from_the_page(client, as_user, issue):
    as_user("member")
    assert client.post(_url("issue-close", issue.pk), {"note": "Fine"}).status_code == 403
    as_user("lead")
    response = client.post(_url("issue-close", issue.pk), {"note": ""})
    assert response.status_code == 400
    issue.refresh_from_db()
    assert issue.status == IssueStatus.OPEN
    assert client.post(_url("issue-close", issue.pk), {"note": "Rounds hourly"}).status_code == 302
    issue.refresh_from_db()
    assert issue.status == IssueStatus.CLOSED
    assert "Reopen the issue" in client.get(issue.get_absolute_url()).text
    assert client.post(_url("issue-reopen", issue.pk), {"reason": "Again"}).status_code == 302
    issue.refresh_from_db()
    assert issue.status == IssueStatus.OPEN


def test_only_posts_change_an_issue(client, as_user, issue):
    as_user("lead")
    for name in ("issue-close", "issue-reopen", "action-add"):
        assert client.get(_url(name, issue.pk)).status_code == 405


def test_the_issues_link_opens_on_the_unit_the_person_works_in(client, as_user, org):
    as_user("member")
    response = client.get(_url("home"))
    assert response["Location"] == _url("unit-issues", org["ward"].pk)
    assert f'href="{_url("home")}"' in client.get("/").text
    as_user("partner")
    assert f'href="{_url("home")}"' not in client.get("/").text
    response = client.get(_url("home"))
    assert response.status_code == 200 and "not on the staff of any unit" in response.text


def test_home_lists_the_person_s_actions_due(client, as_user, lead, member, issue):
    action = services.action_add(
        by=lead, issue=issue, what="Hourly rounds at night", owner=member, due_on=dt.date.today()
    )
    as_user("member")
    page = client.get("/").text
    assert "Your actions due" in page and action.get_absolute_url() in page
    as_user("lead")
    assert "Your actions due" not in client.get("/").text


def test_a_coach_given_a_role_on_one_issue_sees_it_and_nothing_else(
    client, as_user, org, lead, issue
):
    coach = make_person("coach", (Role.IMPROVEMENT_COACH, org["elsewhere"]))
    people_services.grant_give(by=lead, record=issue, person=coach, role=Role.IMPROVEMENT_COACH)
    client.force_login(coach)
    assert client.get(issue.get_absolute_url()).status_code == 200
    assert client.get(_url("unit-issues", org["ward"].pk)).status_code == 404
    as_user("lead")
    page = client.get(issue.get_absolute_url()).text
    people = client.get(reverse("people:record-people", args=["issues.issue", issue.pk]))
    assert "People on this issue" in page and people.status_code == 200
    assert "Coach" in people.text


def test_a_partner_given_a_role_on_one_issue_sees_that_issue_and_no_other(
    client, as_user, org, lead, partner, issue
):
    other = services.issue_raise(by=lead, unit=org["ward"], title="Night staffing", source="other")
    as_user("partner")
    assert client.get(issue.get_absolute_url()).status_code == 403  # a partner of the unit
    people_services.grant_give(by=lead, record=issue, person=partner, role=Role.PARTNER)
    page = client.get(issue.get_absolute_url())
    assert page.status_code == 200 and "Three falls between 2 and 4 am" in page.text
    assert "Close the issue" not in page.text
    assert client.get(other.get_absolute_url()).status_code == 403
    assert client.get(_url("unit-issues", org["ward"].pk)).status_code == 403
    home = client.get("/").text
    assert "Shared with you" in home and issue.get_absolute_url() in home
    assert client.post(_url("issue-close", issue.pk), {"note": "x"}).status_code == 403


def test_a_partner_of_another_board_given_a_role_on_one_issue_sees_only_it(
    client, org, lead, issue
):
    visitor = make_person("visitor", (Role.PARTNER, org["elsewhere"]))
    people_services.grant_give(by=lead, record=issue, person=visitor, role=Role.PARTNER)
    client.force_login(visitor)
    assert client.get(issue.get_absolute_url()).status_code == 200
    assert client.get(_url("unit-issues", org["ward"].pk)).status_code == 404


def test_the_issue_page_shows_its_history_and_its_discussion(client, as_user, lead, issue, due):
    services.action_add(by=lead, issue=issue, what="Hourly rounds", owner=lead, due_on=due)
    services.issue_update(by=lead, issue=issue, title="Falls at night in bay 2")
    as_user("member")
    page = client.get(issue.get_absolute_url()).text
    assert "Action “Hourly rounds” created" in page
    assert "“Falls at night” → “Falls at night in bay 2”" in page
    assert "Discussion" in page and 'name="text"' in page  # staff discuss it


@pytest.mark.parametrize(("who", "status"), [("member", 302), ("partner", 403), ("outsider", 404)])
def test_staff_comment_on_an_issue(client, as_user, issue, who, status):
    as_user(who)
    url = reverse("comments:comment-add", args=["issues.issue", issue.pk])
    response = client.post(url, {"text": "Bay 2 has no sensor mats."})
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(issue.get_absolute_url())
        assert "Bay 2 has no sensor mats." in client.get(issue.get_absolute_url()).text


def test_the_owner_filter_offers_the_owners_of_issues_below(client, as_user, org, lead, member):
    services.issue_raise(by=member, unit=org["ward"], title="Member's", source="other")
    services.issue_raise(by=lead, unit=org["ward"], title="Lead's", source="other")
    as_user("quality_lead")
    url = _url("unit-issues", org["division"].pk)
    page = client.get(url, {"owner": member.pk}).text
    assert "Member&#x27;s" in page and "Lead&#x27;s" not in page


def test_the_issue_page_s_regions_have_names_of_their_own(client, as_user, issue, lead, member):
    """Screen readers list regions by name: two called the same cannot be told apart."""
    services.action_add(by=lead, issue=issue, what="Audit", owner=member, due_on=dt.date.today())
    as_user("lead")
    html = client.get(issue.get_absolute_url()).content.decode()
    headings = dict(re.findall(r'<h2 id="([^"]+)">([^<]+)<', html))
    names = [
        headings.get(ref, ref) for ref in re.findall(r'<section aria-labelledby="([^"]+)"', html)
    ]
    names += re.findall(r'role="region" aria-label="([^"]+)"', html)
    assert len(names) == len(set(names)), names


def test_raising_an_issue_asks_where_it_came_from_instead_of_assuming(client, as_user, org, member):
    as_user("member")
    page = client.get(_url("issue-raise", org["ward"].pk)).text
    assert '<option value="" selected>Choose where it came from</option>' in page
    response = client.post(
        _url("issue-raise", org["ward"].pk), {"title": "Call bells", "owner": member.pk}
    )
    assert response.status_code == 400
    assert "Where it came from" in response.text and "This field is required" in response.text
    assert not Issue.objects.exists()
