"""`qms import-organisation FILE`: a new organisation's units, people and measures from one
Excel workbook or CSV file, all or nothing, idempotent, and a board report on its own data."""

import csv
import io
import re
from pathlib import Path

import openpyxl
import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase
from django.urls import reverse

from qms.control.library import library_load
from qms.control.models import Measure, MeasureResult, Observation
from qms.onboarding import template
from qms.onboarding.files import COLUMNS
from qms.people.models import Membership, Person, Unit
from qms.people.roles import Role

ROOT = Path(__file__).resolve().parents[2]
NAMES = {"units": "unit", "people": "person", "measures": "measure"}


@pytest.fixture
def library(db):
    library_load(by=None)


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        with TestCase.captureOnCommitCallbacks(execute=True):
            call_command("import-organisation", *map(str, args), stdout=out, stderr=err)
    except CommandError as error:
        pytest.fail(f"{error}\n{err.getvalue()}")
    return out.getvalue(), err.getvalue()


def run_failing(*args):
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import-organisation", *map(str, args), stdout=out, stderr=err)
    return str(raised.value), err.getvalue()


def write_xlsx(path, sheets):
    """A workbook with a sheet per name in `sheets`: its headings, then its rows."""
    workbook = openpyxl.Workbook()
    workbook.active.title = "read me"
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        sheet.append(list(COLUMNS[name]))
        for row in rows:
            sheet.append(list(row))
    workbook.save(path)
    return path


def write_csv(path, sheets):
    """The same as one CSV file: the column record names each row's sheet."""
    every = list(dict.fromkeys(column for columns in COLUMNS.values() for column in columns))
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["record", *every])
        for name, rows in sheets.items():
            for row in rows:
                cells = dict(zip(COLUMNS[name], row, strict=False))
                writer.writerow([NAMES[name], *(cells.get(column, "") for column in every)])
    return path


def organisation():
    """Units with a parent after its children, a person in two roles, measures with and
    without a target of the unit's own."""
    return {
        "units": [
            ("ward-a", "Ward A", "Ward", "medicine"),
            ("nhs-new", "NHS New", "Board", ""),
            ("medicine", "Medicine", "service", "nhs-new"),
        ],
        "people": [
            ("Chief@Example.org", "Chris Chief", "Chief executive", "", "nhs-new",
             "Executive / board member"),
            ("nurse@example.org", "Nina Nurse", "Senior charge nurse", "Nursing and midwifery",
             "ward-a", "Team lead"),
            ("nurse@example.org", "Nina Nurse", "", "", "medicine", "quality_lead"),
        ],
        "measures": [
            ("ward-a", "falls-rate", "nurse@example.org", "4.5"),
            ("ward-a", "hand-hygiene", "NURSE@example.org", ""),
        ],
    }  # fmt: skip


def assert_imported():
    board, medicine, ward = (Unit.objects.get(code=c) for c in ("nhs-new", "medicine", "ward-a"))
    assert board.parent is None and medicine.parent == board and ward.parent == medicine
    assert ward.path == f"/{board.pk}/{medicine.pk}/{ward.pk}/"
    assert ward.kind == "ward" and medicine.kind == "service"
    chief = Person.objects.get(email__iexact="chief@example.org")
    assert chief.username == "chief@example.org"
    assert not chief.has_usable_password()
    nurse = Person.objects.get(email="nurse@example.org")
    assert (nurse.display_name, nurse.job_title, nurse.professional_group) == (
        "Nina Nurse",
        "Senior charge nurse",
        "nursing",
    )
    assert set(Membership.objects.values_list("person__email", "unit__code", "role")) == {
        ("Chief@example.org", "nhs-new", Role.EXECUTIVE),
        ("nurse@example.org", "ward-a", Role.TEAM_LEAD),
        ("nurse@example.org", "medicine", Role.QUALITY_LEAD),
    }
    falls = Measure.objects.get(unit=ward, definition__code="falls-rate")
    assert (falls.code, falls.owner, falls.target) == ("ward-a-falls-rate", nurse, 4.5)
    assert falls.target_source
    hygiene = Measure.objects.get(unit=ward, definition__code="hand-hygiene")
    assert hygiene.target == hygiene.definition.target  # the library's suggestion kept
    assert hygiene.chart == hygiene.definition.chart and hygiene.owner == nurse


