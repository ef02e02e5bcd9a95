"""Learning networks' pages: who reads a network and who runs it, the list, members, teams,
shared measures (seen by members who do not see their unit), events, packages, bad input."""

import datetime as dt

import pytest
from django.urls import reverse
from helpers import make_measure, make_person, record

from learning.networks_support import *  # noqa: F403
from qms.learning.models import Network, NetworkEvent, NetworkStatus, NetworkTeam
from qms.learning.services import networks as services
from qms.people.models import ObjectGrant
from qms.people.roles import Role

pytestmark = pytest.mark.django_db


def _url(name, *args):
    return reverse(f"learning:{name}", args=args)


# Reading -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, status",
    [
        ("lead", 200),  # hosts it
        ("quality_lead", 200),  # a lead of the division above the host unit
        ("member", 200),  # staff of the host unit
        ("surgeon", 200),  # staff of a member team
        ("visitor", 200),  # a partner given a role on the network
        ("partner", 404),  # a partner of the host unit: not given a role on the network
        ("neighbour", 404),  # staff of a unit not taking part
        ("outsider", 404),
        ("admin", 200),
    ],
)
def test_it_shows_the_network_to_those_who_read_it_only(client, as_user, network, who, status):
    if who == "visitor":
        client.force_login(_visitor(network))
    else:
        as_user(who)
    assert client.get(_url("network-detail", network.pk)).status_code == status


def _visitor(network):
    person = make_person("visitor2", professional_group="public")
    services.network_member_add(by=None, network=network, person=person, role=Role.PARTNER)
    return person


def test_it_asks_anonymous_people_to_log_in(client, network):
    response = client.get(_url("network-detail", network.pk))
    assert response.status_code == 302 and "login" in response.url


def test_it_answers_404_for_a_network_that_does_not_exist(client, lead):
    client.force_login(lead)
    assert client.get(_url("network-detail", 999999)).status_code == 404
    assert client.get("/learn/networks/99999999999999999999999/").status_code == 404


@pytest.mark.parametrize(
    "who, sees",
    [("lead", True), ("surgeon", True), ("neighbour", False), ("partner", False)],
)
def test_it_lists_the_networks_a_person_reads(client, as_user, network, who, sees):
    as_user(who)
    response = client.get(_url("network-list"))
    assert response.status_code == 200
    assert ("Falls prevention" in response.text) is sees


def test_it_lists_a_network_given_to_a_partner_and_no_other(client, org, lead, network, visitor):
    services.network_create(by=lead, unit=org["ward"], name="Discharge", topic="Earlier.")
    client.force_login(visitor)
    response = client.get(_url("network-list"))
    assert "Falls prevention" in response.text and "Discharge" not in response.text


def test_it_filters_the_list_and_survives_odd_filters(client, org, lead, network):
    services.network_create(by=lead, unit=org["ward"], name="Discharge", topic="Earlier.")
    client.force_login(lead)
    response = client.get(_url("network-list"), {"text": "disch"})
    assert "Discharge" in response.text and "Falls prevention" not in response.text
    for query in ({"status": "nonsense"}, {"page": "x"}, {"page": "99999"}, {"text": "x" * 500}):
        assert client.get(_url("network-list"), query).status_code in (200, 400)


# Starting and running a network -------------------------------------------------------------------


def test_it_starts_a_network_in_a_unit_the_person_leads(client, org, lead):
    client.force_login(lead)
    assert client.get(_url("network-create")).status_code == 200
    response = client.post(
        _url("network-create"),
        {"unit": org["ward"].pk, "name": "Deteriorating patient", "topic": "NEWS2 on time."},
    )
    network = Network.objects.get(name="Deteriorating patient")
    assert response.status_code == 302 and response.url == network.get_absolute_url()
    assert list(network.teams.values_list("unit", flat=True)) == [org["ward"].pk]
    assert network.created_by == lead


