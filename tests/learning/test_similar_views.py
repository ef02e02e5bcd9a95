"""Similar work on the pages: who sees which suggestions, the index kept fresh, the fragment
endpoint and its bad input, the panels on the starting forms and detail pages."""

import pytest
from django.urls import reverse

from qms.improvement import services as improvement_services
from qms.learning.selectors import similar as selectors
from qms.people import services as people_services
from qms.people.roles import Role
from qms.planning import services as planning_services

FALLS_AIM = "Reduce inpatient falls at night by 30% by 31 March 2027"
FALLS_PROBLEM = "Older patients fall at night when they get up to the toilet unseen."


@pytest.fixture(autouse=True)
def _fresh_index():
    """Test databases reuse ids, so each test starts from no index."""
    selectors.forget_index()
    yield
    selectors.forget_index()


def _project(unit, title, aim=FALLS_AIM, problem=FALLS_PROBLEM):
    return improvement_services.project_create(
        by=None, unit=unit, title=title, problem=problem, aim=aim
    )


@pytest.fixture
def work(org):
    """Falls projects on Ward 8 (the lead's service), in the other board and one only a
    partner is given; a sepsis project; a falls priority on Surgery."""
    return {
        "ward8": _project(org["other_ward"], "Night-time falls on Ward 8"),
        "elsewhere": _project(org["elsewhere"], "Falls at night in the other board"),
        "granted": _project(org["other_service"], "Falls at night in theatres recovery"),
        "sepsis": _project(
            org["ward"],
            "Sepsis six",
            aim="Antibiotics within the hour for 95% of adults with red flag sepsis by 2027",
            problem="Antibiotics for sepsis are given late in the emergency department.",
        ),
        "priority": planning_services.priority_create(
            by=None,
            unit=org["other_service"],
            title="Falls with harm at night",
            problem="Falls at night are our commonest harm.",
            origin="strategy",
        ),
    }


def _keys(suggestions):
    return {(s.kind, s.pk) for s in suggestions}


def _query(user):
    return selectors.similar_work(user, title="Falls at night", aim=FALLS_AIM, limit=20)


def test_it_suggests_work_anywhere_the_person_may_see_with_a_reason(work, quality_lead):
    found = _query(quality_lead)
    assert _keys(found) == {
        ("project", work["ward8"].pk),
        ("project", work["granted"].pk),
        ("priority", work["priority"].pk),
    }
    assert all("falls" in s.reason and "night" in s.reason for s in found)
    assert {s.url for s in found} >= {work["ward8"].get_absolute_url()}


def test_it_never_suggests_work_of_units_the_person_cannot_see(work, lead, outsider):
    # The lead reads Ward 7 only: no Ward 8, no Surgery, no other board.
    assert _query(lead) == []
    assert _keys(_query(outsider)) == {("project", work["elsewhere"].pk)}


def test_it_shows_a_partner_only_the_work_granted_to_them(work, partner, org):
    assert _query(partner) == []
    people_services.grant_give(by=None, record=work["granted"], person=partner, role=Role.PARTNER)
    partner.refresh_from_db()
    assert _keys(_query(partner)) == {("project", work["granted"].pk)}


def test_it_shows_nothing_to_someone_not_logged_in(work):
    from django.contrib.auth.models import AnonymousUser

    assert _query(AnonymousUser()) == []


def test_it_sees_a_new_project_at_the_next_request(work, quality_lead, org):
    assert len(_query(quality_lead)) == 3
    builds = selectors.index_stats()["builds"]
    _project(org["service"], "Falls at night on Medicine's wards")
    assert len(_query(quality_lead)) == 4
    assert selectors.index_stats()["builds"] == builds + 1
    _query(quality_lead)
    assert selectors.index_stats()["builds"] == builds + 1  # nothing changed: not rebuilt


def test_it_sees_a_changed_title(work, quality_lead):
    assert ("project", work["sepsis"].pk) not in _keys(_query(quality_lead))
    improvement_services.project_update(
        by=None, project=work["sepsis"], title="Falls at night too", aim=FALLS_AIM
    )
    assert ("project", work["sepsis"].pk) in _keys(_query(quality_lead))


def test_it_leaves_out_the_record_itself(work, quality_lead):
    found = selectors.similar_work(
        quality_lead, title="Falls at night", aim=FALLS_AIM, exclude=[work["ward8"]]
    )
    assert ("project", work["ward8"].pk) not in _keys(found)
    like = selectors.similar_to(quality_lead, work["ward8"])
    assert ("project", work["ward8"].pk) not in _keys(like)
    assert ("project", work["granted"].pk) in _keys(like)


# The endpoint ------------------------------------------------------------------------------


def _url(**params):
    from urllib.parse import urlencode

    return reverse("learning:similar") + "?" + urlencode(params)


@pytest.mark.parametrize(("who", "sees"), [("quality_lead", True), ("lead", False)])
def test_it_answers_the_fragment_with_what_the_person_may_see(client, as_user, work, who, sees):
    as_user(who)
    response = client.get(_url(title="Falls at night", aim=FALLS_AIM, fragment=1))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert ("Night-time falls on Ward 8" in body) is sees
    assert "other board" not in body