@pytest.mark.parametrize("write", [write_xlsx, write_csv], ids=["xlsx", "csv"])
def test_it_imports_an_organisation_from_excel_or_csv(library, tmp_path, write):
    path = write(tmp_path / f"organisation.{'xlsx' if write is write_xlsx else 'csv'}",
                 organisation())  # fmt: skip
    out, _ = run(path)
    assert "Units: 3 new" in out and "People: 2 new" in out and "Roles: 3 new" in out
    assert "Measures: 2 new" in out
    assert "2 new account(s), with no password" in out
    assert "single sign-on" in out and "--invite" in out
    assert_imported()


def test_a_dry_run_says_what_would_change_and_saves_nothing(library, tmp_path):
    path = write_xlsx(tmp_path / "organisation.xlsx", organisation())
    out, _ = run(path, "--dry-run")
    assert "new unit ward-a “Ward A” (ward) in medicine" in out
    assert "new role Quality lead in medicine for nurse@example.org" in out
    assert "new measure “Hand hygiene compliance” in ward-a, owned by NURSE@example.org" in out
    assert "Dry run: nothing was saved" in out
    assert not Unit.objects.exists() and not Person.objects.exists()
    assert not Measure.objects.exists()


def test_a_second_run_of_the_same_file_changes_nothing(library, tmp_path):
    path = write_csv(tmp_path / "organisation.csv", organisation())
    run(path)
    counts = [model.objects.count() for model in (Unit, Person, Membership, Measure)] + [
        Unit.history.count(),
        Membership.history.count(),
        Measure.history.count(),
    ]
    out, _ = run(path)
    assert "Nothing to change: QMS already holds this file" in out
    assert "Units: 0 new, 0 changed, 3 unchanged" in out
    assert "Roles: 0 new, 3 already held" in out
    assert "new account" not in out
    assert counts == [model.objects.count() for model in (Unit, Person, Membership, Measure)] + [
        Unit.history.count(),
        Membership.history.count(),
        Measure.history.count(),
    ]


def test_a_changed_name_is_updated_with_history(library, tmp_path):
    run(write_xlsx(tmp_path / "first.xlsx", organisation()))
    changed = organisation()
    changed["units"][0] = ("ward-a", "Ward A (stroke)", "Ward", "medicine")
    changed["people"][1] = (
        "NURSE@example.org", "Nina Newname", "Charge nurse", "", "ward-a", "Team lead",
    )  # fmt: skip
    changed["people"][2] = ("nurse@example.org", "Nina Newname", "", "", "medicine", "Quality lead")
    changed["measures"][0] = ("ward-a", "falls-rate", "chief@example.org", "4")
    changed["people"].append(("chief@example.org", "Chris Chief", "", "", "ward-a", "Team member"))
    out, _ = run(write_xlsx(tmp_path / "second.xlsx", changed))
    assert "unit ward-a: name “Ward A” → “Ward A (stroke)”" in out
    assert "Units: 0 new, 1 changed, 2 unchanged" in out
    assert "People: 0 new, 1 changed, 1 unchanged" in out
    ward = Unit.objects.get(code="ward-a")
    assert ward.name == "Ward A (stroke)"
    latest = ward.history.first()
    assert latest.history_change_reason == "Imported from second.xlsx"
    assert latest.prev_record.name == "Ward A"
    nurse = Person.objects.get(email="nurse@example.org")
    assert (nurse.display_name, nurse.job_title) == ("Nina Newname", "Charge nurse")
    falls = Measure.objects.get(code="ward-a-falls-rate")
    assert (falls.owner.username, falls.target) == ("chief@example.org", 4.0)
    assert falls.history.first().history_change_reason == "Imported from second.xlsx"


