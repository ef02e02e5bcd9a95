"""Compare units (learning:compare): the funnel plot of the units measuring one library
definition: who may see it and which units they see, the numbers behind it, the bright spot
link, bounded queries and bad input."""

import datetime as dt

import pytest
from django.urls import reverse
from helpers import make_person

from learning.funnel_support import *  # noqa: F403
from learning.funnel_support import SHARE_FIELDS, measure_of, year_start
from qms.control import services as control_services
from qms.learning.selectors import funnel as selectors
from qms.people.roles import Role


def url(code="falls-rate", **query):
    base = reverse("learning:compare", args=[code])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def units_shown(response):
    return [row.measure.unit.name for row in response.context["comparison"].rows]


# Who may see it, and what ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status", "units"),
    [
        ("quality_lead", 200, ["Ward 7", "Ward 8", "Surgery"]),
        ("admin", 200, ["Ward 7", "Ward 8", "Surgery", "Other Board"]),
        ("lead", 200, []),  # sees Ward 7 only: nothing to compare with
        ("member", 200, []),
        ("outsider", 200, []),  # sees the other board's measure only
        ("partner", 404, None),  # no staff role: sees no measure
    ],
)
def test_it_shows_each_person_only_the_units_they_may_see(
    client, as_user, falls, who, status, units
):
    as_user(who)
    response = client.get(url())
    assert response.status_code == status
    if units is None:
        return
    assert units_shown(response) == units
    body = response.content.decode()
    if who in ("lead", "member", "outsider"):
        assert "Fewer than two units you may see" in body
    if who == "outsider":
        assert "Ward 7" not in body and "Ward 8" not in body
    if who == "lead":
        assert "Ward 8" not in body and "Other Board" not in body


def test_it_sends_anonymous_people_to_log_in(client, falls):
    response = client.get(url())
    assert response.status_code == 302 and "login" in response["Location"]


def test_it_gives_404_for_an_unknown_definition(client, as_user, falls):
    as_user("admin")
    assert client.get(url("no-such-thing")).status_code == 404


def test_it_gives_404_when_the_person_sees_no_measure_of_it(client, as_user, org, falls):
    stranger = make_person("stranger", (Role.TEAM_MEMBER, org["other_ward"]))
    client.force_login(stranger)
    assert client.get(url()).status_code == 200  # sees Ward 8's measure
    control_services.measure_update(by=None, measure=falls["other_ward"], is_active=False)
    assert client.get(url()).status_code == 404


def test_it_gives_a_measure_granted_to_someone_without_a_role_in_its_unit(client, org, falls):
    from qms.people import services as people_services

    helper = make_person("helper", (Role.ANALYST, org["other_service"]))
    people_services.grant_give(by=None, person=helper, record=falls["ward"], role=Role.ANALYST)
    client.force_login(helper)
    assert units_shown(client.get(url())) == ["Ward 7", "Surgery"]


# The numbers ----------------------------------------------------------------------------------


def test_it_compares_rates_as_observed_over_expected(client, as_user, falls):
    as_user("quality_lead")
    comparison = client.get(url()).context["comparison"]
    assert comparison.kind == "ratio" and comparison.target == 1.0
    # 192 falls in 32,400 bed days overall: 5.926 per 1,000; each unit expects 64.
    assert comparison.rate_shown == pytest.approx(192 / 32400 * 1000)
    ward, other_ward, surgery = comparison.rows
    assert (ward.numerator, ward.denominator) == (24, 10800)
    assert ward.expected == pytest.approx(64)
    assert ward.value == pytest.approx(24 / 64)
    assert other_ward.value == pytest.approx(108 / 64)
    assert [r.flag for r in comparison.rows] == ["low", "high", "within"]
    assert [r.flag_words for r in comparison.rows] == [
        "Better than expected", "Worse than expected", "Within the limits",
    ]  # fmt: skip
    assert ward.better and not other_ward.better
    assert comparison.chart["layer"][2]["data"]["values"][0]["unit"] == "Ward 7"


def test_it_compares_proportions_as_percentages(client, as_user, org, share_definition):
    measure_of(share_definition, org["ward"], "w7-hh", 38, 40)  # 95%
    measure_of(share_definition, org["other_ward"], "w8-hh", 28, 40)  # 70%
    measure_of(share_definition, org["other_service"], "s-hh", 34, 40)  # 85%
    as_user("quality_lead")
    response = client.get(url("hand-hygiene"))
    comparison = response.context["comparison"]
    assert comparison.kind == "proportion"
    assert comparison.target == pytest.approx(100 / 120)
    assert [r.flag for r in comparison.rows] == ["high", "low", "within"]
    assert comparison.rows[0].better  # higher is better for this definition
    assert comparison.rows[0].value_shown == pytest.approx(95.0)
    assert "95%" in response.content.decode()


def test_it_windows_the_data_by_months(client, as_user, org, rate_definition, falls):
    # A fourth measure with data only 20 months ago: in the 24-month window, not in 12.
    old = measure_of(rate_definition, org["service"], "svc-falls", 3, count=1)
    from qms.control.models import Observation

    start = year_start()
    Observation.objects.filter(measure=old).update(period=dt.date(start.year - 1, start.month, 1))
    as_user("quality_lead")
    twelve = client.get(url()).context["comparison"]
    assert [item.reason for item in twelve.left_out] == ["no data in the window"]
    both = client.get(url(months=24)).context["comparison"]
    # Medicine (service) holds Ward 7 and Ward 8: its measure would count them twice.
    assert [item.measure.unit.name for item in both.left_out] == ["Medicine"]
    assert [item.reason for item in both.left_out] == ["it includes units compared here"]
    six = client.get(url(months=6)).context["comparison"]
    assert six.rows[0].denominator == 6 * 900


