"""control.selectors.current_performance: the centre line and limits of each measure's current
phase, read from the stored results in the database, for quality planning's gaps."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from helpers import make_measure, record
from planning.gaps_support import measure, measures_in_bulk, result

from qms.control import selectors


def test_it_reads_the_current_phase_centre_line_and_limits_from_the_last_point(org):
    falls = measure(org["ward"], "Falls", target=5.0)
    result(falls, centre=7.5, lcl=1.0, ucl=14.0, last=4.0, assurance="hit_or_miss")
    (row,) = selectors.current_performance(org["ward"])
    assert (row.centre, row.lcl, row.ucl, row.last_value) == (7.5, 1.0, 14.0, 4.0)
    assert row.assurance.code == "hit_or_miss" and row.has_limits
    assert row.url == falls.get_absolute_url() and row.domain_label == "Safe"


def test_it_reads_a_centre_computed_by_the_spc_refresh(org):
    falls = make_measure(org["ward"], "falls", chart="i", target=5.0, target_source="Agreed")
    record(falls, [10.0, 12.0] * 10)
    (row,) = selectors.current_performance(org["ward"])
    assert row.centre == pytest.approx(11.0)
    assert row.lcl is not None and row.ucl is not None
    assert row.assurance.code == "fail"  # the target lies below the lower limit


def test_it_lists_only_active_measures_with_a_target_in_the_subtree(org):
    measure(org["ward"], "With a target", target=5.0)
    measure(org["ward"], "Without a target")
    measure(org["ward"], "Retired", target=5.0, is_active=False)
    measure(org["elsewhere"], "Elsewhere", target=5.0)
    measure(org["other_ward"], "Next door", target=5.0, domain="timely")
    names = [row.name for row in selectors.current_performance(org["service"])]
    assert names == ["Next door", "With a target"] or names == ["With a target", "Next door"]
    assert [r.name for r in selectors.current_performance(org["service"], domain="timely")] == [
        "Next door"
    ]
    below = selectors.current_performance(org["service"], below=org["ward"])
    assert [r.name for r in below] == ["With a target"]


def test_it_gives_no_centre_to_a_measure_never_analysed(org):
    measure(org["ward"], "New", target=5.0)
    (row,) = selectors.current_performance(org["ward"])
    assert row.centre is None and not row.has_limits and row.assurance.code == "none"


def test_it_narrows_to_the_measures_named(org):
    first = measure(org["ward"], "First", target=5.0)
    measure(org["ward"], "Second", target=5.0)
    assert [r.name for r in selectors.current_performance(org["ward"], measure_ids=[first.pk])] == [
        "First"
    ]
    assert selectors.current_performance(org["ward"], measure_ids=[]) == []


@pytest.mark.parametrize("count", [5, 60])
def test_it_reads_any_number_of_measures_in_one_query(org, count):
    measures_in_bulk(org["ward"], count)
    with CaptureQueriesContext(connection) as queries:
        rows = selectors.current_performance(org["board"])
    assert len(rows) == count and len(queries) == 1
    assert {row.centre for row in rows} == {20.0, 11.0, 5.0} or count < 3


def test_it_fills_the_stored_centre_and_limits_of_results_computed_before_they_were_kept(org):
    from importlib import import_module

    from django.apps import apps

    from qms.control.models import MeasureResult

    migration = import_module("qms.control.migrations.0012_measureresult_last_centre_limits")
    falls = measure(org["ward"], "Falls", target=5.0)
    stored = result(falls, centre=7.5, lcl=1.0, ucl=14.0, last=4.0, assurance="hit_or_miss")
    stored.points[-1]["y"] = None  # the last period has no value: the one before counts
    stored.points[-2]["cl"] = 7.0
    MeasureResult.objects.filter(pk=stored.pk).update(
        points=stored.points, last_centre=None, last_lcl=None, last_ucl=None
    )
    migration.fill(apps, None)
    stored.refresh_from_db()
    assert (stored.last_centre, stored.last_lcl, stored.last_ucl) == (7.0, 1.0, 14.0)