def test_it_adds_a_ward_and_roles_to_an_existing_organisation(library, tmp_path, org, lead):
    path = write_csv(
        tmp_path / "new-ward.csv",
        {
            "units": [("ward-9", "Ward 9", "Ward", "service")],
            "people": [
                ("LEAD@example.org", "Lead", "", "", "ward-9", "Team lead"),
                ("new.nurse@example.org", "New Nurse", "Staff nurse", "", "ward-9", "Team member"),
            ],
            "measures": [("ward-9", "pressure-ulcers", "lead@example.org", "")],
        },
    )
    out, _ = run(path)
    assert "Units: 1 new, 0 changed, 0 unchanged" in out
    assert "People: 1 new, 0 changed, 1 unchanged" in out
    ward = Unit.objects.get(code="ward-9")
    assert ward.parent == org["service"] and ward.path.startswith(org["service"].path)
    assert Membership.objects.filter(person=lead, unit=ward, role=Role.TEAM_LEAD).exists()
    assert lead.has_usable_password()  # an existing account keeps its password
    assert Measure.objects.get(unit=ward).owner == lead
    assert Person.objects.count() == 2


@pytest.mark.parametrize(
    "sheet, row, column, message",
    [
        ("units", ("ward-x", "Ward X", "Ward", "nowhere"), "parent", "unknown unit 'nowhere'"),
        ("units", ("ward-a", "Ward A again", "Ward", "medicine"), "code",
         "ward-a is already on row 2"),
        ("units", ("bad code!", "X", "Ward", "medicine"), "code", "valid “slug”"),
        ("units", ("ward-x", "Ward X", "spaceship", "medicine"), "kind",
         "unknown kind 'spaceship'; use Board, Division, Service, Team, Ward"),
        ("units", ("ward-x", "", "Ward", "medicine"), "name", "required"),
        ("units", ("trust", "A trust", "Division", ""), "parent", "only a board has no parent"),
        ("units", ("ward-x", "Bay 943 476 5919", "Ward", "medicine"), "name", "NHS or CHI number"),
        ("people", ("nurse", "N", "", "", "ward-a", "Team lead"), "email",
         "'nurse' is not an e-mail address"),
        ("people", ("x@example.org", "X", "", "", "ward-z", "Team lead"), "unit",
         "unknown unit 'ward-z': it is neither in the file nor in QMS"),
        ("people", ("x@example.org", "X", "", "", "ward-a", "Chief"), "role",
         "unknown role 'Chief'; use Team member, Team lead, Improvement coach"),
        ("people", ("x@example.org", "X", "", "", "ward-a", "System administrator"), "role",
         "does not make system administrators"),
        ("people", ("x@example.org", "X", "", "Astronaut", "ward-a", "Team lead"),
         "professional group", "unknown professional group 'Astronaut'"),
        ("people", ("nurse@example.org", "Nina Other", "", "", "ward-a", "Analyst"), "name",
         "gives 'Nina Nurse'"),
        ("people", ("nurse@example.org", "Nina Nurse", "", "", "ward-a", "team lead"), "role",
         "the same role is already given on row"),
        ("people", ("x@example.org", "X", "Carer of Mrs Jones", "", "ward-a", "Team lead"),
         "job title", "may identify a patient"),
        ("people", ("", "X", "", "", "ward-a", "Team lead"), "email", "required"),
        ("measures", ("ward-a", "no-such-measure", "nurse@example.org", ""), "measure",
         "unknown library measure 'no-such-measure'"),
        ("measures", ("ward-a", "cauti", "nobody@example.org", ""), "owner",
         "nobody@example.org is neither on the people sheet nor an active account"),
        ("measures", ("medicine", "cauti", "nurse@example.org", "lots"), "target",
         "'lots' is not a number"),
        ("measures", ("medicine", "cauti", "nurse@example.org", "nan"), "target",
         "'nan' is not a number"),
        ("people", ("x@example.org", "X", "", "", "ward-a", "R" * 500), "role",
         "unknown role 'RRRRRRRRRR"),
        ("measures", ("ward-a", "falls-rate", "nurse@example.org", ""), "measure",
         "falls-rate in ward-a is already on row"),
        ("measures", ("nhs-new", "cauti", "nurse@example.org", ""), "owner",
         "holds no role in nhs-new or a unit above it"),
        ("measures", ("ward-q", "cauti", "nurse@example.org", ""), "unit", "unknown unit 'ward-q'"),
    ],
)  # fmt: skip
def test_every_bad_row_is_named_and_nothing_is_saved(
    library, tmp_path, sheet, row, column, message
):
    sheets = organisation()
    sheets[sheet].append(row)
    # The row as the person sees it: in the workbook, on its own sheet under the heading; in
    # the CSV file, its line (units, then people, then measures, as written).
    in_sheet = 1 + len(sheets[sheet])
    in_file = 1 + sum(len(sheets[name]) for name in list(COLUMNS)[: list(COLUMNS).index(sheet) + 1])
    for write, name, number in (
        (write_xlsx, "bad.xlsx", in_sheet),
        (write_csv, "bad.csv", in_file),
    ):
        error, err = run_failing(write(tmp_path / name, sheets))
        assert "1 problem(s) found: nothing was saved" in error, err
        (line,) = err.strip().splitlines()
        assert line.startswith(f"{sheet}, row {number}, column {column}: "), line
        assert message in line, line
    assert not Unit.objects.exists() and not Person.objects.exists()


