"""`qms import-observations FILE`: the same checks as uploads, all or nothing, with a summary."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase
from helpers import record

from qms.control.models import MeasureResult, Observation

HEADER = "measure,period,value,denominator,note\n"


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("import-observations", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(*args):
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as raised, TestCase.captureOnCommitCallbacks(execute=True):
        call_command("import-observations", *map(str, args), stdout=out, stderr=err)
    return raised.value, out.getvalue(), err.getvalue()


@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "falls.csv"
    path.write_text(HEADER + "ward-7-falls,2024-01,3,800,\nward-7-falls,2024-02,5,790,checked\n")
    return path


def test_it_imports_a_csv_file_and_refreshes_the_chart(measure, good_file):
    out, _ = run(good_file)
    assert "Rows read: 2" in out
    assert "New values saved: 2" in out
    assert "Problems: 0" in out
    assert "Seconds:" in out
    assert Observation.objects.count() == 2
    assert Observation.objects.get(period=dt.date(2024, 2, 1)).note == "checked"
    assert len(MeasureResult.objects.get(measure=measure).points) == 2


def test_it_saves_nothing_on_a_dry_run(measure, good_file):
    out, _ = run(good_file, "--dry-run")
    assert "New values would be saved: 2" in out
    assert "Dry run: nothing was saved." in out
    assert not Observation.objects.exists()


def test_it_reports_problems_by_row_and_column_and_saves_nothing(measure, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        HEADER + "ward-7-falls,2024-01,3,800,\n"
        "ward-7-falls,2024-13,3,800,\n"
        "unknown,2024-01,3,800,\n"
        "ward-7-falls,2024-01,4,800,\n"
    )
    error, out, err = run_failing(path)
    assert error.returncode == 1
    assert "3 problem(s) found: nothing was saved" in str(error)
    assert "Row 3, period:" in err
    assert "Row 4, measure:" in err
    assert "Row 5, period: row 2 already gives ward-7-falls a value for Jan 2024" in err
    assert "Problems: 3" in out
    assert not Observation.objects.exists()


def test_it_reports_problems_on_a_dry_run_too(measure, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "ward-7-falls,2024-01,lots,800,\n")
    error, _, err = run_failing(path, "--dry-run")
    assert error.returncode == 1
    assert "Row 2, value:" in err


def test_it_imports_excel_workbooks(measure, tmp_path):
    path = tmp_path / "falls.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["measure", "period", "value", "denominator"])
    workbook.active.append(["ward-7-falls", "2024-01", 3, 800])
    workbook.save(path)
    out, _ = run(path)
    assert "New values saved: 1" in out
    assert Observation.objects.get().value == 3


def test_it_replaces_recorded_values_only_with_replace_and_a_reason(measure, tmp_path, lead):
    record(measure, [4])  # January 2024, denominator 1000
    path = tmp_path / "corrected.csv"
    path.write_text(HEADER + "ward-7-falls,2024-01,5,1000,\nward-7-falls,2024-02,6,1000,\n")

    error, _, err = run_failing(path)
    assert "already hold a different value" in str(error)
    assert "Row 2: ward-7-falls, Jan 2024 holds 4/1000; the file gives 5/1000" in err
    assert Observation.objects.count() == 1

    error, _, _ = run_failing(path, "--replace")
    assert "--reason" in str(error)

    out, _ = run(path, "--replace", "--reason", "Validated figures", "--as", "lead")
    assert "Values updated: 1" in out
    assert "New values saved: 1" in out
    january = Observation.objects.get(period=dt.date(2024, 1, 1))
    assert january.value == 5
    old, new = january.history.order_by("history_date", "history_id")
    assert old.value == 4
    assert (new.value, new.history_change_reason, new.history_user) == (
        5,
        "Validated figures",
        lead,
    )


def test_it_limits_an_import_as_a_person_to_their_units(measure, good_file, outsider):
    error, _, err = run_failing(good_file, "--as", "outsider")
    assert "Row 2, measure: no measure has the code “ward-7-falls”" in err
    assert not Observation.objects.exists()


def test_it_records_the_person_it_imports_as(measure, good_file, member):
    run(good_file, "--as", "member")
    history = Observation.objects.first().history.get()
    assert history.history_user == member
    assert history.history_change_reason == "Imported from falls.csv"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["missing.csv"], "No such file"),
        (["{good}", "--as", "nobody"], "No active person"),
    ],
)
def test_it_explains_bad_arguments(measure, good_file, args, words):
    args = [str(good_file) if arg == "{good}" else arg for arg in args]
    error, _, _ = run_failing(*args)
    assert words in str(error)


def test_it_explains_an_unreadable_file(measure, tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("just some text\n")
    error, _, _ = run_failing(path)
    assert "Row 1 must name the columns" in str(error)
    assert error.returncode == 1


@pytest.mark.django_db(transaction=True)
def test_it_refreshes_results_in_several_processes_on_postgresql(org, lead, monkeypatch):
    from django.db import connection

    from qms.control import imports, services
    from qms.control.services import ObservationInput

    if connection.vendor != "postgresql":
        pytest.skip("processes share the refresh only on PostgreSQL")
    monkeypatch.setattr(imports, "REFRESH_CHUNK", 1)
    measures = [
        services.measure_create(
            by=lead,
            unit=org["ward"],
            name=f"Measure {k}",
            code=f"measure-{k}",
            kind="process",
            domain="safe",
            operational_definition="Counted.",
            frequency="month",
            chart="i",
            direction="increase",
        )
        for k in range(3)
    ]
    rows = [
        ObservationInput(measure=m, period=dt.date(2024, month, 1), value=float(month))
        for m in measures
        for month in range(1, 7)
    ]
    services.observations_save(by=lead, rows=rows, refresh=False)
    imports.refresh([m.pk for m in measures], jobs=2)
    assert MeasureResult.objects.filter(measure__in=measures).count() == 3
