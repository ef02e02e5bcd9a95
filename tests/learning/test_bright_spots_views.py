"""Bright spots' pages: the list, a bright spot's page, deciding, the inquiry, the one step
onwards, recording one seen elsewhere; who may and who may not; bad input; bounded queries."""

import pytest
from django.contrib.contenttypes.models import ContentType

from learning.bright_spots_support import *  # noqa: F403
from learning.bright_spots_support import many_spots, short, sustained
from qms.learning.models import BrightSpot, BrightSpotStatus, Network
from qms.learning.services import bright_spots as services

WHO = ["lead", "member", "quality_lead", "partner", "outsider", "admin"]


def _list(unit):
    return f"/learn/bright-spots/unit/{unit.pk}/"


def _detail(spot):
    return f"/learn/bright-spots/{spot.pk}/"


# The list ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, status",
    [
        ("lead", 200),
        ("member", 200),
        ("quality_lead", 200),
        ("admin", 200),
        ("partner", 403),
        ("outsider", 404),
    ],
)
def test_it_shows_the_list_to_the_unit_s_staff_only(client, as_user, org, candidate, who, status):
    as_user(who)
    response = client.get(_list(org["ward"]))
    assert response.status_code == status
    if status == 200:
        assert candidate.measure.name in response.content.decode()


def test_it_filters_the_list_by_status_and_kind(client, as_user, org, candidate):
    as_user("lead")
    assert (
        candidate.measure.name
        in client.get(_list(org["ward"]) + "?status=candidate&kind=sustained").content.decode()
    )
    html = client.get(_list(org["ward"]) + "?status=accepted").content.decode()
    assert "No bright spots match the filters" in html
    html = client.get(_list(org["ward"]) + "?kind=funnel").content.decode()
    assert "No bright spots match the filters" in html


@pytest.mark.parametrize(
    "query", ["?status=x", "?kind=%00", "?page=-1", "?page=NaN", "?page=99999999999999999999"]
)
def test_it_survives_bad_filters(client, as_user, org, candidate, query):
    as_user("lead")
    assert client.get(_list(org["ward"]) + query).status_code == 200


def test_it_does_not_list_another_unit_s_bright_spots(client, as_user, org, quality_lead):
    foreign = sustained(org["elsewhere"], "falls-foreign")
    services.bright_spots_find()
    as_user("quality_lead")
    assert foreign.name not in client.get(_list(org["division"])).content.decode()


@pytest.mark.parametrize("size", [3, 60])
def test_it_lists_bright_spots_in_a_fixed_number_of_queries(
    client, as_user, org, candidate, size, django_assert_max_num_queries
):
    many_spots(candidate.measure, size)
    as_user("quality_lead")
    with django_assert_max_num_queries(14):
        assert client.get(_list(org["division"])).status_code == 200


# A bright spot's page ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, status",
    [
        ("lead", 200),
        ("member", 200),
        ("quality_lead", 200),
        ("admin", 200),
        ("partner", 403),
        ("outsider", 404),
    ],
)
def test_it_shows_a_bright_spot_to_the_unit_s_staff_only(client, as_user, candidate, who, status):
    as_user(who)
    assert client.get(_detail(candidate)).status_code == status


def test_it_answers_404_for_a_bright_spot_that_does_not_exist(client, as_user, org):
    as_user("quality_lead")
    for pk in (999999, 2**62):
        assert client.get(f"/learn/bright-spots/{pk}/").status_code == 404


def test_it_shows_the_finding_the_chart_and_the_decision_form_to_a_decider(
    client, as_user, candidate
):
    as_user("quality_lead")
    html = client.get(_detail(candidate)).content.decode()
    assert "Improvement held since" in html and "Jan 2024" in html
    assert 'id="spot-chart-spec"' in html
    assert "Record the decision" in html


def test_it_shows_no_decision_form_to_a_team_lead(client, as_user, candidate):
    as_user("lead")
    html = client.get(_detail(candidate)).content.decode()
    assert "Record the decision" not in html


# Deciding ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, status",
    [
        ("lead", 403),
        ("member", 403),
        ("partner", 403),
        ("outsider", 404),
        ("quality_lead", 302),
        ("admin", 302),
    ],
)
def test_it_lets_only_quality_leads_accept(client, as_user, candidate, who, status):
    as_user(who)
    response = client.post(
        _detail(candidate) + "decide/", {"decision": "accept", "reason": "Falls halved."}
    )
    assert response.status_code == status
    candidate.refresh_from_db()
    expected = BrightSpotStatus.ACCEPTED if status == 302 else BrightSpotStatus.CANDIDATE
    assert candidate.status == expected