def test_an_address_with_an_apostrophe_gets_a_user_name_django_accepts(library, tmp_path):
    sheets = organisation()
    sheets["people"].append(
        ("Sean.O'Brien@example.org", "Seán O'Brien", "", "", "ward-a", "Team member")
    )
    run(write_csv(tmp_path / "org.csv", sheets))
    person = Person.objects.get(email__iexact="sean.o'brien@example.org")
    assert person.username == "sean.obrien@example.org"
    assert person.display_name == "Seán O'Brien"


def test_a_cycle_of_parents_is_named(library, tmp_path):
    sheets = organisation()
    sheets["units"] += [("a", "A", "Ward", "b"), ("b", "B", "Ward", "c"), ("c", "C", "Ward", "a")]
    _, err = run_failing(write_xlsx(tmp_path / "cycle.xlsx", sheets))
    assert "units, row 5, column parent: the units a → b → c → a are each other's parents" in err


def test_unknown_and_missing_columns_are_named(library, tmp_path):
    path = tmp_path / "columns.xlsx"
    workbook = openpyxl.Workbook()
    units = workbook.active
    units.title = "Units"
    units.append(["Code", "Name", "Colour"])
    units.append(["ward-a", "Ward A", "blue"])
    workbook.save(path)
    _, err = run_failing(path)
    assert "units, row 1, column Colour: unknown column" in err
    assert "units, row 1: the column(s) kind are missing" in err


def test_a_csv_files_heading_problems_are_named_once(library, tmp_path):
    path = tmp_path / "org.csv"
    path.write_text(
        "record,code,name,kind,parent,email,name,colour\n"
        "unit,nhs-new,NHS New,board,,,,\n"
        "person,,,,,a@example.org,A,\n"
    )
    _, err = run_failing(path)
    assert err.strip().splitlines() == [
        "units, row 1, column name: the column is named twice",
        "units, row 1, column colour: unknown column; the columns are code, name, kind, parent, "
        "email, job title, professional group, unit, role, measure, owner, target",
        "people, row 1: the column(s) unit, role are missing",
    ]


def test_a_unit_already_elsewhere_in_the_tree_is_not_moved(library, tmp_path, org):
    path = write_csv(
        tmp_path / "move.csv", {"units": [("ward", "Ward 7", "Ward", "other-service")]}
    )
    _, err = run_failing(path)
    assert "ward is under service in QMS; an import does not move a unit" in err
    assert Unit.objects.get(code="ward").parent == org["service"]


def test_one_bad_row_in_five_hundred_saves_nothing(library, tmp_path):
    sheets = organisation()
    sheets["people"] += [
        (f"person{n}@example.org", f"Person {n}", "Nurse", "", "ward-a", "Team member")
        for n in range(496)
    ]
    sheets["people"][300] = ("person-300", "Person 300", "", "", "ward-a", "Team member")
    _, err = run_failing(write_csv(tmp_path / "big.csv", sheets))
    assert err.strip().splitlines() == [
        "people, row 305, column email: 'person-300' is not an e-mail address"
    ]
    assert not Unit.objects.exists() and not Person.objects.exists()
    assert not Membership.objects.exists() and not Measure.objects.exists()


