"""Priorities' pages: the ranked list, proposing (pre-filled from other parts), the priority
page, scoring, deciding, the weights; who may and who may not; bad input."""

import pytest
from helpers import make_measure

from planning.priorities_support import *  # noqa: F403
from planning.priorities_support import propose, scores
from qms.planning import services
from qms.planning.models import Priority, PriorityStatus, ScoringWeights


def _detail(priority):
    return f"/plan/priorities/{priority.pk}/"


# The ranked list --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, status",
    [("lead", 200), ("member", 200), ("quality_lead", 200), ("partner", 403), ("outsider", 404)],
)
def test_it_shows_the_ranked_list_to_the_unit_s_staff_only(client, as_user, org, who, status):
    as_user(who)
    assert client.get(f"/plan/units/{org['ward'].pk}/priorities/").status_code == status


def test_it_hides_the_unit_s_list_from_a_partner_on_one_priority(
    client, priority, working_partner, org
):
    client.force_login(working_partner)
    assert client.get(f"/plan/units/{org['ward'].pk}/priorities/").status_code == 404


def test_it_ranks_scored_priorities_first_and_draws_the_chart(client, as_user, org, member, lead):
    low = propose(member, org["ward"], "Low one")
    high = propose(member, org["ward"], "High one")
    propose(member, org["ward"], "Unscored one")
    services.priority_score(by=lead, priority=low, **scores(2))
    services.priority_score(by=lead, priority=high, **scores(5))
    as_user("lead")
    html = client.get(f"/plan/units/{org['ward'].pk}/priorities/").content.decode()
    assert html.index("High one") < html.index("Low one") < html.index("Unscored one")
    assert 'id="priority-chart-spec"' in html
    assert "Quick wins" in html


@pytest.mark.parametrize(
    "query",
    [
        "?status=nonsense",
        "?unit=abc",
        "?unit=99999999999999999999",
        "?sort=%00",
        "?page=-1",
        "?page=NaN",
        "?origin=x&sort=-owner",
    ],
)
def test_it_survives_bad_filters(client, as_user, org, priority, query):
    as_user("lead")
    assert client.get(f"/plan/units/{org['ward'].pk}/priorities/{query}").status_code == 200


def test_it_does_not_list_another_unit_s_priorities_when_its_id_is_the_filter(
    client, as_user, org, lead
):
    foreign = propose(None, org["elsewhere"], "Foreign secret")
    as_user("lead")
    html = client.get(
        f"/plan/units/{org['ward'].pk}/priorities/?unit={org['elsewhere'].pk}"
    ).content.decode()
    assert "Foreign secret" not in html
    assert foreign.pk


@pytest.mark.parametrize("size", [3, 30])
def test_it_lists_priorities_in_a_fixed_number_of_queries(
    client, as_user, org, member, lead, size, django_assert_max_num_queries
):
    for n in range(size):
        p = propose(None, org["ward"], f"P{n}")
        services.priority_score(by=None, priority=p, **scores(1 + n % 5))
    as_user("lead")
    with django_assert_max_num_queries(14):
        assert client.get(f"/plan/units/{org['ward'].pk}/priorities/").status_code == 200


# Proposing --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, status", [("member", 200), ("lead", 200), ("partner", 403), ("outsider", 404)]
)
def test_it_lets_staff_open_the_proposal_form(client, as_user, org, who, status):
    as_user(who)
    assert client.get(f"/plan/units/{org['ward'].pk}/priorities/new/").status_code == status


def test_it_proposes_a_priority_and_opens_its_page(client, as_user, org):
    as_user("member")
    response = client.post(
        f"/plan/units/{org['ward'].pk}/priorities/new/",
        {"title": "Night falls", "problem": "More falls at night.", "origin": "strategy"},
    )
    priority = Priority.objects.get()
    assert response.status_code == 302 and response["Location"] == _detail(priority)
    assert client.get(_detail(priority)).status_code == 200


def test_it_pre_fills_from_a_gap_and_links_its_measure(client, as_user, org):
    measure = make_measure(org["ward"], "falls", target=3.0)
    as_user("member")
    url = f"/plan/units/{org['ward'].pk}/priorities/new/?origin=gap&measure={measure.pk}"
    html = client.get(url).content.decode()
    assert "against target 3" in html and "Falls falls" in html
    client.post(
        url, {"title": "Close the falls gap", "problem": "Current performance against target 3"}
    )
    priority = Priority.objects.get()
    assert priority.origin == "gap" and list(priority.measures.all()) == [measure]


