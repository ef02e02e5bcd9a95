"""Vision and aims' pages: who may open and use each, the cascade and "not served", the aim
page's progress from stored results in a fixed number of queries, and bad input."""

import pytest
from django.test import Client
from django.urls import reverse
from helpers import make_measure, make_person, record

from planning.aims_support import *  # noqa: F403
from planning.aims_support import DUE, STATEMENT
from qms.improvement import services as improvement_services
from qms.people.roles import Role
from qms.planning import services
from qms.planning.models import Aim, Vision

FORM = {"statement": STATEMENT, "target": "30% fewer", "due_on": "2027-03-31", "parent": ""}


def _url(name, *args):
    return reverse(f"planning:{name}", args=args)


# Who opens which page ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("lead", 200),
        ("member", 200),
        ("quality_lead", 200),
        ("executive", 200),
        ("admin", 200),
        ("partner", 403),
        ("outsider", 404),
    ],
)
def test_it_shows_the_ward_aims_and_vision_to_its_staff_only(client, as_user, org, who, status):
    as_user(who)
    assert client.get(_url("aims", org["ward"].pk)).status_code == status
    assert client.get(_url("vision", org["ward"].pk)).status_code == status


@pytest.mark.parametrize(
    ("who", "board", "ward"),
    [("lead", 200, 200), ("member", 200, 200), ("quality_lead", 200, 200),
     ("executive", 200, 200), ("admin", 200, 200), ("partner", 404, 403),
     ("outsider", 404, 404)],
)  # fmt: skip
def test_it_shows_an_aim_to_its_unit_and_the_units_below(
    client, as_user, org, board_aim, ward_aim, who, board, ward
):
    """Staff of the ward read the board's aim too: it is the cascade their aims serve. A partner
    of the ward sees the ward (403) but holds no role on the board (404)."""
    as_user(who)
    assert client.get(board_aim.get_absolute_url()).status_code == board
    assert client.get(ward_aim.get_absolute_url()).status_code == ward


def test_it_hides_an_aim_of_a_ward_beside(client, org, lead):
    beside = services.aim_create(
        by=None, unit=org["other_ward"], statement=STATEMENT, target="t", due_on=DUE
    )
    client.force_login(lead)
    assert client.get(beside.get_absolute_url()).status_code == 404


def test_it_sends_anonymous_people_to_log_in(client, org, ward_aim):
    for url in (ward_aim.get_absolute_url(), _url("aims", org["ward"].pk)):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize(
    ("who", "status"),
    [("lead", 302), ("quality_lead", 302), ("executive", 302), ("admin", 302), ("member", 403),
     ("partner", 403), ("outsider", 404)],
)  # fmt: skip
def test_it_lets_only_aim_setters_set_an_aim(client, as_user, org, who, status):
    as_user(who)
    url = _url("aim-create", org["ward"].pk)
    assert client.get(url).status_code == (200 if status == 302 else status)
    response = client.post(url, FORM)
    assert response.status_code == status
    assert Aim.objects.count() == (1 if status == 302 else 0)


@pytest.mark.parametrize(
    ("who", "status"),
    [("lead", 302), ("quality_lead", 302), ("member", 403), ("partner", 403), ("outsider", 404)],
)
def test_it_lets_only_aim_setters_state_the_vision(client, as_user, org, who, status):
    as_user(who)
    response = client.post(_url("vision", org["ward"].pk), {"vision": "Safe care.", "purpose": ""})
    assert response.status_code == status
    assert Vision.objects.filter(unit=org["ward"]).exists() is (status == 302)


def test_it_shows_the_vision_form_only_to_setters(client, org, lead, member):
    client.force_login(member)
    assert "Save the vision" not in client.get(_url("vision", org["ward"].pk)).content.decode()
    client.force_login(lead)
    assert "Save the vision" in client.get(_url("vision", org["ward"].pk)).content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [("lead", 403), ("member", 403), ("quality_lead", 302), ("executive", 302),
     ("partner", 404), ("outsider", 404)],
)  # fmt: skip
def test_it_lets_only_the_division_setters_change_its_aim(
    client, as_user, org, division_aim, ward_aim, who, status
):
    """The ward's staff read the division's aim but may not change it (403); a partner of the
    ward holds no role in the division (404)."""
    as_user(who)
    data = {**FORM, "statement": division_aim.statement, "target": "40% fewer", "parent": ""}
    response = client.post(_url("aim-edit", division_aim.pk), data)
    assert response.status_code == status
    division_aim.refresh_from_db()
    assert (division_aim.target == "40% fewer") is (status == 302)


