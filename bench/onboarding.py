"""Benchmark of onboarding a board: `python bench/onboarding.py [--units 200] [--people 5000]
[--measures 2] [--months 24] [--keep DIR]`.

Writes an organisation workbook (a board, divisions, services and wards: UNITS units; PEOPLE
people, each a team member or lead of a ward, a few quality leads and executives; MEASURES
library measures on every ward) and a CSV of MONTHS months of observations for those measures,
then runs, each in its own process on a fresh SQLite database (in a temporary folder, or DIR),
as an operator would: `qms migrate`, `qms load-library`, `qms import-organisation --dry-run`,
`qms import-organisation`, the same again (nothing changes), and `qms import-observations`,
printing the seconds of each. The figures are in docs/onboarding.md.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

# Library measures a ward starts with: (code, chart needs a denominator, typical value).
WARD_MEASURES = [
    ("falls-rate", True, 6.0),
    ("hand-hygiene", True, 95.0),
    ("pressure-ulcers", False, 2.0),
    ("vte-assessment", True, 92.0),
]


def organisation(units: int, people: int) -> dict[str, list[tuple]]:
    """A board of `units` units (a tenth divisions and services, the rest wards) and `people`
    people spread over the wards, with the leads and executives a board has."""
    rows: dict[str, list[tuple]] = {"units": [], "people": []}
    rows["units"].append(("board", "NHS Bench", "Board", ""))
    divisions = [f"division-{n}" for n in range(max(1, units // 40))]
    services = [f"service-{n}" for n in range(max(1, units // 10))]
    wards = [f"ward-{n}" for n in range(units - 1 - len(divisions) - len(services))]
    for code in divisions:
        rows["units"].append((code, code.replace("-", " ").title(), "Division", "board"))
    for n, code in enumerate(services):
        rows["units"].append(
            (code, code.replace("-", " ").title(), "Service", divisions[n % len(divisions)])
        )
    for n, code in enumerate(wards):
        rows["units"].append(
            (code, code.replace("-", " ").title(), "Ward", services[n % len(services)])
        )
    rows["units"].reverse()  # children before parents, as a spreadsheet may list them
    for n in range(people):
        ward = wards[n % len(wards)]
        role = "Team lead" if n < len(wards) else "Team member"
        rows["people"].append(
            (
                f"person.{n}@bench.example.org",
                f"Person {n}",
                "Staff nurse",
                "Nursing and midwifery",
                ward,
                role,
            )
        )
    rows["people"].append(
        (
            "ceo@bench.example.org",
            "Chief Executive",
            "Chief executive",
            "",
            "board",
            "Executive / board member",
        )
    )
    rows["people"].append(
        ("quality@bench.example.org", "Head of Quality", "", "", "board", "Quality lead")
    )
    rows["wards"] = [(ward,) for ward in wards]
    return rows


def write_files(directory: Path, units: int, people: int, measures: int, months: int) -> None:
    from qms.onboarding.files import COLUMNS

    rows = organisation(units, people)
    wards = [ward for (ward,) in rows.pop("wards")]
    chosen = WARD_MEASURES[:measures]
    rows["measures"] = [
        (ward, code, f"person.{n}@bench.example.org", "")
        for n, ward in enumerate(wards)
        for code, _, _ in chosen
    ]
    workbook = openpyxl.Workbook(write_only=True)
    for name in ("units", "people", "measures"):
        sheet = workbook.create_sheet(name)
        sheet.append(list(COLUMNS[name]))
        for row in rows[name]:
            sheet.append(list(row))
    workbook.save(directory / "organisation.xlsx")
    rng = random.Random(13)
    with (directory / "observations.csv").open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["measure", "period", "value", "denominator"])
        for ward in wards:
            for code, ratio, level in chosen:
                for month in range(months):
                    period = f"{2024 + month // 12}-{month % 12 + 1:02d}"
                    if ratio and level > 50:  # a percentage: count of 100
                        writer.writerow([f"{ward}-{code}", period, rng.randint(85, 100), 100])
                    elif ratio:  # a rate per 1,000 bed days
                        writer.writerow([f"{ward}-{code}", period, rng.randint(2, 9), 900])
                    else:
                        writer.writerow([f"{ward}-{code}", period, rng.randint(0, 4), ""])
    print(
        f"{len(rows['units']):,} units, {len(rows['people']):,} people, "
        f"{len(rows['measures']):,} measures, {len(rows['measures']) * months:,} observations"
    )


def step(env: dict[str, str], *args: str) -> float:
    started = time.perf_counter()
    qms = Path(sys.executable).with_name("qms")
    subprocess.run([str(qms), *args], env=env, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    print(f"{seconds:7.1f} s  qms {' '.join(args)}", flush=True)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--measures", type=int, default=2, choices=range(0, 5))
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--keep", help="Work in this folder and keep it (default: a temporary one)")
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.config.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(options.keep or temporary)
        directory.mkdir(parents=True, exist_ok=True)
        write_files(directory, options.units, options.people, options.measures, options.months)
        env = dict(os.environ, QMS_DATA_DIR=str(directory / "data"), TASKS_BACKEND="immediate")
        organisation_file = str(directory / "organisation.xlsx")
        total = step(env, "migrate", "--no-input")
        total += step(env, "load-library")
        total += step(env, "import-organisation", organisation_file, "--dry-run")
        total += step(env, "import-organisation", organisation_file)
        total += step(env, "import-organisation", organisation_file)
        total += step(
            env, "import-observations", str(directory / "observations.csv"), "--no-progress"
        )
        print(f"{total:7.1f} s  in all")


if __name__ == "__main__":
    main()