@pytest.mark.parametrize("who", ["member", "partner", "surgeon"])
def test_it_refuses_starting_a_network_to_those_who_lead_nowhere(client, as_user, org, who):
    as_user(who)
    assert client.get(_url("network-create")).status_code == 403
    response = client.post(
        _url("network-create"), {"unit": org["ward"].pk, "name": "N", "topic": "T"}
    )
    assert response.status_code == 403
    assert not Network.objects.exists()


def test_it_refuses_a_host_unit_the_person_does_not_lead(client, org, lead):
    client.force_login(lead)
    response = client.post(
        _url("network-create"), {"unit": org["elsewhere"].pk, "name": "N", "topic": "T"}
    )
    assert response.status_code == 400 and "Host unit" in response.text
    assert not Network.objects.exists()


@pytest.mark.parametrize(
    "data, field",
    [
        ({"name": "", "topic": "T"}, "Name"),
        ({"name": "N", "topic": ""}, "Topic"),
        ({"name": "N" * 201, "topic": "T"}, "Name"),
        ({"name": "N", "topic": "x" * 6000}, "Topic"),
        ({"name": "N\x00", "topic": "T"}, "Name"),
        ({"name": "Mrs Smith", "topic": "NHS number 943 476 5919"}, "Topic"),
    ],
)
def test_it_names_the_field_of_bad_input_and_saves_nothing(client, org, lead, data, field):
    client.force_login(lead)
    response = client.post(_url("network-create"), {"unit": org["ward"].pk, **data})
    assert response.status_code == 400 and field in response.text
    assert not Network.objects.exists()


@pytest.mark.parametrize("who, status", [("member", 403), ("surgeon", 403), ("outsider", 404)])
def test_it_lets_only_hosts_change_a_network(client, as_user, network, who, status):
    as_user(who)
    url = _url("network-edit", network.pk)
    assert client.get(url).status_code == status
    assert client.post(url, {"name": "Taken", "topic": "T"}).status_code == status
    network.refresh_from_db()
    assert network.name == "Falls prevention"


def test_a_host_changes_closes_and_reopens_the_network(client, lead, network):
    client.force_login(lead)
    response = client.post(_url("network-edit", network.pk), {"name": "Falls", "topic": "New"})
    assert response.status_code == 302
    client.post(_url("network-status", network.pk), {"status": "closed", "reason": "Done"})
    network.refresh_from_db()
    assert (network.name, network.status) == ("Falls", NetworkStatus.CLOSED)
    page = client.get(_url("network-detail", network.pk))
    assert "Closed network" in page.text and "Reopen the network" in page.text
    client.post(_url("network-status", network.pk), {"status": "active"})
    network.refresh_from_db()
    assert network.status == NetworkStatus.ACTIVE
    history = client.get(_url("network-detail", network.pk)).text
    assert "Closed: Done" in history and "Reopened" in history


# Members ------------------------------------------------------------------------------------------


def test_a_host_adds_a_partner_who_then_reads_the_network_only(client, org, lead, network):
    person = make_person("newpartner", professional_group="public")
    client.force_login(lead)
    response = client.post(
        _url("network-member-add", network.pk), {"person": "newpartner", "role": "partner"}
    )
    assert response.status_code == 302
    grant = ObjectGrant.objects.get(person=person)
    assert grant.role == Role.PARTNER and grant.subject == network
    client.force_login(person)
    assert client.get(_url("network-detail", network.pk)).status_code == 200
    # ... and nothing of the host unit
    assert client.get(reverse("people:unit-detail", args=[org["ward"].pk])).status_code == 404


@pytest.mark.parametrize("who, status", [("member", 403), ("surgeon", 403), ("neighbour", 404)])
def test_it_lets_only_hosts_add_members(client, as_user, network, who, status):
    make_person("newpartner")
    as_user(who)
    response = client.post(
        _url("network-member-add", network.pk), {"person": "newpartner", "role": "partner"}
    )
    assert response.status_code == status
    assert not ObjectGrant.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"person": "nobody", "role": "partner"},
        {"person": "", "role": "partner"},
        {"person": "member", "role": "system_administrator"},
        {"person": "member", "role": "quality_lead"},
    ],
)
def test_it_refuses_unknown_people_and_roles(client, lead, member, network, data):
    client.force_login(lead)
    response = client.post(_url("network-member-add", network.pk), data, follow=True)
    assert "No one was added" in response.text
    assert not ObjectGrant.objects.exists()