def test_it_sends_someone_not_logged_in_to_log_in(client, work):
    response = client.get(_url(title="Falls at night", fragment=1))
    assert response.status_code == 302
    assert "Night-time" not in response.content.decode()


def test_it_answers_the_forms_button_without_script_as_a_page(client, as_user, work):
    as_user("quality_lead")
    response = client.post(
        reverse("learning:similar"),
        {"title": "Falls at night", "aim": FALLS_AIM, "csrfmiddlewaretoken": "x", "lead": "3"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1>Similar work elsewhere</h1>" in body and "Night-time falls on Ward 8" in body


def test_it_takes_a_networks_name_and_topic(client, as_user, work):
    as_user("quality_lead")
    response = client.get(_url(name="Falls at night", topic=FALLS_PROBLEM, fragment=1))
    assert "Night-time falls on Ward 8" in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"title": "x" * 10_001},
        {"problem": "falls " * 3000},
        {"title": "Chutes la nuit — 夜間の転倒 🙂 ﬁ\u200b", "aim": "ünïcödé falls"},
        {"title": ""},
        {"measures": "\n\n\n"},
        {"title": "falls", "exclude": "project:99999999999999999999999"},
        {"title": "falls", "exclude": "<script>:1"},
        {"aim": "12", "factors": "3\n4"},  # a priority form's aim and factors are ids
        {"title": "\x00falls"},
    ],
)
def test_it_never_fails_on_bad_input(client, as_user, work, params):
    as_user("quality_lead")
    response = client.get(_url(fragment=1, **params))
    assert response.status_code == 200


def test_it_says_when_the_text_is_too_long(client, as_user, work):
    as_user("quality_lead")
    body = client.get(_url(title="falls " * 2000, fragment=1)).content.decode()
    assert "The title is longer than 10,000 characters" in body
    assert "Night-time" not in body


def test_it_asks_for_text_when_there_is_none(client, as_user, work):
    as_user("quality_lead")
    body = client.get(_url(fragment=1)).content.decode()
    assert "Write a title, an aim or the problem" in body


def test_it_makes_a_bounded_number_of_queries(client, as_user, org, django_assert_max_num_queries):
    as_user("quality_lead")
    for i in range(3):
        _project(org["other_ward"], f"Falls at night {i}")
    url = _url(title="Falls at night", aim=FALLS_AIM, fragment=1)
    client.get(url)  # the index is built once
    with django_assert_max_num_queries(16) as small:
        client.get(url)
    for i in range(30):
        _project(org["other_service"], f"More falls at night {i}")
        planning_services.priority_create(
            by=None, unit=org["ward"], title=f"Falls {i}", problem="Falls", origin="strategy"
        )
    client.get(url)
    with django_assert_max_num_queries(small.final_queries - small.initial_queries):
        client.get(url)


# The pages that show it --------------------------------------------------------------------


def test_it_shows_similar_work_on_a_projects_page(client, as_user, work):
    as_user("quality_lead")
    body = client.get(work["ward8"].get_absolute_url()).content.decode()
    assert '<h2 id="similar-work-heading">Similar work</h2>' in body
    assert "Falls at night in theatres recovery" in body
    assert "Falls at night in the other board" not in body


def test_it_shows_similar_work_on_a_prioritys_page(client, as_user, work):
    as_user("quality_lead")
    body = client.get(work["priority"].get_absolute_url()).content.decode()
    assert "Similar work" in body and "Night-time falls on Ward 8" in body


def test_it_puts_the_panel_beside_the_forms_that_start_work(client, as_user, org):
    as_user("lead")
    for url in (
        reverse("improvement:project-create", args=[org["ward"].pk]),
        reverse("planning:priority-create", args=[org["ward"].pk]),
    ):
        body = client.get(url).content.decode()
        assert "Similar work elsewhere" in body, url
        assert "learning/similar.js" in body
        assert f'formaction="{reverse("learning:similar")}"' in body


def test_it_keeps_a_record_out_of_its_own_panel(client, as_user, work):
    as_user("lead")
    body = client.get(reverse("improvement:project-edit", args=[work["sepsis"].pk]))
    assert f'data-similar-exclude="project:{work["sepsis"].pk}"' in body.content.decode()


# Networks ----------------------------------------------------------------------------------


@pytest.fixture
def network(org, work):
    from qms.learning.services import networks

    return networks.network_create(
        by=None,
        unit=org["other_service"],
        name="Falls at night collaborative",
        topic="Wards learning together to prevent falls at night.",
    )


def test_it_suggests_a_network_to_those_who_read_it(network, lead, org):
    from qms.learning.services import networks

    assert ("network", network.pk) not in _keys(_query(lead))
    networks.network_team_add(by=None, network=network, unit=org["ward"])
    # The lead's ward joined: its staff read the network, and nothing else of Surgery.
    assert _keys(_query(lead)) == {("network", network.pk)}


def test_it_shows_similar_work_on_a_networks_page_and_form(client, as_user, network, org):
    as_user("quality_lead")
    body = client.get(network.get_absolute_url()).content.decode()
    assert "Similar work" in body and "Night-time falls on Ward 8" in body
    assert "Falls at night collaborative</a>" not in body.split("similar-work-heading")[1]
    form = client.get(reverse("learning:network-create")).content.decode()
    assert "Similar work elsewhere" in form and 'form="network-form"' in form
