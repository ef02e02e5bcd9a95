"""The product library: national standards and measure definitions loaded from the data files
shipped with QMS (`qms load-library`), idempotently, with history, never touching what an
installation made itself; and "Start from the library" on the new-measure page."""

import tomllib
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.urls import reverse

from qms.control import services
from qms.control.library import LIBRARY_DIR, LibraryError, library_load, read_library
from qms.control.models import Measure, MeasureDefinition, Standard

ROOT = Path(__file__).resolve().parents[2]

STANDARDS = """
[[standard]]
code = "falls-assessment"
title = "Falls prevention: multifactorial assessment"
statement = "People at risk of falling have a multifactorial assessment."
source = "NICE quality standard QS86 (paraphrased)"

[[standard]]
code = "sepsis"
title = "Sepsis: antibiotics within the hour"
statement = "People with suspected sepsis receive antibiotics within one hour."
source = "NICE quality standard QS161 (paraphrased)"
"""

MEASURES = """
[[measure]]
code = "falls-rate"
name = "Inpatient falls per 1,000 occupied bed days"
kind = "outcome"
domain = "safe"
chart = "u"
frequency = "month"
direction = "decrease"
operational_definition = "Every inpatient fall reported, per 1,000 occupied bed days."
numerator_definition = "Falls reported in the month"
denominator_definition = "Occupied bed days in the month"
multiply = 1000.0
unit_label = " per 1,000 bed days"
standard = "falls-assessment"
target = 5.0
target_source = "Falls prevention pathway"

[[measure]]
code = "sepsis-antibiotics"
name = "Minutes to antibiotics in sepsis"
kind = "process"
domain = "timely"
chart = "i"
frequency = "week"
direction = "decrease"
operational_definition = "Median minutes from triage to the first antibiotic dose."
standard = "sepsis"
"""


def library_in(directory, standards=STANDARDS, measures=MEASURES):
    directory.mkdir(exist_ok=True)
    (directory / "standards.toml").write_text(standards)
    (directory / "measures.toml").write_text(measures)
    return directory


def load(directory=None):
    out = StringIO()
    args = ["--from", str(directory)] if directory else []
    call_command("load-library", *args, stdout=out)
    return out.getvalue()


def state():
    return (
        sorted(Standard.objects.values_list("code", "title", "statement", "source", "scope")),
        sorted(MeasureDefinition.objects.values_list("code", "name", "target", "standard__code")),
        Standard.history.count(),
        MeasureDefinition.history.count(),
    )


# Loading -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_loads_the_shipped_library_and_changes_nothing_when_run_again():
    first = load()
    shipped = read_library()
    assert f"Standards: {len(shipped.standards)} created, 0 updated" in first
    assert f"Measure definitions: {len(shipped.definitions)} created" in first
    assert Standard.objects.filter(scope="national").count() == len(shipped.standards) >= 10
    assert MeasureDefinition.objects.count() == len(shipped.definitions) >= 100
    falls = MeasureDefinition.objects.get(code="falls-rate")
    assert falls.standard.code == "falls-assessment" and falls.chart == "u"
    assert falls.history.get().history_change_reason == "Library update"
    before = state()
    again = load()
    assert state() == before
    assert "Standards: 0 created, 0 updated" in again
    assert f"0 updated, {len(shipped.definitions)} left as they were" in again


@pytest.mark.django_db
def test_a_changed_file_updates_only_what_changed_with_history(tmp_path):
    load(library_in(tmp_path))
    changed = library_in(
        tmp_path,
        standards=STANDARDS.replace("within one hour.", "within one hour of being identified."),
        measures=MEASURES.replace("target = 5.0", "target = 4.5"),
    )
    output = load(changed)
    assert "Standards: 0 created, 1 updated, 1 left as they were. Updated: sepsis." in output
    assert "Measure definitions: 0 created, 1 updated, 1 left" in output
    sepsis = Standard.objects.get(code="sepsis")
    assert sepsis.statement.endswith("of being identified.")
    latest = sepsis.history.first()
    assert latest.history_change_reason == "Library update" and latest.history_user is None
    assert sepsis.history.count() == 2
    falls = MeasureDefinition.objects.get(code="falls-rate")
    assert falls.target == 4.5
    assert [h.target for h in falls.history.all()] == [4.5, 5.0]
    assert MeasureDefinition.objects.get(code="sepsis-antibiotics").history.count() == 1