@pytest.mark.parametrize(
    "query",
    [
        "?origin=gap&measure=abc",
        "?origin=gap&measure=99999999999999999999999",
        "?origin=need&need=-1",
        "?origin=aim&aim=0",
        "?origin=factor&domain=1e9",
        "?origin=bogus",
    ],
)
def test_it_starts_empty_when_the_query_names_nothing(client, as_user, org, query):
    as_user("member")
    response = client.get(f"/plan/units/{org['ward'].pk}/priorities/new/{query}")
    assert response.status_code == 200
    assert "It comes from" not in response.content.decode()


def test_it_does_not_pre_fill_from_another_board_s_measure(client, as_user, org):
    foreign = make_measure(org["elsewhere"], "foreign", name="Secret foreign measure")
    as_user("member")
    url = f"/plan/units/{org['ward'].pk}/priorities/new/?origin=gap&measure={foreign.pk}"
    html = client.get(url).content.decode()
    assert "Secret foreign measure" not in html
    client.post(url, {"title": "T", "problem": "P", "origin": "gap"})
    assert not Priority.objects.filter(measures=foreign).exists()


def test_it_shows_a_service_refusal_on_the_form(client, as_user, org, outsider):
    as_user("member")
    response = client.post(
        f"/plan/units/{org['ward'].pk}/priorities/new/",
        {"title": "T", "problem": "P", "origin": "strategy", "owner": "outsider"},
    )
    assert response.status_code == 400
    assert not Priority.objects.exists()


def test_it_refuses_a_post_without_csrf(org, member):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post(
        f"/plan/units/{org['ward'].pk}/priorities/new/",
        {"title": "T", "problem": "P", "origin": "other"},
    )
    assert response.status_code == 403
    assert not Priority.objects.exists()


# The priority page ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, status",
    [("member", 200), ("lead", 200), ("quality_lead", 200), ("partner", 403), ("outsider", 404)],
)
def test_it_shows_the_priority_to_the_unit_s_staff(client, as_user, priority, who, status):
    as_user(who)
    assert client.get(_detail(priority)).status_code == status


def test_it_shows_the_priority_to_a_partner_on_its_working_group(client, priority, working_partner):
    client.force_login(working_partner)
    html = client.get(_detail(priority)).content.decode()
    assert priority.title in html
    assert "Score it" in html
    assert "Record the decision" not in html


@pytest.mark.parametrize("bad", ["999999", "0"])
def test_it_answers_404_for_unknown_priorities(client, as_user, org, bad):
    as_user("lead")
    assert client.get(f"/plan/priorities/{bad}/").status_code == 404


def test_it_shows_the_scores_with_the_weights_and_the_rank(client, as_user, priority, lead):
    services.priority_score(by=lead, priority=priority, **scores(4))
    as_user("member")
    html = client.get(_detail(priority)).content.decode()
    assert "Score <strong>16.0</strong>" in html
    assert "ranked 1 of 1" in html


# Scoring ----------------------------------------------------------------------------------------


def test_it_lets_a_partner_on_the_priority_score_through_the_page(
    client, priority, working_partner
):
    client.force_login(working_partner)
    url = f"/plan/priorities/{priority.pk}/scores/"
    assert client.get(url).status_code == 200
    response = client.post(url, {**{k: "" for k in scores()}, "equity": "5"})
    assert response.status_code == 302
    priority.refresh_from_db()
    assert priority.equity == 5


@pytest.mark.parametrize("who, status", [("member", 403), ("partner", 403), ("outsider", 404)])
def test_it_refuses_the_score_page_to_those_who_do_not_score(
    client, as_user, priority, who, status
):
    as_user(who)
    assert client.get(f"/plan/priorities/{priority.pk}/scores/").status_code == status
    assert (
        client.post(f"/plan/priorities/{priority.pk}/scores/", {"equity": "5"}).status_code
        == status
    )
    priority.refresh_from_db()
    assert priority.equity is None


@pytest.mark.parametrize("value", ["0", "6", "x", "NaN", "3.5", "-1"])
def test_it_refuses_bad_scores_on_the_page(client, as_user, priority, value):
    as_user("lead")
    response = client.post(
        f"/plan/priorities/{priority.pk}/scores/", {"severity": value, "equity": "4"}
    )
    assert response.status_code == 400
    priority.refresh_from_db()
    assert priority.severity is None and priority.equity is None