def test_files_that_cannot_be_read_say_why(db, tmp_path):
    old = tmp_path / "org.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    assert "old Excel file" in run_failing(old)[0]
    broken = tmp_path / "org.xlsx"
    broken.write_bytes(b"not a zip")
    assert "not an Excel workbook" in run_failing(broken)[0]
    no_record = tmp_path / "org.csv"
    no_record.write_text("code,name,kind,parent\nward-a,Ward A,ward,\n")
    assert "first column of a CSV file must be record" in run_failing(no_record)[0]
    unknown = tmp_path / "kinds.csv"
    unknown.write_text("record,code,name,kind,parent\nspaceship,a,A,board,\n")
    assert "Row(s) 2: the column record must say unit, person or measure" in run_failing(unknown)[0]
    latin = tmp_path / "latin.csv"
    latin.write_bytes("record,code,name,kind,parent\nunit,a,Caf\xe9,board,\n".encode("latin-1"))
    assert "not UTF-8" in run_failing(latin)[0]
    assert "No such file" in run_failing(tmp_path / "missing.csv")[0]
    assert not Unit.objects.exists()


def test_invite_emails_a_set_password_link_to_people_without_a_password(
    library, tmp_path, lead, org
):
    path = write_csv(
        tmp_path / "org.csv",
        {"people": [
            ("new@example.org", "New Person", "", "", "ward", "Team member"),
            ("lead@example.org", "Lead", "", "", "ward", "Team lead"),
        ]},
    )  # fmt: skip
    out, _ = run(path, "--invite")
    assert "Invitations e-mailed: 1." in out
    (message,) = mail.outbox
    assert message.to == ["new@example.org"]
    link = re.search(r"http\S+/accounts/reset/\S+", message.body).group(0)
    person = Person.objects.get(email="new@example.org")
    assert "Your user name is new@example.org" in message.body
    assert "Ward 7" in message.body
    assert person.username in message.body and link


def test_the_shipped_templates_are_current_and_import_cleanly(library, tmp_path):
    shipped = ROOT / "docs" / "onboarding"
    assert (shipped / "organisation.csv").read_text(encoding="utf-8") == template.csv_text()
    made = openpyxl.load_workbook(io.BytesIO(template.workbook_bytes()))
    committed = openpyxl.load_workbook(shipped / "organisation-template.xlsx")
    assert made.sheetnames == committed.sheetnames == ["read me", "units", "people", "measures"]
    for name in made.sheetnames:
        assert [list(r) for r in made[name].values] == [list(r) for r in committed[name].values]
    out, _ = run(shipped / "organisation-template.xlsx", "--dry-run")
    assert "Units: 5 new" in out and "Measures: 3 new" in out
    out, _ = run(shipped / "organisation.csv")
    assert "Units: 5 new" in out and "People: 5 new" in out and "Roles: 6 new" in out


def test_the_board_report_shows_the_imported_measures_with_their_data(library, tmp_path, client):
    """The one-hour path: organisation, measures from the library, observations, report."""
    run(write_xlsx(tmp_path / "organisation.xlsx", organisation()))
    observations = tmp_path / "observations.csv"
    lines = ["measure,period,value,denominator"]
    for month in range(1, 13):
        lines.append(f"ward-a-falls-rate,2025-{month:02d},{3 + month % 4},{900 + month}")
        lines.append(f"ward-a-hand-hygiene,2025-{month:02d},{90 + month % 5},100")
    observations.write_text("\n".join(lines) + "\n")
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("import-observations", str(observations), "--no-progress",
                     stdout=io.StringIO(), stderr=io.StringIO())  # fmt: skip
    assert Observation.objects.count() == 24
    assert MeasureResult.objects.count() == 2
    board = Unit.objects.get(code="nhs-new")
    url = reverse("control:quality-report", args=[board.pk])

    client.force_login(Person.objects.get(email__iexact="chief@example.org"))
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Inpatient falls per 1,000 occupied bed days" in body
    assert "Hand hygiene compliance" in body and "Ward A" in body

    client.force_login(Person.objects.create(username="outsider", display_name="Outsider"))
    assert client.get(url).status_code == 404


def test_the_guide_is_linked_from_the_readme_and_its_links_exist():
    guide = ROOT / "docs" / "onboarding.md"
    assert "(docs/onboarding.md)" in (ROOT / "README.md").read_text()
    targets = re.findall(r"\]\(([^)#]+)\)", guide.read_text())
    assert "onboarding/organisation-template.xlsx" in targets
    for target in targets:
        assert (guide.parent / target).exists(), target
