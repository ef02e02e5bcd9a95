"""The gaps page: who sees it, the built cases through the page, ranking, filters (and bad
ones), pages and a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from planning.gaps_support import measure, measures_in_bulk, result
from qms.planning.models import Aim
from qms.stats import gaps as target_gaps


def url(unit):
    return reverse("planning:gaps", args=[unit.pk])


def names(response):
    return [gap.name for gap in response.context["gaps"].page.object_list]


@pytest.fixture
def cases(org):
    """Four measures of the ward and one of the other ward, one of each kind of case."""
    misleading = measure(org["ward"], "Falls", target=5.0)
    result(misleading, centre=8.0, lcl=2.0, ucl=14.0, last=4.0, assurance="hit_or_miss")
    failing = measure(org["ward"], "Pressure ulcers", target=2.0)
    result(failing, centre=6.0, lcl=3.0, ucl=9.0, last=7.0, assurance="fail")
    assured = measure(
        org["ward"], "Hand hygiene", target=90.0, direction="increase", domain="effective"
    )
    result(assured, centre=97.0, lcl=94.0, ucl=100.0, last=98.0, assurance="pass")
    new = measure(org["ward"], "Sepsis screening", target=95.0, direction="increase")
    new_next_door = measure(org["other_ward"], "Discharges before noon", target=40.0,
                            direction="increase", domain="timely")  # fmt: skip
    result(new_next_door, centre=30.0, lcl=20.0, ucl=45.0, last=41.0, assurance="hit_or_miss")
    return {"misleading": misleading, "failing": failing, "assured": assured, "new": new,
            "next_door": new_next_door}  # fmt: skip


@pytest.mark.parametrize(
    ("who", "unit", "status"),
    [
        ("lead", "ward", 200),
        ("member", "ward", 200),
        ("quality_lead", "division", 200),
        ("quality_lead", "ward", 200),
        ("admin", "board", 200),
        ("partner", "ward", 403),
        ("outsider", "ward", 404),
        ("member", "service", 404),  # roles reach down the tree, never up
    ],
)
def test_it_shows_the_gaps_to_the_units_staff_only(client, as_user, org, who, unit, status):
    as_user(who)
    assert client.get(url(org[unit])).status_code == status


def test_it_sends_an_anonymous_visitor_to_log_in(client, org):
    assert client.get(url(org["ward"])).status_code == 302


@pytest.mark.parametrize("pk", [0, 999999, 99999999999999999999])
def test_it_answers_404_for_a_unit_that_does_not_exist(client, lead, pk):
    client.force_login(lead)
    assert client.get(f"/plan/units/{pk}/gaps/").status_code == 404


def test_it_ranks_the_worst_first_and_the_unjudged_last(client, org, quality_lead, cases):
    client.force_login(quality_lead)
    response = client.get(url(org["service"]))
    # Pressure ulcers: +200% (fail); Discharges: +25%; Falls: +60% (hit or miss); Hand hygiene
    # met; Sepsis screening has no data.
    assert names(response) == [
        "Pressure ulcers", "Falls", "Discharges before noon", "Hand hygiene", "Sepsis screening"
    ]  # fmt: skip
    page = response.context["gaps"]
    assert (page.total, page.gap_count, page.fail_count, page.hit_or_miss_count) == (5, 3, 1, 2)


def test_it_says_when_the_last_point_met_a_target_the_process_does_not_reliably_meet(
    client, org, lead, cases
):
    client.force_login(lead)
    response = client.get(url(org["ward"]))
    html = response.content.decode()
    falls = next(g for g in response.context["gaps"].page.object_list if g.name == "Falls")
    assert falls.is_gap and falls.met_by_last_point and falls.gap == 3.0
    assert "The last point met the target, but the process does not reliably meet it." in html
    assert response.context["gaps"].misleading_count == 1


def test_it_shows_the_assured_measure_as_no_gap_and_the_new_one_as_not_enough_data(
    client, org, lead, cases
):
    client.force_login(lead)
    response = client.get(url(org["ward"]))
    by_name = {g.name: g for g in response.context["gaps"].page.object_list}
    assert not by_name["Hand hygiene"].is_gap and by_name["Hand hygiene"].gap == -7.0
    assert by_name["Sepsis screening"].status == target_gaps.NO_DATA
    html = response.content.decode()
    assert "Not enough data yet" in html
    assert "Pass" in html and "Fail" in html and "Hit or miss" in html  # the icons' words
    assert '<caption class="visually-hidden">' in html and 'scope="col"' in html


def test_it_shows_the_signed_gap_and_the_relative_gap(client, org, lead, cases):
    client.force_login(lead)
    html = client.get(url(org["ward"])).content.decode()
    assert "+4" in html and "+200.0%" in html  # pressure ulcers: 6 against 2
    assert "−7" in html and "−7.8%" in html  # hand hygiene: 97 against 90


def test_it_filters_by_sub_unit_domain_aim_and_gaps_only(client, org, quality_lead, cases):
    client.force_login(quality_lead)
    division = org["division"]
    assert names(client.get(url(division), {"unit": org["other_ward"].pk})) == [
        "Discharges before noon"
    ]
    assert names(client.get(url(division), {"domain": "effective"})) == ["Hand hygiene"]
    aim = Aim.objects.create(
        unit=org["ward"], statement="Fewer falls", target="2", due_on="2027-03-31"
    )
    aim.measures.add(cases["misleading"], cases["assured"])
    assert names(client.get(url(division), {"aim": aim.pk})) == ["Falls", "Hand hygiene"]
    gaps_only = names(client.get(url(division), {"show": "gaps"}))
    assert gaps_only == ["Pressure ulcers", "Falls", "Discharges before noon"]


@pytest.mark.parametrize(
    "query",
    [{"domain": "nonsense"}, {"unit": "x"}, {"unit": "99999999999999999999"}, {"aim": "abc"},
     {"aim": "-1"}, {"show": "everything"}, {"page": "many"}, {"page": "99999999999999999999"},
     {"unit": "1e309"}, {"aim": "NaN"}, {"page": "-3"}],
)  # fmt: skip
def test_it_never_fails_on_bad_filters(client, org, lead, cases, query):
    client.force_login(lead)
    response = client.get(url(org["ward"]), query)
    assert response.status_code == 200
    assert len(names(response)) == 4 or "page" in query


def test_it_ignores_the_aim_and_unit_of_another_board(client, org, lead, cases):
    theirs = Aim.objects.create(
        unit=org["elsewhere"], statement="Theirs", target="1", due_on="2027-03-31"
    )
    theirs.measures.add(cases["failing"])
    client.force_login(lead)
    response = client.get(url(org["ward"]), {"aim": theirs.pk, "unit": org["elsewhere"].pk})
    assert response.status_code == 200
    assert len(names(response)) == 4  # both filters left out, with a message
    assert "That filter is left out." in response.content.decode()


def test_it_offers_each_gap_as_a_candidate_priority_when_that_page_exists(client, org, lead, cases):
    client.force_login(lead)
    response = client.get(url(org["ward"]))
    html = response.content.decode()
    if response.context["priority_url"]:
        assert f"?origin=gap&amp;measure={cases['failing'].pk}" in html
        assert f"?origin=gap&amp;measure={cases['assured'].pk}" not in html
    else:
        assert "Make this a candidate priority" not in html


def test_it_pages_by_100(client, org, lead):
    measures_in_bulk(org["ward"], 230)
    client.force_login(lead)
    response = client.get(url(org["ward"]), {"page": 3})
    page = response.context["gaps"].page
    assert len(page.object_list) == 30 and page.paginator.num_pages == 3
    assert 'aria-current="page">3<' in response.content.decode()


@pytest.mark.parametrize("who", ["lead", "quality_lead"])
def test_it_reads_the_page_in_the_same_queries_whatever_its_size(
    client, as_user, org, django_assert_max_num_queries, who
):
    as_user(who)
    unit = org["ward"]
    aim = Aim.objects.create(unit=unit, statement="Fewer falls", target="2", due_on="2027-03-31")
    queries = [{}, {"aim": aim.pk, "show": "gaps", "domain": "safe", "unit": unit.pk}]

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            for query in queries:
                assert client.get(url(unit), query).status_code == 200
        return len(captured)

    measures_in_bulk(unit, 3, prefix="few")
    aim.measures.add(*measures_in_bulk(unit, 2, prefix="aim-few"))
    few = count()
    measures_in_bulk(unit, 250, prefix="many")
    aim.measures.add(*measures_in_bulk(unit, 120, prefix="aim-many"))
    with django_assert_max_num_queries(few):
        responses = [client.get(url(unit), query) for query in queries]
    assert [len(names(r)) for r in responses] == [100, 82]  # full pages of the larger one


def test_it_says_not_enough_data_for_limits_and_sorts_those_last(client, org, lead):
    early = measure(org["ward"], "Early days", target=5.0)
    result(early, centre=9.0, lcl=None, ucl=None, last=9.0, assurance="none")
    run = measure(org["ward"], "Run chart", target=5.0, chart="run")
    result(run, centre=8.0, lcl=None, ucl=None, last=8.0, assurance="none")
    trial = measure(org["ward"], "Trial limits", target=5.0)
    result(trial, centre=6.0, lcl=1.0, ucl=11.0, last=6.0, assurance="hit_or_miss")
    trial.result.__class__.objects.filter(pk=trial.result.pk).update(trial_limits=True)
    client.force_login(lead)
    response = client.get(url(org["ward"]))
    assert names(response) == ["Trial limits", "Early days", "Run chart"]
    html = response.content.decode()
    assert "Not enough data yet for control limits." in html
    assert "A run chart: no control limits" in html and "(trial limits)" in html
    assert response.context["gaps"].unjudged_count == 2


def test_it_leaves_out_measures_without_a_target_and_retired_ones(client, org, lead, cases):
    measure(org["ward"], "No target")
    retired = measure(org["ward"], "Retired", target=1.0, is_active=False)
    result(retired, centre=9.0, lcl=1.0, ucl=20.0, last=9.0, assurance="hit_or_miss")
    client.force_login(lead)
    found = names(client.get(url(org["ward"])))
    assert "No target" not in found and "Retired" not in found and len(found) == 4


def test_it_links_the_plan_home_to_each_units_gaps(client, org, quality_lead):
    client.force_login(quality_lead)
    html = client.get("/plan/").content.decode()
    assert url(org["division"]) in html