def test_it_dismisses_with_a_reason(client, as_user, candidate, quality_lead):
    as_user("quality_lead")
    client.post(_detail(candidate) + "decide/", {"decision": "dismiss", "reason": "Coding."})
    candidate.refresh_from_db()
    assert candidate.status == BrightSpotStatus.DISMISSED
    assert candidate.decided_by == quality_lead and candidate.decision_reason == "Coding."


@pytest.mark.parametrize(
    "data",
    [
        {"decision": "accept", "reason": ""},
        {"decision": "accept", "reason": "   "},
        {"decision": "promote", "reason": "Why not."},
        {"decision": "accept", "reason": "x" * 100_000},
        {"decision": "accept", "reason": "x" * 10_000_000},
        {"decision": "accept", "reason": "Patient 943 476 5919 did well."},
        {},
    ],
)
def test_it_refuses_bad_decisions_and_changes_nothing(client, as_user, candidate, data):
    as_user("quality_lead")
    response = client.post(_detail(candidate) + "decide/", data)
    # 413: 10 MB is refused before the form sees it (DATA_UPLOAD_MAX_MEMORY_SIZE).
    assert response.status_code in (302, 400, 413)
    candidate.refresh_from_db()
    assert candidate.status == BrightSpotStatus.CANDIDATE


def test_it_refuses_deciding_twice(client, as_user, accepted):
    as_user("quality_lead")
    response = client.post(
        _detail(accepted) + "decide/", {"decision": "dismiss", "reason": "Changed my mind."},
        follow=True,
    )  # fmt: skip
    assert "already accepted" in response.content.decode()
    accepted.refresh_from_db()
    assert accepted.status == BrightSpotStatus.ACCEPTED


def test_it_answers_get_on_a_post_only_action_with_405(client, as_user, candidate):
    as_user("quality_lead")
    assert client.get(_detail(candidate) + "decide/").status_code == 405


# The appreciative inquiry -----------------------------------------------------------------------

INQUIRY = {
    "what_differently": "A safety huddle at every shift change names who is at risk of falling.",
    "what_works": "The charge nurse leads it; physiotherapy joins twice a week.",
    "context": "28 beds, frail older people, stable staffing.",
    "generalisability": "conditional",
    "conditions": "Wards with a stable team and a daily huddle already.",
}


@pytest.mark.parametrize(
    "who, status",
    [("lead", 302), ("quality_lead", 302), ("member", 403), ("partner", 403), ("outsider", 404)],
)
def test_it_lets_the_unit_s_leads_write_the_inquiry(client, as_user, accepted, who, status):
    as_user(who)
    response = client.post(_detail(accepted) + "inquiry/", INQUIRY)
    assert response.status_code == status
    accepted.refresh_from_db()
    assert (accepted.what_differently == INQUIRY["what_differently"]) == (status == 302)


def test_it_refuses_an_inquiry_with_bad_input(client, as_user, accepted):
    as_user("lead")
    for bad in (
        {**INQUIRY, "generalisability": "always"},
        {**INQUIRY, "context": "y" * 6000},
        {**INQUIRY, "what_works": "Seen by Mrs Smith, NHS number 943 476 5919."},
    ):
        assert client.post(_detail(accepted) + "inquiry/", bad).status_code == 400
    accepted.refresh_from_db()
    assert accepted.what_differently == ""


def test_it_has_no_inquiry_for_a_candidate(client, as_user, candidate):
    as_user("quality_lead")
    assert client.post(_detail(candidate) + "inquiry/", INQUIRY).status_code == 302
    candidate.refresh_from_db()
    assert candidate.what_differently == ""


# One step onwards -------------------------------------------------------------------------------


def _with_inquiry(spot, by):
    return services.bright_spot_inquiry_update(by=by, bright_spot=spot, **INQUIRY)


@pytest.mark.parametrize(
    "who, status", [("lead", 403), ("member", 403), ("outsider", 404), ("quality_lead", 302)]
)
def test_it_turns_a_bright_spot_into_a_change_package_once(
    client, as_user, accepted, quality_lead, who, status
):
    _with_inquiry(accepted, quality_lead)
    as_user(who)
    assert client.post(_detail(accepted) + "package/").status_code == status
    accepted.refresh_from_db()
    if status != 302:
        assert accepted.package is None
        return
    package = accepted.package
    assert package.status == "draft"
    assert package.summary == INQUIRY["what_differently"]
    assert "Conditions: Wards with a stable team" in package.evidence
    assert package.project.stage == "spreading" and package.project.unit == accepted.unit
    assert list(package.measures.all()) == [accepted.measure]
    client.post(_detail(accepted) + "package/")
    accepted.refresh_from_db()
    assert accepted.package == package
    assert type(package).objects.count() == 1