def test_it_refuses_the_same_role_twice(client, lead, network, visitor):
    client.force_login(lead)
    response = client.post(
        _url("network-member-add", network.pk),
        {"person": "visitor", "role": "partner"},
        follow=True,
    )
    assert "already holds" in response.text
    assert ObjectGrant.objects.count() == 1


def test_a_host_removes_a_member_and_a_member_may_leave(client, lead, network, visitor):
    grant = ObjectGrant.objects.get(person=visitor)
    client.force_login(visitor)
    other = make_person("other", professional_group="public")
    services.network_member_add(by=lead, network=network, person=other, role=Role.PARTNER)
    other_grant = ObjectGrant.objects.get(person=other)
    # a member removes no one else
    url = _url("network-member-remove", network.pk, other_grant.pk)
    assert client.post(url).status_code == 403
    # ... but leaves
    response = client.post(_url("network-member-remove", network.pk, grant.pk))
    assert response.status_code == 302 and response.url == _url("network-list")
    assert client.get(_url("network-detail", network.pk)).status_code == 404
    client.force_login(lead)
    client.post(url, {"reason": "Moved on"})
    assert not ObjectGrant.objects.exists()


def test_it_answers_404_for_a_grant_of_another_record(client, org, lead, network, visitor):
    other = services.network_create(by=lead, unit=org["ward"], name="Other", topic="T")
    grant = ObjectGrant.objects.get(person=visitor)
    client.force_login(lead)
    assert client.post(_url("network-member-remove", other.pk, grant.pk)).status_code == 404


# Teams --------------------------------------------------------------------------------------------


def test_a_host_finds_and_adds_any_unit_of_the_organisation(client, org, lead, network):
    client.force_login(lead)
    page = client.get(_url("network-teams", network.pk), {"text": "ward 8"})
    assert "Ward 8" in page.text and "Other Board" not in page.text
    client.post(_url("network-teams", network.pk), {"unit": org["other_ward"].pk})
    assert network.teams.filter(unit=org["other_ward"]).exists()


def test_it_refuses_a_unit_of_another_organisation(client, org, lead, network):
    client.force_login(lead)
    response = client.post(
        _url("network-teams", network.pk), {"unit": org["elsewhere"].pk}, follow=True
    )
    assert "Choose a unit from the list" in response.text
    assert not network.teams.filter(unit=org["elsewhere"]).exists()


@pytest.mark.parametrize("value", ["", "abc", "-1", "99999999999999999999999", "999999"])
def test_it_refuses_odd_unit_ids(client, lead, network, value):
    client.force_login(lead)
    response = client.post(_url("network-teams", network.pk), {"unit": value}, follow=True)
    assert response.status_code == 200
    assert network.teams.count() == 2


def test_a_units_lead_joins_their_own_unit_only(client, org, network):
    ward8_lead = make_person("ward8lead", (Role.TEAM_LEAD, org["other_ward"]))
    client.force_login(ward8_lead)
    # not a reader yet: the network is not theirs to see
    assert client.get(_url("network-detail", network.pk)).status_code == 404
    assert client.get(_url("network-teams", network.pk)).status_code == 404
    services.network_member_add(by=None, network=network, person=ward8_lead, role="team_member")
    page = client.get(_url("network-teams", network.pk))
    assert "Ward 8" in page.text and "Ward 7" not in page.text
    client.post(_url("network-teams", network.pk), {"unit": org["service"].pk})
    assert not network.teams.filter(unit=org["service"]).exists()
    client.post(_url("network-teams", network.pk), {"unit": org["other_ward"].pk})
    assert network.teams.filter(unit=org["other_ward"]).exists()


