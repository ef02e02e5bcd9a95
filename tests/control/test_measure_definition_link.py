"""A measure's link to the library definition it was made from, and the reads built on it:
comparable measures with their sums over a window (learning's funnel plots), the "Compare with
other units" link, copies keeping the link, and the migration linking older measures."""

import datetime as dt

import pytest
from django.urls import reverse
from helpers import (
    empty_database,
    make_measure,
    make_person,
    migrate_to,
    record,
    schema_from_models,
)
from learning.funnel_support import *  # noqa: F403
from learning.funnel_support import measure_of, year_start

from qms.control import selectors, services


def test_it_sums_each_comparable_measure_over_the_window(org, admin, rate_definition, falls):
    found = selectors.comparable_measures(admin, rate_definition)
    assert sorted(item.measure.code for item in found) == [
        "else-falls", "surg-falls", "w7-falls", "w8-falls",
    ]  # fmt: skip
    ward = next(item for item in found if item.measure == falls["ward"])
    assert (ward.numerator, ward.denominator, ward.periods) == (24, 10800, 12)
    assert ward.first_period == year_start()
    # Six months: only the last six periods.
    six = selectors.comparable_measures(admin, rate_definition, months=6)
    assert next(i for i in six if i.measure == falls["ward"]).periods == 6


def test_it_leaves_out_data_before_the_window_and_periods_not_yet_ended(
    org, admin, rate_definition
):
    measure = measure_of(rate_definition, org["ward"], "w", 3, count=12)
    start = year_start()
    old = dt.date(start.year - 2, start.month, 1)
    record(measure, [50], start=old, denominator=900.0)
    (item,) = selectors.comparable_measures(admin, rate_definition)
    assert (item.numerator, item.periods) == (36, 12)
    # Tomorrow's window ends with the same last month (this month has not ended).
    today = dt.date.today()
    (same,) = selectors.comparable_measures(admin, rate_definition, today=today)
    assert same.last_period < today.replace(day=1)


def test_it_lists_only_measures_the_person_may_see(org, lead, outsider, rate_definition, falls):
    assert [i.measure for i in selectors.comparable_measures(lead, rate_definition)] == [
        falls["ward"]
    ]
    assert [i.measure for i in selectors.comparable_measures(outsider, rate_definition)] == [
        falls["elsewhere"]
    ]


def test_it_leaves_out_inactive_measures_and_those_adapted_to_another_chart(
    org, admin, rate_definition, falls
):
    services.measure_update(by=None, measure=falls["elsewhere"], is_active=False)
    adapted = make_measure(org["service"], "svc", definition=rate_definition, chart="c")
    found = [i.measure for i in selectors.comparable_measures(admin, rate_definition)]
    assert falls["elsewhere"] not in found and adapted not in found and len(found) == 3


def test_it_reads_comparable_measures_in_one_query_whatever_their_number(
    org, admin, rate_definition, falls, django_assert_num_queries
):
    selectors.comparable_measures(admin, rate_definition)  # the roles, cached
    with django_assert_num_queries(1):
        assert len(selectors.comparable_measures(admin, rate_definition)) == 4


def test_it_lists_definitions_two_units_measure(org, admin, lead, rate_definition, falls):
    (row,) = selectors.comparable_definitions(admin)
    assert (row.definition, row.measures, row.units) == (rate_definition, 4, 4)
    assert selectors.comparable_definitions(lead) == []  # one unit: nothing to compare


def test_a_copy_keeps_the_definition(org, lead, rate_definition, falls):
    services.measure_update(by=None, measure=falls["ward"], name="Our falls")
    copy = services.measure_copy(by=lead, measure=falls["other_ward"], unit=org["ward"])
    assert copy.definition == rate_definition


@pytest.mark.parametrize(("who", "shown"), [("quality_lead", True), ("lead", False)])
def test_the_measure_page_links_to_the_comparison_when_there_is_one(
    client, as_user, falls, who, shown
):
    as_user(who)
    body = client.get(falls["ward"].get_absolute_url()).content.decode()
    link = reverse("learning:compare", args=["falls-rate"])
    assert (link in body) is shown
    assert ("Compare with other units" in body) is shown


def test_a_measure_without_a_definition_has_no_comparison_link(client, org, quality_lead):
    measure = make_measure(org["ward"], "plain")
    client.force_login(quality_lead)
    assert "Compare with other units" not in client.get(measure.get_absolute_url()).content.decode()


# The migration --------------------------------------------------------------------------------

BEFORE = [("control", "0012_measureresult_last_centre_limits")]


@pytest.fixture
def old_state(transactional_db):
    empty_database()
    apps = migrate_to(BEFORE)
    yield apps
    schema_from_models()  # whatever happened, leave the database as the other tests expect it


def test_the_migration_links_measures_still_as_the_library_defines_them(old_state):
    apps = old_state
    Unit = apps.get_model("people", "Unit")
    Measure = apps.get_model("control", "Measure")
    Definition = apps.get_model("control", "MeasureDefinition")
    ward = Unit.objects.create(name="Ward 7", code="ward", kind="ward", path="/1/")
    common = {"kind": "process", "domain": "safe", "frequency": "month", "chart": "p",
              "direction": "increase"}  # fmt: skip
    hygiene = Definition.objects.create(
        code="hh", name="Hand hygiene", operational_definition="Done/observed", **common
    )
    # Two definitions with the same name and text: ambiguous, so neither is linked.
    for code in ("twin-a", "twin-b"):
        Definition.objects.create(code=code, name="Twin", operational_definition="Same", **common)
    same = Measure.objects.create(
        unit=ward, code="a", name="Hand hygiene", operational_definition="Done/observed", **common
    )
    other_ward = Unit.objects.create(name="Ward 8", code="ward8", kind="ward", path="/2/")
    adapted = Measure.objects.create(
        unit=other_ward, code="b", name="Hand hygiene", operational_definition="Our way", **common
    )
    twin = Measure.objects.create(
        unit=ward, code="c", name="Twin", operational_definition="Same", **common
    )
    new_apps = migrate_to([("control", "0013_measure_definition")])
    Measure = new_apps.get_model("control", "Measure")
    assert Measure.objects.get(pk=same.pk).definition_id == hygiene.pk
    assert Measure.objects.get(pk=adapted.pk).definition_id is None
    assert Measure.objects.get(pk=twin.pk).definition_id is None


def test_people_without_a_role_cannot_read_sums(org, rate_definition, falls):
    nobody = make_person("nobody")
    assert selectors.comparable_measures(nobody, rate_definition) == []