def test_it_asks_for_what_the_team_does_differently_before_a_package(client, as_user, accepted):
    as_user("quality_lead")
    response = client.post(_detail(accepted) + "package/", follow=True)
    assert "Write what the team does differently first" in response.content.decode()
    accepted.refresh_from_db()
    assert accepted.package is None


@pytest.mark.parametrize(
    "who, status", [("lead", 403), ("member", 403), ("outsider", 404), ("quality_lead", 302)]
)
def test_it_starts_a_learning_network_on_a_bright_spot_once(client, as_user, accepted, who, status):
    as_user(who)
    assert client.post(_detail(accepted) + "network/").status_code == status
    if status != 302:
        assert not Network.objects.exists()
        return
    client.post(_detail(accepted) + "network/")
    network = Network.objects.get()
    assert network.unit == accepted.unit
    assert list(network.measures.all()) == [accepted.measure]
    assert [team.unit for team in network.teams.all()] == [accepted.unit]
    assert "Learning from Ward 7" in network.topic


def test_it_takes_no_candidate_onwards(client, as_user, candidate):
    as_user("quality_lead")
    client.post(_detail(candidate) + "network/")
    client.post(_detail(candidate) + "package/")
    assert not Network.objects.exists()
    candidate.refresh_from_db()
    assert candidate.package is None


# Recording one seen elsewhere -------------------------------------------------------------------


def _new(measure, kind="sustained"):
    return f"/learn/bright-spots/new/?measure={measure.pk}&kind={kind}"


@pytest.mark.parametrize(
    "who, status",
    [("lead", 403), ("member", 403), ("partner", 403), ("outsider", 404), ("quality_lead", 302)],
)
def test_it_records_a_bright_spot_checked_against_the_data(
    client, as_user, org, quality_lead, who, status
):
    measure = sustained(org["ward"])
    as_user(who)
    response = client.post(_new(measure), {"reason": "Seen on the chart."})
    assert response.status_code == status
    spots = BrightSpot.objects.filter(measure=measure)
    if status == 302:
        assert [s.status for s in spots] == [BrightSpotStatus.ACCEPTED]
        assert spots[0].decided_by == quality_lead
    else:
        assert not spots.exists()


def test_it_accepts_the_open_candidate_when_recording_the_same(client, as_user, candidate):
    as_user("quality_lead")
    client.post(_new(candidate.measure), {"reason": "Seen on the chart."})
    assert list(BrightSpot.objects.values_list("pk", "status")) == [
        (candidate.pk, BrightSpotStatus.ACCEPTED)
    ]


def test_it_refuses_to_record_what_the_data_do_not_show(client, as_user, org, quality_lead):
    measure = short(org["ward"])
    as_user("quality_lead")
    page = client.get(_new(measure))
    assert "The stored data do not show this now" in page.content.decode()
    assert client.post(_new(measure), {"reason": "I think so."}).status_code == 400
    assert not BrightSpot.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?measure=abc&kind=sustained",
        "?measure=-1&kind=sustained",
        "?measure=99999999999999999999999&kind=sustained",
        "?measure=999999&kind=sustained",
    ],
)
def test_it_answers_404_for_a_bad_measure(client, as_user, org, quality_lead, query):
    as_user("quality_lead")
    assert client.get("/learn/bright-spots/new/" + query).status_code == 404


def test_it_answers_404_for_another_unit_s_measure_or_a_bad_kind(
    client, as_user, org, quality_lead
):
    foreign = sustained(org["elsewhere"], "falls-foreign")
    as_user("quality_lead")
    assert client.get(_new(foreign)).status_code == 404
    mine = sustained(org["ward"], "falls-mine")
    assert client.get(_new(mine, "magic")).status_code == 404


# Looking now, and home --------------------------------------------------------------------------


@pytest.mark.parametrize("who, status", [("lead", 403), ("outsider", 404), ("quality_lead", 302)])
def test_it_lets_quality_leads_look_for_bright_spots_now(client, as_user, org, who, status):
    sustained(org["ward"])
    as_user(who)
    assert client.post(_list(org["ward"]) + "find/").status_code == status
    assert BrightSpot.objects.exists() == (status == 302)


def test_it_shows_candidates_waiting_on_home_and_learn_home(client, as_user, candidate):
    as_user("quality_lead")
    assert candidate.measure.name in client.get("/").content.decode()
    html = client.get("/learn/").content.decode()
    assert "Candidates waiting for your decision (1)" in html
    as_user("lead")
    assert "Bright spots to decide" not in client.get("/").content.decode()


def test_it_shows_the_discussion_and_history_of_a_bright_spot(client, as_user, accepted):
    as_user("member")
    html = client.get(_detail(accepted)).content.decode()
    assert "Discussion" in html and "Falls halved." in html
    assert ContentType.objects.get_for_model(BrightSpot)