@pytest.mark.parametrize(
    ("who", "status"),
    [("lead", 302), ("quality_lead", 302), ("member", 403), ("partner", 403), ("outsider", 404)],
)
def test_it_lets_only_setters_retire_an_aim(client, as_user, ward_aim, who, status):
    as_user(who)
    response = client.post(_url("aim-retire", ward_aim.pk), {"reason": "Met in full"})
    assert response.status_code == status
    ward_aim.refresh_from_db()
    assert ward_aim.is_active is (status != 302)


def test_it_shows_the_retired_reason_and_the_child_serving_a_retired_aim(
    client, org, quality_lead, division_aim, ward_aim
):
    client.force_login(quality_lead)
    client.post(_url("aim-retire", division_aim.pk), {"reason": "Replaced by the new plan"})
    page = client.get(division_aim.get_absolute_url()).content.decode()
    assert "Retired." in page and "Replaced by the new plan" in page
    assert "Serves a retired aim" in client.get(ward_aim.get_absolute_url()).content.decode()
    cascade = client.get(_url("aims", org["division"].pk)).content.decode()
    assert "Serves a retired aim" in cascade


# The aims page ------------------------------------------------------------------------------


def test_it_shows_the_board_vision_on_a_sub_unit_aims_page(client, org, member, executive):
    services.vision_set(by=executive, unit=org["board"], vision="The safest care in the land.")
    client.force_login(member)
    page = client.get(_url("aims", org["ward"].pk)).content.decode()
    assert "Our organisation&#x27;s vision" in page or "Our organisation's vision" in page
    assert "The safest care in the land." in page
    assert "The safest care in the land." in client.get("/plan/").content.decode()


def test_it_nests_the_cascade_and_lists_what_nothing_serves(
    client, org, executive, board_aim, division_aim, ward_aim, ward_measure
):
    lonely = services.aim_create(
        by=None, unit=org["service"], statement="Nothing serves me by 2027", target="t", due_on=DUE
    )
    services.aim_link_measure(by=None, aim=ward_aim, measure=ward_measure)
    client.force_login(executive)
    response = client.get(_url("aims", org["board"].pk))
    page = response.content.decode()
    unserved = page.split('id="unserved"')[1].split("</section>")[0]
    assert "Nothing serves me" in unserved
    assert ward_aim.statement not in unserved and board_aim.statement not in unserved
    cascade = page.split('id="cascade"')[1]
    # The ward's aim is nested two levels under the board's.
    assert cascade.index(board_aim.statement) < cascade.index(division_aim.statement)
    assert cascade.count('class="aim-cascade"') >= 3
    assert response.context["cascade"].total == 4
    assert lonely.statement in cascade


def test_it_filters_the_cascade_by_unit(client, org, executive, division_aim, ward_aim):
    other = services.aim_create(
        by=None, unit=org["other_service"], statement="Surgery's aim", target="t", due_on=DUE
    )
    client.force_login(executive)
    response = client.get(_url("aims", org["board"].pk), {"unit": org["ward"].pk})
    assert response.status_code == 200
    assert response.context["cascade"].total == 1
    assert other.statement not in response.content.decode().split('id="cascade"')[1]


@pytest.mark.parametrize("value", ["abc", "-1", "99999999999999999999", "NaN", "1e9"])
def test_it_answers_a_bad_unit_filter_without_error(client, org, executive, value):
    client.force_login(executive)
    response = client.get(_url("aims", org["board"].pk), {"unit": value, "page": value})
    assert response.status_code == 400


def test_it_ignores_a_unit_filter_of_another_board(client, org, lead, ward_aim):
    client.force_login(lead)
    response = client.get(_url("aims", org["ward"].pk), {"unit": org["elsewhere"].pk})
    assert response.status_code == 400


def _count(context) -> int:
    # The connection keeps the last 9,000 queries only: count by position, not by the list.
    return context.final_queries - context.initial_queries


def _many_aims(org, count, measures):
    for n in range(count):
        aim = services.aim_create(
            by=None, unit=org["ward"], statement=f"Aim {n}: halve falls by 2027", target="t",
            due_on=DUE, measures=measures,
        )  # fmt: skip
        services.aim_create(
            by=None, unit=org["ward"], statement=f"Child {n}", target="t", due_on=DUE, parent=aim
        )


def test_it_reads_the_aims_page_in_the_same_queries_whatever_its_aims(
    client, org, lead, django_assert_max_num_queries
):
    measures = [make_measure(org["ward"], f"m{n}") for n in range(3)]
    client.force_login(lead)
    _many_aims(org, 2, measures[:1])
    url = _url("aims", org["ward"].pk)
    client.get(url)
    with django_assert_max_num_queries(20) as small:
        client.get(url)
    _many_aims(org, 30, measures)
    with django_assert_max_num_queries(_count(small)):
        response = client.get(url)
    assert response.context["cascade"].total == 64


# The aim page --------------------------------------------------------------------------------


