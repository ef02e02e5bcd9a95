"""The product library: national standards and measure definitions, kept as data files beside
this module (`standards.toml`, `measures.toml`; their terms in `README.md`) and loaded into any
installation with `qms load-library`.

`read_library` reads and checks both files and returns them as records, or raises a
`LibraryError` naming the file and the record; `library_load` writes them through the services
(created, updated with the reason "Library update" in history, or left as they are), all or
nothing. Nothing an installation made itself is touched: local standards, measures (which are
copies of a definition) and anything no longer in the files stay as they are.
"""

from __future__ import annotations

import tomllib
from contextlib import contextmanager
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from qms.control import services
from qms.control.models import MeasureDefinition, Standard
from qms.people.models import Person
from qms.web.screening import problems_without_prompt

LIBRARY_DIR = Path(__file__).resolve().parent
STANDARDS_FILE = "standards.toml"
MEASURES_FILE = "measures.toml"
LIBRARY_REASON = "Library update"


class LibraryError(Exception):
    """A library file that cannot be loaded; the message names the file and the record."""


@dataclass(frozen=True)
class StandardRecord:
    code: str
    title: str
    statement: str
    source: str


@dataclass(frozen=True)
class DefinitionRecord:
    """One measure definition as the file gives it; `standard` is a standard's code."""

    code: str
    name: str
    kind: str
    domain: str
    chart: str
    frequency: str
    direction: str
    operational_definition: str
    numerator_definition: str = ""
    denominator_definition: str = ""
    data_source: str = ""
    multiply: float = 1.0
    unit_label: str = ""
    standard: str | None = None
    target: float | None = None
    target_source: str = ""
    rules: str = "mdc"


@dataclass(frozen=True)
class Library:
    standards: tuple[StandardRecord, ...]
    definitions: tuple[DefinitionRecord, ...]


KINDS = ("standards", "measure definitions")
OUTCOMES = ("created", "updated", "left")


@dataclass
class LoadReport:
    """What a load did: for each kind of record, the codes created, updated and left as they
    were."""

    codes: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def add(self, kind: str, outcome: str, code: str) -> None:
        self.codes.setdefault((kind, outcome), []).append(code)

    def of(self, kind: str, outcome: str) -> list[str]:
        return self.codes.get((kind, outcome), [])

    def lines(self) -> list[str]:
        """One line per kind of record, for the command's output."""
        lines = []
        for kind in KINDS:
            created, updated, left = (self.of(kind, outcome) for outcome in OUTCOMES)
            line = (
                f"{kind.capitalize()}: {len(created)} created, {len(updated)} updated, "
                f"{len(left)} left as they were."
            )
            if updated:
                line += f" Updated: {', '.join(updated)}."
            lines.append(line)
        return lines


# Reading -----------------------------------------------------------------------------------

_TEXT = str
_NUMBER = (int, float)


def read_library(directory: Path | str = LIBRARY_DIR) -> Library:
    """Read and check the library files in `directory`; raise LibraryError naming the file and
    the record for the first problem found. Checks need no database."""
    directory = Path(directory)
    standard_rows = _read(directory / STANDARDS_FILE, "standard")
    definition_rows = _read(directory / MEASURES_FILE, "measure")
    standards = tuple(
        _record(StandardRecord, row, STANDARDS_FILE, "standard", number)
        for number, row in enumerate(standard_rows, start=1)
    )
    _check_unique(standards, STANDARDS_FILE, "standard")
    for number, record in enumerate(standards, start=1):
        _check_model(Standard(**vars(record), scope="national"), STANDARDS_FILE, "standard", number)
    definitions = tuple(
        _record(DefinitionRecord, row, MEASURES_FILE, "measure", number)
        for number, row in enumerate(definition_rows, start=1)
    )
    _check_unique(definitions, MEASURES_FILE, "measure")
    codes = {standard.code for standard in standards}
    for number, record in enumerate(definitions, start=1):
        where = _where(MEASURES_FILE, "measure", number, record.code)
        if record.standard is not None and record.standard not in codes:
            raise LibraryError(f"{where}: standard {record.standard!r} is not in {STANDARDS_FILE}")
        values = {**vars(record), "standard": None}
        _check_model(MeasureDefinition(**values), MEASURES_FILE, "measure", number)
    return Library(standards=standards, definitions=definitions)


def _read(path: Path, table: str) -> list:
    try:
        with path.open("rb") as stream:
            content = tomllib.load(stream)
    except FileNotFoundError:
        raise LibraryError(f"{path}: the file is missing") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise LibraryError(f"{path.name}: not valid TOML: {error}") from None
    other = set(content) - {table}
    if other:
        raise LibraryError(
            f"{path.name}: unexpected {', '.join(sorted(other))}; only [[{table}]] records "
            "belong here"
        )
    rows = content.get(table, [])
    if not isinstance(rows, list):
        raise LibraryError(f"{path.name}: {table} must be a list of [[{table}]] records")
    return rows