def test_staff_of_a_member_team_may_not_add_teams(client, org, surgeon, network):
    client.force_login(surgeon)
    assert client.get(_url("network-teams", network.pk)).status_code == 403
    client.post(_url("network-teams", network.pk), {"unit": org["other_ward"].pk})
    assert network.teams.count() == 2


def test_a_team_leaving_takes_its_shared_measures_with_it(client, org, lead, network):
    measure = make_measure(org["other_service"], "surgery-falls")
    services.network_measure_add(by=lead, network=network, measure=measure)
    team = network.teams.get(unit=org["other_service"])
    client.force_login(lead)
    client.post(_url("network-team-remove", network.pk, team.pk))
    assert not network.teams.filter(unit=org["other_service"]).exists()
    assert not network.measures.exists()
    host_team = network.teams.get(unit=org["ward"])
    response = client.post(_url("network-team-remove", network.pk, host_team.pk), follow=True)
    assert "host unit takes part" in response.text
    assert NetworkTeam.objects.filter(pk=host_team.pk).exists()


def test_staff_of_a_team_may_not_take_it_out(client, org, surgeon, network):
    team = network.teams.get(unit=org["other_service"])
    client.force_login(surgeon)
    assert client.post(_url("network-team-remove", network.pk, team.pk)).status_code == 403
    assert NetworkTeam.objects.filter(pk=team.pk).exists()


# Shared measures ----------------------------------------------------------------------------------


def test_members_see_shared_measures_of_units_they_cannot_see(client, org, lead, network, visitor):
    measure = make_measure(org["other_service"], "surgery-falls", name="Falls in Surgery")
    record(measure, [5, 6, 4, 5, 6, 5, 4, 5, 6, 5, 4, 5])
    client.force_login(lead)
    client.post(_url("network-measures", network.pk), {"measure": measure.pk})
    assert network.measures.filter(pk=measure.pk).exists()
    client.force_login(visitor)
    page = client.get(_url("network-detail", network.pk))
    assert "Falls in Surgery" in page.text and 'id="network-chart-' in page.text
    assert measure.get_absolute_url() not in page.text  # no link into quality control
    assert client.get(measure.get_absolute_url()).status_code == 404


def test_it_offers_only_measures_of_member_teams(client, org, lead, network):
    make_measure(org["other_service"], "surgery-falls", name="Falls in Surgery")
    make_measure(org["other_ward"], "ward8-falls", name="Falls on Ward 8")
    client.force_login(lead)
    page = client.get(_url("network-measures", network.pk))
    assert "Falls in Surgery" in page.text and "Falls on Ward 8" not in page.text


def test_it_refuses_a_measure_of_a_unit_not_taking_part(client, org, lead, network):
    measure = make_measure(org["other_ward"], "ward8-falls")
    client.force_login(lead)
    response = client.post(
        _url("network-measures", network.pk), {"measure": measure.pk}, follow=True
    )
    assert "not a measure of a member team" in response.text
    assert not network.measures.exists()


@pytest.mark.parametrize("value", ["", "abc", "99999999999999999999999", "999999"])
def test_it_answers_404_for_odd_measure_ids(client, lead, network, value):
    client.force_login(lead)
    response = client.post(_url("network-measures", network.pk), {"measure": value})
    assert response.status_code == 404


@pytest.mark.parametrize("who, status", [("member", 403), ("surgeon", 403), ("outsider", 404)])
def test_it_lets_only_hosts_share_measures(client, as_user, org, network, who, status):
    measure = make_measure(org["other_service"], "surgery-falls")
    as_user(who)
    assert client.get(_url("network-measures", network.pk)).status_code == status
    response = client.post(_url("network-measures", network.pk), {"measure": measure.pk})
    assert response.status_code == status
    assert not network.measures.exists()