def test_it_shows_progress_from_the_stored_results(
    client, org, lead, ward_aim, ward_measure, ward_project
):
    record(ward_measure, [5, 6, 4, 5, 6, 5, 4, 5, 6, 5, 4, 5, 2])
    services.aim_link_measure(by=lead, aim=ward_aim, measure=ward_measure)
    services.aim_link_project(by=lead, aim=ward_aim, project=ward_project)
    client.force_login(lead)
    page = client.get(ward_aim.get_absolute_url()).content.decode()
    assert ward_measure.name in page and "Met by the latest value" in page
    assert f'id="aim-chart-{ward_measure.pk}-spec"' in page
    assert ward_project.title in page and "Idea" in page
    assert "Unlink" in page and "Link a measure" in page
    assert "Aim set" in page or "Created" in page  # the history
    client.force_login(make_person("nurse", (Role.TEAM_MEMBER, org["ward"])))
    page = client.get(ward_aim.get_absolute_url()).content.decode()
    assert "Link a measure" not in page and ward_measure.name in page


def test_it_reads_the_aim_page_in_the_same_queries_whatever_its_measures(
    client, org, lead, ward_aim, django_assert_max_num_queries
):
    def add(count, start):
        for n in range(start, start + count):
            measure = make_measure(org["ward"], f"m{n}", target=3.0)
            record(measure, [5, 6, 4, 5, 6, 5, 4, 5, 6, 5, 4, 5])
            services.aim_link_measure(by=None, aim=ward_aim, measure=measure)
            project = improvement_services.project_create(
                by=None, unit=org["ward"], title=f"P{n}", problem="p", aim=STATEMENT
            )
            services.aim_link_project(by=None, aim=ward_aim, project=project)

    add(1, 0)
    client.force_login(lead)
    url = ward_aim.get_absolute_url()
    client.get(url)
    with django_assert_max_num_queries(60) as small:
        client.get(url)
    add(6, 1)
    client.get(url)  # the charts' cache fills, as after any refresh
    with django_assert_max_num_queries(_count(small)):
        response = client.get(url)
    assert len(response.context["page"].measures) == 7


def test_it_links_a_measure_and_a_project_through_the_pages(
    client, org, lead, ward_aim, ward_measure, ward_project
):
    client.force_login(lead)
    page = client.get(_url("aim-measures", ward_aim.pk)).content.decode()
    assert ward_measure.name in page
    response = client.post(_url("aim-measures", ward_aim.pk), {"record": ward_measure.pk})
    assert response.status_code == 302
    response = client.post(_url("aim-projects", ward_aim.pk), {"record": ward_project.pk})
    assert response.status_code == 302
    assert list(ward_aim.measures.all()) == [ward_measure]
    assert list(ward_aim.projects.all()) == [ward_project]
    client.post(_url("aim-measure-unlink", ward_aim.pk, ward_measure.pk))
    client.post(_url("aim-project-unlink", ward_aim.pk, ward_project.pk))
    assert not ward_aim.measures.exists() and not ward_aim.projects.exists()


def test_it_refuses_measures_and_projects_of_other_units_in_post_data(
    client, org, lead, ward_aim, outsider
):
    beside = make_measure(org["other_ward"], "beside")
    elsewhere = make_measure(org["elsewhere"], "elsewhere")
    project = improvement_services.project_create(
        by=outsider, unit=org["elsewhere"], title="Theirs", problem="p", aim=STATEMENT
    )
    client.force_login(lead)
    for pk in (beside.pk, elsewhere.pk):
        assert client.post(_url("aim-measures", ward_aim.pk), {"record": pk}).status_code == 404
    assert client.post(_url("aim-projects", ward_aim.pk), {"record": project.pk}).status_code == 404
    assert not ward_aim.measures.exists() and not ward_aim.projects.exists()


@pytest.mark.parametrize("value", ["", "abc", "-3", "0", "99999999999999999999", "NaN", "1.5"])
def test_it_answers_bad_ids_in_a_link_without_error(client, org, lead, ward_aim, value):
    client.force_login(lead)
    response = client.post(_url("aim-measures", ward_aim.pk), {"record": value})
    assert response.status_code == 302
    assert not ward_aim.measures.exists()


def test_it_refuses_a_member_linking(client, org, member, ward_aim, ward_measure):
    client.force_login(member)
    url = _url("aim-measures", ward_aim.pk)
    assert client.post(url, {"record": ward_measure.pk}).status_code == 403
    assert not ward_aim.measures.exists()


def test_it_answers_unknown_and_huge_aim_ids_with_404(client, lead):
    client.force_login(lead)
    for pk in (987654, 2**63 - 1, 10**30):
        assert client.get(f"/plan/aims/{pk}/").status_code == 404