def _where(file: str, table: str, number: int, code: object = None) -> str:
    named = f" ({code})" if isinstance(code, str) and code else ""
    return f"{file}, {table} {number}{named}"


def _record(kind, row: object, file: str, table: str, number: int):
    if not isinstance(row, dict):
        raise LibraryError(f"{_where(file, table, number)}: not a [[{table}]] record")
    where = _where(file, table, number, row.get("code"))
    known = {item.name: item for item in fields(kind)}
    unknown = set(row) - set(known)
    if unknown:
        raise LibraryError(f"{where}: unknown field {', '.join(sorted(unknown))}")
    missing = [name for name, item in known.items() if _required(item) and name not in row]
    if missing:
        raise LibraryError(f"{where}: missing field {', '.join(missing)}")
    for name, value in row.items():
        expected = _NUMBER if name in {"multiply", "target"} else _TEXT
        if isinstance(value, bool) or not isinstance(value, expected):
            wanted = "a number" if expected is _NUMBER else "text"
            raise LibraryError(f"{where}: {name} must be {wanted}, not {value!r}")
    values = {
        name: float(value) if name in {"multiply", "target"} else value
        for name, value in row.items()
    }
    return kind(**values)


def _required(item) -> bool:
    return item.default is MISSING


def _check_unique(records, file: str, table: str) -> None:
    first: dict[str, int] = {}
    for number, record in enumerate(records, start=1):
        if record.code in first:
            raise LibraryError(
                f"{_where(file, table, number, record.code)}: the code is already used by "
                f"{table} {first[record.code]}"
            )
        first[record.code] = number


def _check_model(instance, file: str, table: str, number: int) -> None:
    """The model's own checks (choices, lengths, slugs) and the screening every text in QMS
    passes, without the database (uniqueness is checked on the records)."""
    where = _where(file, table, number, instance.code)
    try:
        instance.clean_fields(exclude=["standard", "unit"])
        instance.clean()
    except ValidationError as error:
        problems = "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
        )
        raise LibraryError(f"{where}: {problems}") from None
    for item in instance._meta.concrete_fields:
        value = getattr(instance, item.attname)
        if isinstance(value, str) and value:
            problems = problems_without_prompt(value, label=item.name)
            if problems:
                raise LibraryError(f"{where}: {'; '.join(problems)}")


# Loading -----------------------------------------------------------------------------------


@transaction.atomic
def library_load(*, by: Person | None, library: Library | None = None) -> LoadReport:
    """Bring the installation's library up to date with `library` (default: the files shipped
    with QMS): create what is new, update what changed (history reason "Library update"),
    leave the rest. All or nothing; never deletes. Raises LibraryError when a national
    standard's code is already taken by a local standard."""
    library = library or read_library()
    report = LoadReport()
    standards = _load_standards(by, library, report)
    existing = {definition.code: definition for definition in MeasureDefinition.objects.all()}
    for number, record in enumerate(library.definitions, start=1):
        values = {**vars(record), "standard": standards.get(record.standard or "")}
        definition = existing.get(record.code)
        with _named(_where(MEASURES_FILE, "measure", number, record.code)):
            if definition is None:
                services.measure_definition_create(by=by, reason=LIBRARY_REASON, **values)
                report.add("measure definitions", "created", record.code)
                continue
            changes = _changes(definition, values)
            if changes:
                services.measure_definition_update(
                    by=by, definition=definition, reason=LIBRARY_REASON, **changes
                )
            report.add("measure definitions", "updated" if changes else "left", record.code)
    return report


def _load_standards(by, library: Library, report: LoadReport) -> dict[str, Standard]:
    existing = {standard.code: standard for standard in Standard.objects.select_related("unit")}
    loaded: dict[str, Standard] = {}
    for number, record in enumerate(library.standards, start=1):
        where = _where(STANDARDS_FILE, "standard", number, record.code)
        standard = existing.get(record.code)
        with _named(where):
            if standard is None:
                standard = services.standard_create(
                    by=by, unit=None, reason=LIBRARY_REASON, **vars(record)
                )
                report.add("standards", "created", record.code)
            elif standard.unit is not None:
                raise LibraryError(
                    f"{where}: the code is taken by a local standard of {standard.unit}; "
                    "give that standard another code in the admin, then load the library again"
                )
            else:
                changes = _changes(standard, vars(record))
                if changes:
                    services.standard_update(
                        by=by, standard=standard, reason=LIBRARY_REASON, **changes
                    )
                report.add("standards", "updated" if changes else "left", record.code)
        loaded[record.code] = standard
    return loaded


def _changes(instance, values: dict) -> dict:
    return {name: value for name, value in values.items() if getattr(instance, name) != value}


@contextmanager
def _named(where: str):
    """Turn a service's ValidationError into a LibraryError naming the record."""
    try:
        yield
    except ValidationError as error:
        raise LibraryError(f"{where}: {'; '.join(error.messages)}") from error