@pytest.mark.django_db
def test_it_leaves_local_standards_measures_and_removed_records_alone(tmp_path, org, lead):
    load(library_in(tmp_path))
    local = services.standard_create(
        by=lead,
        unit=org["ward"],
        code="ward-falls-bundle",
        title="Ward falls bundle",
        statement="A falls care plan within 24 hours of arrival.",
        source="Agreed by the ward team",
    )
    definition = MeasureDefinition.objects.get(code="falls-rate")
    measure = services.measure_create(
        by=lead, unit=org["ward"], code="ward-falls-rate", **definition.measure_fields()
    )
    # The next version of the library drops a definition and rewords the one measured here.
    only_falls = MEASURES.split("[[measure]]")[1].replace("Every inpatient fall", "Every fall")
    load(library_in(tmp_path, measures="[[measure]]" + only_falls))
    assert MeasureDefinition.objects.filter(code="sepsis-antibiotics").exists()  # not deleted
    assert MeasureDefinition.objects.get(code="falls-rate").operational_definition.startswith(
        "Every fall"
    )
    measure.refresh_from_db()  # a measure is a copy: the library does not change it
    assert measure.operational_definition.startswith("Every inpatient fall")
    assert measure.history.count() == 1
    local.refresh_from_db()
    assert (local.scope, local.unit, local.history.count()) == ("local", org["ward"], 1)


@pytest.mark.django_db
def test_a_local_standard_holding_a_library_code_stops_the_load_and_nothing_is_loaded(
    tmp_path, org, lead
):
    services.standard_create(
        by=lead,
        unit=org["ward"],
        code="sepsis",  # the second standard of the library
        title="Sepsis on the ward",
        statement="Our own sepsis standard.",
        source="Agreed by the ward team",
    )
    with pytest.raises(CommandError) as error:
        load(library_in(tmp_path))
    assert "Nothing was loaded" in str(error.value)
    assert "standards.toml, standard 2 (sepsis)" in str(error.value)
    assert "local standard of Ward 7" in str(error.value)
    # The first standard was written before the clash was found, and rolled back with it.
    assert list(Standard.objects.values_list("code", flat=True)) == ["sepsis"]
    assert not MeasureDefinition.objects.exists()


MISSING_FIELD = MEASURES.replace('chart = "i"\n', "")
UNKNOWN_CHART = MEASURES.replace('chart = "i"', 'chart = "pie"')
DUPLICATE_CODE = MEASURES.replace('code = "sepsis-antibiotics"', 'code = "falls-rate"')
UNKNOWN_STANDARD = MEASURES.replace('standard = "sepsis"', 'standard = "stroke"')
NO_DENOMINATOR = MEASURES.replace('denominator_definition = "Occupied bed days in the month"\n', "")
WRONG_TYPE = MEASURES.replace("target = 5.0", 'target = "five"')
UNKNOWN_FIELD = MEASURES.replace('domain = "timely"', 'domain = "timely"\ncolour = "red"')
IDENTIFIER = MEASURES.replace("first antibiotic dose.", "first dose (see NHS number 943 476 5919).")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("measures", "message"),
    [
        (MISSING_FIELD, "measures.toml, measure 2 (sepsis-antibiotics): missing field chart"),
        (UNKNOWN_CHART, "measures.toml, measure 2 (sepsis-antibiotics): chart: Value 'pie'"),
        (DUPLICATE_CODE, "measures.toml, measure 2 (falls-rate): the code is already used by "
         "measure 1"),
        (UNKNOWN_STANDARD, "measure 2 (sepsis-antibiotics): standard 'stroke' is not in "
         "standards.toml"),
        (NO_DENOMINATOR, "measure 1 (falls-rate): denominator_definition: A p or u chart"),
        (WRONG_TYPE, "measure 1 (falls-rate): target must be a number, not 'five'"),
        (UNKNOWN_FIELD, "measure 2 (sepsis-antibiotics): unknown field colour"),
        (IDENTIFIER, "measure 2 (sepsis-antibiotics): operational_definition"),
        ("[[measure]\ncode = ", "measures.toml: not valid TOML"),
    ],
)  # fmt: skip
def test_a_bad_file_names_the_record_and_loads_nothing(tmp_path, measures, message):
    with pytest.raises(CommandError) as error:
        load(library_in(tmp_path, measures=measures))
    assert message in str(error.value)
    assert not Standard.objects.exists() and not MeasureDefinition.objects.exists()