def test_a_host_stops_sharing_a_measure(client, org, lead, network):
    measure = make_measure(org["ward"], "ward-falls")
    services.network_measure_add(by=lead, network=network, measure=measure)
    client.force_login(lead)
    client.post(_url("network-measure-remove", network.pk, measure.pk))
    assert not network.measures.exists()
    other = make_measure(org["ward"], "ward-falls-2")
    assert client.post(_url("network-measure-remove", network.pk, other.pk)).status_code == 404


def test_it_reads_the_network_page_in_the_same_queries_whatever_its_size(
    client, org, lead, network, django_assert_max_num_queries
):
    def grow(start, count):
        for n in range(start, start + count):
            unit = org["ward"] if n % 2 else org["other_service"]
            measure = make_measure(unit, f"m{n}")
            record(measure, [5, 6, 4, 5, 6, 5, 4, 5, 6, 5, 4, 5])
            services.network_measure_add(by=lead, network=network, measure=measure)
            person = make_person(f"p{n}", professional_group="public")
            services.network_member_add(by=lead, network=network, person=person, role="partner")
            services.event_create(
                by=lead,
                network=network,
                title=f"Event {n}",
                starts_at=dt.datetime(2030 if n % 2 else 2020, 1, 1 + n, tzinfo=dt.UTC),
            )

    grow(0, 2)
    client.force_login(lead)
    url = _url("network-detail", network.pk)
    client.get(url)
    with django_assert_max_num_queries(60) as small:
        client.get(url)
    grow(2, 12)
    client.get(url)  # the new charts built once, as the first view did for the first ones
    # The connection keeps its last 9,000 queries only: count by position, not by the list.
    with django_assert_max_num_queries(small.final_queries - small.initial_queries):
        response = client.get(url)
    assert len(response.context["page"].measures) == 14
    assert response.text.count('class="study-chart"') == 14


# Events -------------------------------------------------------------------------------------------


def test_a_host_plans_an_event_and_writes_notes_afterwards(client, lead, network):
    client.force_login(lead)
    response = client.post(
        _url("network-event-create", network.pk),
        {"title": "Learning session", "starts_at": "2030-03-04T14:00", "place": "Room 2"},
    )
    assert response.status_code == 302
    event = NetworkEvent.objects.get()
    page = client.get(_url("network-detail", network.pk)).text
    assert "Learning session" in page and page.index("Upcoming") < page.index("Learning session")
    client.post(
        _url("network-event-edit", network.pk, event.pk),
        {"title": "Learning session", "starts_at": "2020-03-04T14:00", "notes": "Huddles help."},
    )
    page = client.get(_url("network-detail", network.pk)).text
    assert "Huddles help." in page and page.index("Past") < page.index("Learning session")


@pytest.mark.parametrize(
    "data, field",
    [
        ({"title": "", "starts_at": "2030-03-04T14:00"}, "Title"),
        ({"title": "T", "starts_at": "tomorrow"}, "When"),
        ({"title": "T", "starts_at": "9999-12-31T23:59"}, "When"),
        ({"title": "T", "starts_at": "0001-01-01T00:00"}, "When"),
        ({"title": "T", "starts_at": "2030-03-04T14:00", "place": "p" * 201}, "Where"),
    ],
)
def test_it_refuses_a_bad_event(client, lead, network, data, field):
    client.force_login(lead)
    response = client.post(_url("network-event-create", network.pk), data)
    assert response.status_code == 400 and field in response.text
    assert not NetworkEvent.objects.exists()


@pytest.mark.parametrize("who, status", [("member", 403), ("visitor", 403), ("outsider", 404)])
def test_it_lets_only_hosts_plan_events(client, as_user, network, who, status, request):
    if who == "visitor":
        client.force_login(request.getfixturevalue("visitor"))
    else:
        as_user(who)
    data = {"title": "T", "starts_at": "2030-03-04T14:00"}
    assert client.post(_url("network-event-create", network.pk), data).status_code == status
    assert not NetworkEvent.objects.exists()