# Deciding ---------------------------------------------------------------------------------------


def test_it_lets_a_lead_decide_with_a_reason(client, as_user, priority):
    as_user("lead")
    response = client.post(
        f"/plan/priorities/{priority.pk}/decide/",
        {"status": "approved", "reason": "Top of the list"},
    )
    assert response.status_code == 302
    priority.refresh_from_db()
    assert priority.status == PriorityStatus.APPROVED
    html = client.get(_detail(priority)).content.decode()
    assert "Top of the list" in html


def test_it_refuses_a_decision_without_a_reason_on_the_page(client, as_user, priority):
    as_user("lead")
    client.post(f"/plan/priorities/{priority.pk}/decide/", {"status": "approved", "reason": ""})
    priority.refresh_from_db()
    assert priority.status == PriorityStatus.CANDIDATE


@pytest.mark.parametrize("who, status", [("member", 403), ("partner", 403), ("outsider", 404)])
def test_it_refuses_decisions_from_those_who_do_not_decide(client, as_user, priority, who, status):
    as_user(who)
    response = client.post(
        f"/plan/priorities/{priority.pk}/decide/", {"status": "approved", "reason": "Yes"}
    )
    assert response.status_code == status
    priority.refresh_from_db()
    assert priority.status == PriorityStatus.CANDIDATE


def test_it_refuses_a_decision_from_a_partner_on_the_working_group(
    client, priority, working_partner
):
    client.force_login(working_partner)
    response = client.post(
        f"/plan/priorities/{priority.pk}/decide/", {"status": "approved", "reason": "Yes"}
    )
    assert response.status_code == 403


# Weights ----------------------------------------------------------------------------------------


def test_it_lets_a_quality_lead_set_weights_on_the_page(client, as_user, org):
    as_user("quality_lead")
    url = f"/plan/units/{org['division'].pk}/priorities/weights/"
    data = {
        "people_affected": "1",
        "severity": "3",
        "equity": "2",
        "strategic_fit": "1",
        "effort": "1",
        "cost": "1",
        "readiness": "1",
    }
    assert client.post(url, data).status_code == 302
    assert ScoringWeights.objects.get(unit=org["division"]).severity == 3


@pytest.mark.parametrize(
    "change",
    [
        {"severity": "NaN"},
        {"severity": "inf"},
        {"severity": "-1"},
        {"severity": "x"},
        {"severity": "1000"},
        {"people_affected": "0", "severity": "0", "equity": "0", "strategic_fit": "0"},
    ],
)
def test_it_refuses_bad_weights_on_the_page(client, as_user, org, change):
    as_user("quality_lead")
    data = {name: "1" for name in scores()} | change
    response = client.post(f"/plan/units/{org['division'].pk}/priorities/weights/", data)
    assert response.status_code == 400
    assert not ScoringWeights.objects.exists()


@pytest.mark.parametrize("who, status", [("lead", 403), ("member", 403), ("outsider", 404)])
def test_it_refuses_weights_from_others(client, as_user, org, who, status):
    as_user(who)
    data = {name: "1" for name in scores()}
    assert (
        client.post(f"/plan/units/{org['ward'].pk}/priorities/weights/", data).status_code == status
    )
    assert not ScoringWeights.objects.exists()


def test_it_builds_a_chart_vega_lite_draws_with_labels_and_links(org, member, lead):
    from qms.planning import selectors
    from qms.stats.vega import to_svg

    for n, value in enumerate([5, 2, 4]):
        p = propose(member, org["ward"], f"Priority {n}")
        services.priority_score(by=lead, priority=p, **scores(value, effort=6 - value))
    rows = selectors.ranked_priorities(lead, org["ward"]).rows
    spec = selectors.priority_chart_spec(rows)
    svg = to_svg(spec)
    assert "Quick wins" in svg and "Thankless tasks" in svg and "Priority 0" in svg
    assert {v["url"] for v in spec["data"]["values"]} == {
        r.priority.get_absolute_url() for r in rows
    }


def test_it_draws_no_chart_when_nothing_is_fully_scored(org, member, lead):
    from qms.planning import selectors

    propose(member, org["ward"])
    assert (
        selectors.priority_chart_spec(selectors.ranked_priorities(lead, org["ward"]).rows) is None
    )