@pytest.mark.django_db
def test_a_bad_standard_is_named_too(tmp_path):
    duplicate = STANDARDS.replace('code = "sepsis"', 'code = "falls-assessment"')
    with pytest.raises(LibraryError, match=r"standards.toml, standard 2 \(falls-assessment\)"):
        read_library(library_in(tmp_path, standards=duplicate))
    with pytest.raises(LibraryError, match="standards.toml: the file is missing"):
        read_library(tmp_path / "nowhere")


@pytest.mark.django_db
def test_only_system_administrators_or_the_system_change_the_library(tmp_path, lead, admin):
    library = read_library(library_in(tmp_path))
    with pytest.raises(PermissionDenied):
        library_load(by=lead, library=library)
    library_load(by=admin, library=library)
    assert MeasureDefinition.objects.get(code="falls-rate").history.get().history_user == admin


def test_the_library_files_are_package_data_so_a_wheel_ships_them():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["qms"]
    package = ROOT / "src" / "qms"
    shipped = {path for pattern in patterns for path in package.glob(pattern)}
    for name in ("standards.toml", "measures.toml", "README.md"):
        assert LIBRARY_DIR / name in shipped, name


# Start from the library ------------------------------------------------------------------


@pytest.fixture
def library(tmp_path, db):
    load(library_in(tmp_path))


def new_measure(org, **query):
    return reverse("control:measure-create", args=[org["ward"].pk]) + (
        "?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else ""
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [("lead", 200), ("quality_lead", 200), ("member", 403), ("partner", 403),
     ("outsider", 404), ("anonymous", 302)],
)  # fmt: skip
def test_only_measure_editors_start_from_the_library(client, as_user, org, library, who, status):
    as_user(who)
    response = client.get(new_measure(org, definition="falls-rate"))
    assert response.status_code == status


def test_it_fills_the_new_measure_form_in_from_a_definition(client, org, lead, library):
    client.force_login(lead)
    response = client.get(new_measure(org))
    assert b"Start from the library" in response.content
    assert b"Inpatient falls per 1,000 occupied bed days</option>" in response.content
    response = client.get(new_measure(org, definition="falls-rate"))
    form = response.context["form"]
    assert form["name"].value() == "Inpatient falls per 1,000 occupied bed days"
    assert form["code"].value() == "ward-falls-rate"
    assert (form["chart"].value(), form["multiply"].value(), form["target"].value()) == (
        "u", 1000.0, 5.0
    )  # fmt: skip
    assert form["standard"].value() == Standard.objects.get(code="falls-assessment").pk
    assert not form.is_bound  # nothing saved until the lead adapts it and presses save
    assert not Measure.objects.exists()


def test_a_measure_started_from_the_library_is_saved_as_adapted(client, org, lead, library):
    client.force_login(lead)
    form = client.get(new_measure(org, definition="falls-rate")).context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(target="4", target_source="Ward 7 falls plan", owner=lead.pk)
    response = client.post(new_measure(org, definition="falls-rate"), data)
    assert response.status_code == 302
    measure = Measure.objects.get(code="ward-falls-rate")
    assert (measure.unit, measure.chart, measure.target) == (org["ward"], "u", 4.0)
    assert measure.standard.code == "falls-assessment"
    assert measure.definition.code == "falls-rate"  # units measuring it are compared (learn)


def test_an_unknown_definition_is_named_and_the_form_stays_empty(client, org, lead, library):
    client.force_login(lead)
    response = client.get(new_measure(org, definition="no-such-measure"))
    assert response.status_code == 400
    assert b"Measure definition: Select a valid choice" in response.content
    assert response.context["form"]["name"].value() is None
    # Above the row of field and button, not squeezed into it beside the field.
    html = response.content.decode()
    assert html.index("Select a valid choice") < html.index('<form method="get"')


def test_the_standards_library_names_the_library_definitions_for_each_standard(
    client, member, library
):
    client.force_login(member)
    response = client.get(reverse("control:standards"))
    assert response.status_code == 200
    sepsis = next(s for s in response.context["standards"] if s.code == "sepsis")
    assert [d.code for d in sepsis.definitions.all()] == ["sepsis-antibiotics"]
    assert b"Minutes to antibiotics in sepsis." in response.content