# Bad input in the forms --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "due", ["0001-01-01", "9999-12-31", "1989-12-31", "31/31/2027", "NaN", "", "2027-02-30"]
)
def test_it_refuses_a_due_date_out_of_reach_with_a_message(client, org, lead, due):
    client.force_login(lead)
    response = client.post(_url("aim-create", org["ward"].pk), {**FORM, "due_on": due})
    assert response.status_code == 400
    assert "Due on" in response.content.decode() or "required" in response.content.decode()
    assert not Aim.objects.exists()


def test_it_refuses_a_parent_of_another_board_or_beside(client, org, lead, outsider):
    theirs = services.aim_create(
        by=outsider, unit=org["elsewhere"], statement=STATEMENT, target="t", due_on=DUE
    )
    beside = services.aim_create(
        by=None, unit=org["other_ward"], statement=STATEMENT, target="t", due_on=DUE
    )
    client.force_login(lead)
    for parent in (theirs.pk, beside.pk, "abc", 10**30):
        response = client.post(_url("aim-create", org["ward"].pk), {**FORM, "parent": parent})
        assert response.status_code == 400
    assert Aim.objects.count() == 2


def test_it_prompts_for_an_aim_without_a_target_or_date_and_keeps_it_when_ticked(client, org, lead):
    client.force_login(lead)
    url = _url("aim-create", org["ward"].pk)
    response = client.post(url, {**FORM, "statement": "Improve hand hygiene"})
    assert response.status_code == 400
    assert "no measurable target" in response.content.decode()
    assert not Aim.objects.exists()
    data = {**FORM, "statement": "Improve hand hygiene", "statement_checked": "on"}
    assert client.post(url, data).status_code == 302
    assert Aim.objects.get().statement == "Improve hand hygiene"


def test_it_prompts_for_text_that_may_identify_a_patient(client, org, lead):
    client.force_login(lead)
    data = {**FORM, "target": "Fewer falls for NHS 943 476 5919"}
    response = client.post(_url("aim-create", org["ward"].pk), data)
    assert response.status_code == 400
    assert not Aim.objects.exists()


def test_it_refuses_a_post_without_csrf(org, lead):
    client = Client(enforce_csrf_checks=True)
    client.force_login(lead)
    response = client.post(_url("aim-create", org["ward"].pk), FORM)
    assert response.status_code == 403
    assert not Aim.objects.exists()


def test_it_offers_parents_above_and_not_beside(client, org, lead, division_aim):
    beside = services.aim_create(
        by=None, unit=org["other_service"], statement="Surgery's aim", target="t", due_on=DUE
    )
    client.force_login(lead)
    page = client.get(_url("aim-create", org["ward"].pk)).content.decode()
    assert division_aim.statement in page and beside.statement not in page


# Elsewhere: the Plan home and the measure page -------------------------------------------------


def test_it_links_the_aims_of_each_top_unit_from_the_plan_home(client, org, lead, quality_lead):
    client.force_login(lead)
    page = client.get("/plan/").content.decode()
    assert _url("aims", org["ward"].pk) in page and _url("vision", org["ward"].pk) in page
    client.force_login(quality_lead)
    page = client.get("/plan/").content.decode()
    assert _url("aims", org["division"].pk) in page
    assert _url("aims", org["ward"].pk) not in page  # reached from the division's page


def test_it_names_the_aims_a_measure_serves_on_its_page(
    client, org, member, quality_lead, ward_aim, ward_measure
):
    services.aim_link_measure(by=None, aim=ward_aim.parent, measure=ward_measure)
    client.force_login(member)
    page = client.get(ward_measure.get_absolute_url()).content.decode()
    assert "Aims it serves" in page and ward_aim.parent.get_absolute_url() in page
    services.aim_retire(by=quality_lead, aim=ward_aim.parent, reason="Done")
    page = client.get(ward_measure.get_absolute_url()).content.decode()
    assert "Aims it serves" not in page


def test_it_links_to_the_gaps_and_a_new_priority_towards_the_aim(
    client, org, member, partner, ward_aim, ward_measure
):
    services.aim_link_measure(by=None, aim=ward_aim, measure=ward_measure)
    client.force_login(member)
    page = client.get(ward_aim.get_absolute_url()).content.decode()
    propose = f"{_url('priority-create', org['ward'].pk)}?origin=aim&amp;aim={ward_aim.pk}"
    assert propose in page
    assert f"{_url('gaps', org['ward'].pk)}?aim={ward_aim.pk}" in page
    assert client.get(propose.replace("&amp;", "&")).status_code == 200
    # On the board's aim, which the ward's member reads but cannot propose for: no link.
    page = client.get(ward_aim.parent.parent.get_absolute_url()).content.decode()
    assert "Propose a priority" not in page and "The gaps of its measures" not in page
