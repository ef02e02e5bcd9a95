"""The organisation file's template, as an Excel workbook and as one CSV file, with a small
example organisation in it (`qms organisation-template`; the copies in docs/onboarding are made
by it, and a test keeps them equal)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from qms.onboarding.files import COLUMNS, RECORD_COLUMN, REQUIRED
from qms.people.models import ProfessionalGroup, UnitKind
from qms.people.roles import Role

# A small board: parents may come after children, a person may hold several roles.
EXAMPLE = {
    "units": [
        ("nhs-example", "NHS Example", "Board", ""),
        ("ward-7", "Ward 7 (care of the elderly)", "Ward", "medicine"),
        ("ward-8", "Ward 8 (respiratory)", "Ward", "medicine"),
        ("acute", "Acute Division", "Division", "nhs-example"),
        ("medicine", "Medicine", "Service", "acute"),
    ],
    "people": [
        (
            "ceo@example.org", "Alex Morgan", "Chief executive", "Management and administration",
            "nhs-example", "Executive / board member",
        ),
        (
            "quality@example.org", "Sam Patel", "Head of quality", "Nursing and midwifery",
            "acute", "Quality lead",
        ),
        (
            "charge.nurse@example.org", "Jo Reid", "Senior charge nurse", "Nursing and midwifery",
            "ward-7", "Team lead",
        ),
        ("charge.nurse@example.org", "Jo Reid", "", "", "ward-8", "Improvement coach"),
        (
            "staff.nurse@example.org", "Kim Lee", "Staff nurse", "Nursing and midwifery",
            "ward-7", "Team member",
        ),
        ("analyst@example.org", "Ravi Shah", "Information analyst", "", "acute", "Analyst"),
    ],
    "measures": [
        ("ward-7", "falls-rate", "charge.nurse@example.org", "5"),
        ("ward-7", "hand-hygiene", "charge.nurse@example.org", ""),
        ("ward-8", "pressure-ulcers", "charge.nurse@example.org", ""),
    ],
}  # fmt: skip

# What each column holds, for the read-me sheet.
HELP = {
    "units": {
        "code": "a short stable code, letters, digits and hyphens (ward-7); how the file and QMS "
        "know the unit",
        "name": "the unit's name as staff know it",
        "kind": f"one of {', '.join(UnitKind.labels)}",
        "parent": "the code of the unit it is in (empty only for the board, the root); "
        "parents may come after children",
    },
    "people": {
        "email": "their work e-mail address: how QMS knows them, and their user name",
        "name": "as colleagues know them",
        "job title": "optional",
        "professional group": f"optional: {', '.join(ProfessionalGroup.labels)}",
        "unit": "the code of the unit where they hold the role (it reaches the units below)",
        "role": "one of "
        + ", ".join(str(label) for value, label in Role.choices if value != "system_administrator")
        + ". One row per role: repeat the person on another row for another role or unit",
    },
    "measures": {
        "unit": "the code of the unit the measure is for",
        "measure": "the code of a measure in the product library (qms load-library)",
        "owner": "the e-mail of the person who owns it; they hold a role in the unit or above",
        "target": "optional: the unit's own target, replacing the library's suggested one",
    },
}


def workbook_bytes() -> bytes:
    """The template as an Excel workbook: a read-me sheet, then units, people and measures with
    the example organisation, headings bold and frozen, the choices offered as drop-down lists."""
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = openpyxl.Workbook()
    readme = workbook.active
    readme.title = "read me"
    readme.append(["QMS organisation file: fill in the sheets units, people and measures."])
    readme.append(["Import it with: qms import-organisation FILE --dry-run, then without."])
    readme.append(["Columns in bold are required. Row numbers in messages are this workbook's."])
    for sheet, columns in HELP.items():
        readme.append([])
        readme.append([sheet])
        readme[readme.max_row][0].font = Font(bold=True)
        for column, text in columns.items():
            readme.append([column, text])
    readme.column_dimensions["A"].width = 20
    readme.column_dimensions["B"].width = 110
    choices = {
        ("units", "kind"): list(UnitKind.labels),
        ("people", "role"): [
            str(label) for value, label in Role.choices if value != "system_administrator"
        ],
        ("people", "professional group"): [str(label) for label in ProfessionalGroup.labels],
    }
    for sheet_name, columns in COLUMNS.items():
        sheet = workbook.create_sheet(sheet_name)
        sheet.append(list(columns))
        for cell in sheet[1]:
            cell.font = Font(bold=cell.value in REQUIRED[sheet_name])
        for row in EXAMPLE[sheet_name]:
            sheet.append(list(row))
        sheet.freeze_panes = "A2"
        for position, column in enumerate(columns):
            letter = chr(ord("A") + position)
            sheet.column_dimensions[letter].width = 28
            listed = choices.get((sheet_name, column))
            if listed:
                validation = DataValidation(
                    type="list", formula1='"' + ",".join(listed) + '"', allow_blank=True
                )
                sheet.add_data_validation(validation)
                validation.add(f"{letter}2:{letter}5000")
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def csv_text() -> str:
    """The template as one CSV file: the column record names each row's sheet, and each row
    fills its sheet's columns (the others stay empty)."""
    every = list(dict.fromkeys(column for columns in COLUMNS.values() for column in columns))
    names = {"units": "unit", "people": "person", "measures": "measure"}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([RECORD_COLUMN, *every])
    for sheet_name, columns in COLUMNS.items():
        for row in EXAMPLE[sheet_name]:
            cells = dict(zip(columns, row, strict=True))
            writer.writerow([names[sheet_name], *(cells.get(column, "") for column in every)])
    return out.getvalue()


def write_templates(directory: Path) -> list[Path]:
    """Write organisation-template.xlsx and organisation.csv into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    workbook = directory / "organisation-template.xlsx"
    workbook.write_bytes(workbook_bytes())
    example = directory / "organisation.csv"
    example.write_text(csv_text(), encoding="utf-8")
    return [workbook, example]