def test_an_event_of_another_network_is_404(client, org, lead, network):
    other = services.network_create(by=lead, unit=org["ward"], name="Other", topic="T")
    event = services.event_create(
        by=lead, network=other, title="T", starts_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    )
    client.force_login(lead)
    assert client.get(_url("network-event-edit", network.pk, event.pk)).status_code == 404
    assert client.post(_url("network-event-delete", network.pk, event.pk)).status_code == 404
    client.post(_url("network-event-delete", other.pk, event.pk))
    assert not NetworkEvent.objects.exists()


# Discussion ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, allowed",
    [("surgeon", True), ("member", True), ("visitor", True), ("neighbour", False)],
)
def test_readers_take_part_in_the_discussion(client, as_user, network, who, allowed, request):
    if who == "visitor":
        client.force_login(request.getfixturevalue("visitor"))
    else:
        as_user(who)
    url = reverse("comments:comment-add", args=["learning.network", network.pk])
    response = client.post(url, {"text": "We tried bed alarms."})
    assert response.status_code == (302 if allowed else 404)
    from qms.comments.models import Comment

    assert Comment.objects.filter(text="We tried bed alarms.").exists() is allowed


# Home ---------------------------------------------------------------------------------------------


def test_a_partners_home_lists_their_network(client, lead, network, visitor):
    services.event_create(
        by=lead,
        network=network,
        title="Next meeting",
        starts_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=3),
    )
    client.force_login(visitor)
    home = client.get("/").text
    assert "Your learning networks" in home and "Falls prevention" in home
    assert "Next meeting" in home
    learn = client.get(reverse("learning:home")).text
    assert "Falls prevention" in learn


def test_home_has_no_networks_card_for_someone_without_networks(client, neighbour, network):
    client.force_login(neighbour)
    assert "Your learning networks" not in client.get("/").text


# The funnel plot when comparable ------------------------------------------------------------------


def _recent(count):
    """The first day of the month `count` months before the current one."""
    today = dt.date.today().replace(day=1)
    year, month = divmod(today.year * 12 + today.month - 1 - count, 12)
    return dt.date(year, month + 1, 1)


def test_it_compares_measures_of_one_definition_on_a_funnel_plot(client, org, lead, network):
    services.network_team_add(by=lead, network=network, unit=org["other_ward"])
    rate = {"name": "Falls per 1,000 bed days", "chart": "u", "multiply": 1000.0}
    levels = {org["ward"]: 6, org["other_ward"]: 5, org["other_service"]: 1}
    for unit, level in levels.items():
        measure = make_measure(unit, f"falls-{unit.code}", **rate)
        record(measure, [level] * 14, start=_recent(14), denominator=1000.0)
        services.network_measure_add(by=lead, network=network, measure=measure)
    other = make_measure(org["ward"], "ward-count")  # a count: not on the funnel
    record(other, [3] * 14, start=_recent(14))
    services.network_measure_add(by=lead, network=network, measure=other)
    client.force_login(lead)
    response = client.get(_url("network-detail", network.pk))
    (funnel,) = response.context["page"].funnels
    assert funnel.kind == "ratio" and len(funnel.rows) == 3
    flags = {row.measure.unit.name: row.words for row in funnel.rows}
    assert flags["Surgery"] == "Below the 99.8% limit: better than expected"
    assert flags["Ward 7"] == "Within the limits"
    assert "Compared on a funnel plot" in response.text and funnel.element_id in response.text


def test_it_draws_no_funnel_for_measures_of_one_unit_or_of_different_definitions(
    client, org, lead, network
):
    rate = {"chart": "u", "multiply": 1000.0}
    for unit, name in ((org["ward"], "Falls A"), (org["other_service"], "Falls B")):
        measure = make_measure(unit, f"falls-{unit.code}", name=name, **rate)
        record(measure, [4] * 14, start=_recent(14))
        services.network_measure_add(by=lead, network=network, measure=measure)
    client.force_login(lead)
    response = client.get(_url("network-detail", network.pk))
    assert response.context["page"].funnels == []
    assert "Compared on a funnel plot" not in response.text