def test_it_adjusts_for_overdispersion_when_asked(client, as_user, falls):
    as_user("quality_lead")
    plain = client.get(url()).context["comparison"]
    adjusted = client.get(url(overdispersion="on")).context["comparison"]
    assert plain.tau2 is None
    assert adjusted.tau2 > 0 and adjusted.adjusted
    assert adjusted.rows[0].lower998 < plain.rows[0].lower998
    assert "between-unit variance" in client.get(url(overdispersion="on")).content.decode()


def test_it_says_why_there_is_no_funnel_without_events(client, as_user, org, rate_definition):
    measure_of(rate_definition, org["ward"], "a", 0)
    measure_of(rate_definition, org["other_ward"], "b", 0)
    as_user("quality_lead")
    response = client.get(url())
    assert response.status_code == 200
    assert "No events were recorded in the window" in response.content.decode()


def test_it_refuses_a_definition_that_is_not_a_rate_or_proportion(client, as_user, org):
    definition = control_services.measure_definition_create(
        by=None, code="count-only", **{**SHARE_FIELDS, "name": "Counted", "chart": "c"}
    )
    as_user("quality_lead")
    response = client.get(url(definition.code))
    assert response.status_code == 200
    assert "not a proportion or a rate" in response.content.decode()


# The bright spot link ---------------------------------------------------------------------


@pytest.mark.parametrize(("who", "linked"), [("quality_lead", True), ("admin", True)])
def test_it_offers_deciders_to_record_a_better_unit_as_a_bright_spot(
    client, as_user, falls, monkeypatch, who, linked
):
    monkeypatch.setattr(selectors, "_bright_spot_base", lambda: "/learn/bright-spots/new/")
    as_user(who)
    rows = client.get(url()).context["comparison"].rows
    ward = next(r for r in rows if r.measure == falls["ward"])
    assert (
        ward.bright_spot_url == f"/learn/bright-spots/new/?measure={falls['ward'].pk}&kind=funnel"
    )
    # Worse than expected, or within: no link.
    assert [r.bright_spot_url for r in rows if r.measure != falls["ward"]] == ["", ""] + (
        [""] if who == "admin" else []
    )


def test_it_offers_no_bright_spot_link_to_people_who_cannot_decide(client, org, falls, monkeypatch):
    monkeypatch.setattr(selectors, "_bright_spot_base", lambda: "/learn/bright-spots/new/")
    coach = make_person("coach", (Role.IMPROVEMENT_COACH, org["division"]))
    client.force_login(coach)
    rows = client.get(url()).context["comparison"].rows
    assert len(rows) == 3 and all(r.bright_spot_url == "" for r in rows)
    assert "Record as a bright spot" not in client.get(url()).content.decode()


def test_it_links_to_the_bright_spot_page_when_it_exists(client, as_user, falls):
    from django.urls import NoReverseMatch

    as_user("quality_lead")
    ward = client.get(url()).context["comparison"].rows[0]
    try:
        reverse("learning:bright-spot-new")
    except NoReverseMatch:
        assert ward.bright_spot_url == ""  # not built yet: no link rather than an error
    else:
        assert ward.bright_spot_url.endswith(f"?measure={falls['ward'].pk}&kind=funnel")


# Bounded queries and bad input ----------------------------------------------------------


def test_it_reads_the_page_in_the_same_queries_whatever_the_number_of_units(
    client, as_user, org, rate_definition, falls, django_assert_max_num_queries
):
    from qms.people import services as people_services

    as_user("admin")
    client.get(url())
    with django_assert_max_num_queries(30) as small:
        client.get(url())
    for number in range(8):
        unit = people_services.unit_create(
            by=None, name=f"Extra {number}", code=f"extra-{number}", kind="ward",
            parent=org["other_service"],
        )  # fmt: skip
        measure_of(rate_definition, unit, f"extra-{number}-falls", 4 + number % 3)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url())
    assert (
        len(response.context["comparison"].rows) + len(response.context["comparison"].left_out)
        == 12
    )


@pytest.mark.parametrize(
    "query",
    [
        {"months": "abc"},
        {"months": "99999999999999999999"},
        {"months": "-1"},
        {"months": "7"},
        {"overdispersion": "x" * 10000},
        {"months": "１２"},
    ],
)
def test_it_survives_bad_choices(client, as_user, falls, query):
    as_user("quality_lead")
    response = client.get(url(**query))
    assert response.status_code in (200, 400)
    assert response.context["comparison"].months == 12 or "overdispersion" in query


def test_it_survives_a_hostile_code(client, as_user, falls):
    as_user("quality_lead")
    assert client.get("/learn/compare/" + "a" * 5000 + "/").status_code == 404
    assert client.get("/learn/compare/%00/").status_code == 404


def test_the_learn_home_lists_definitions_to_compare(client, as_user, falls):
    as_user("quality_lead")
    body = client.get(reverse("learning:home")).content.decode()
    assert "Compare units" in body and url() in body
    as_user("lead")
    body = client.get(reverse("learning:home")).content.decode()
    assert url() not in body  # one unit only: nothing to compare
