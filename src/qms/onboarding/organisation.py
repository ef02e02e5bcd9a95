"""A new organisation from one file: its units, its people and their roles, and its measures
from the product library (`qms import-organisation`, docs/onboarding.md).

Reading and checking are separate: `qms.onboarding.files` turns an Excel workbook or one CSV
file into the same `Sheet`s of numbered rows, and `plan_import` checks every row of them,
whichever the format, and says what saving would do; `plan_save` saves exactly that through
the services of people and control, all or nothing. Records are matched by unit code and by
e-mail address, so a second run of the same file changes nothing, and a file naming an
existing organisation's units adds to it.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import transaction
from django.db.models.functions import Lower

from qms.control import services as control_services
from qms.control.models import Measure, MeasureDefinition
from qms.onboarding.files import REQUIRED, SHEETS, Problem, Row, Sheet, sheet_rows
from qms.people import services as people_services
from qms.people.models import Membership, Person, ProfessionalGroup, Unit, UnitKind
from qms.people.roles import Role
from qms.web.screening import problems_without_prompt

# Ids per `IN (...)` query: below SQLite's historic limit of 999 parameters.
_IN_CHUNK = 500
# A spreadsheet circulated among staff never makes a system administrator: that role opens
# the Django admin and every unit, and is given by an administrator on the people pages.
NOT_IMPORTED_ROLES = frozenset({Role.SYSTEM_ADMINISTRATOR})
TARGET_SOURCE = "Local target in the organisation file"


# Checking ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitLine:
    row: Row
    code: str
    name: str
    kind: str
    parent: str


@dataclass(frozen=True)
class PersonLine:
    row: Row
    email: str
    name: str
    job_title: str
    professional_group: str


@dataclass(frozen=True)
class RoleLine:
    row: Row
    email: str
    unit: str
    role: str


@dataclass(frozen=True)
class MeasureLine:
    row: Row
    unit: str
    definition: MeasureDefinition
    owner: str
    target: float | None


@dataclass
class Plan:
    """What saving the file does: what is new, what changes (with the changes) and how much
    is already as the file says. With any problem, nothing is saved."""

    source: str
    problems: list[Problem] = field(default_factory=list)
    new_units: list[UnitLine] = field(default_factory=list)  # parents before children
    changed_units: list[tuple[Unit, dict]] = field(default_factory=list)
    same_units: int = 0
    new_people: list[PersonLine] = field(default_factory=list)
    changed_people: list[tuple[Person, dict]] = field(default_factory=list)
    same_people: int = 0
    new_roles: list[RoleLine] = field(default_factory=list)
    same_roles: int = 0
    new_measures: list[MeasureLine] = field(default_factory=list)
    changed_measures: list[tuple[Measure, dict]] = field(default_factory=list)
    same_measures: int = 0
    # E-mail (lower case) of everyone the file names on its people sheet.
    emails: set[str] = field(default_factory=set)

    @property
    def changes(self) -> int:
        return sum(
            len(items)
            for items in (
                self.new_units, self.changed_units, self.new_people, self.changed_people,
                self.new_roles, self.new_measures, self.changed_measures,
            )
        )  # fmt: skip


def plan_import(sheets: dict[str, Sheet], *, source: str) -> Plan:
    """Check every row of every sheet against the file itself and the database, and say what
    saving would create and change. Every problem is named by sheet, row and column; the
    database is only read."""
    plan = Plan(source=source)
    rows = {
        name: sheet_rows(sheets[name], plan.problems) if name in sheets else [] for name in SHEETS
    }
    checker = _Checker(plan)
    units = checker.units(rows["units"])
    checker.people(rows["people"], units)
    checker.measures(rows["measures"], units)
    plan.problems.sort(key=lambda problem: (SHEETS.index(problem.sheet), problem.row))
    return plan


class _Checker:
    """The checks of one file, with what it has read of the database (one query per kind of
    record, never one per row)."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.db_units: dict[str, Unit] = {}
        self.file_units: dict[str, UnitLine] = {}
        self.people_by_email: dict[str, PersonLine] = {}
        self.accounts: dict[str, Person] = {}
        # (e-mail, unit code) of every role the file or the database gives.
        self.roles_at: set[tuple[str, str]] = set()
        self.roles_read: set[int] = set()

    def problem(self, row: Row, column: str, message: str) -> None:
        self.plan.problems.append(Problem(row.sheet, row.number, column, message))

    # Units ---------------------------------------------------------------------------------

    def units(self, rows: list[Row]) -> dict[str, Unit]:
        """Check the units sheet; return every unit of the database the file may name."""
        self.db_units = {unit.code: unit for unit in Unit.objects.all()}
        kinds = _choices(UnitKind)
        first_row: dict[str, int] = {}
        for row in rows:
            code, name = row["code"], row["name"]
            self._require(row, REQUIRED["units"])
            if code:
                self._field(row, "code", code, Unit, "code")
                if code in first_row:
                    self.problem(row, "code", f"{code} is already on row {first_row[code]}")
                    continue
                first_row[code] = row.number
            if name:
                self._field(row, "name", name, Unit, "name")
                self._screen(row, "name", name)
            kind = kinds.get(row["kind"].lower()) if row["kind"] else None
            if row["kind"] and kind is None:
                self.problem(
                    row, "kind", f"unknown kind {_shown(row['kind'])}; use {_labels(UnitKind)}"
                )
            parent = row["parent"]
            if parent == code and code:
                self.problem(row, "parent", "a unit cannot be its own parent")
            elif not parent and kind and kind != UnitKind.BOARD:
                self.problem(
                    row, "parent", "only a board has no parent: name the unit this one is in"
                )
            if code:  # with its problems too: people named in it are not "unknown"
                self.file_units[code] = UnitLine(row, code, name, kind or "", parent)
        for line in self.file_units.values():
            if line.parent and not self.known_unit(line.parent):
                self.problem(
                    line.row,
                    "parent",
                    f"unknown unit {_shown(line.parent)}: it is neither in the file nor in QMS",
                )
        self._check_cycles()
        self._compare_units()
        return self.db_units

    def _check_cycles(self) -> None:
        reported: set[str] = set()
        for start in self.file_units:
            chain, code = [], start
            while code in self.file_units and code not in chain:
                chain.append(code)
                code = self.file_units[code].parent
            if code in chain and not reported & set(chain):
                cycle = chain[chain.index(code) :] + [code]
                reported.update(cycle)
                self.problem(
                    self.file_units[code].row,
                    "parent",
                    "the units " + " → ".join(cycle) + " are each other's parents (a cycle)",
                )

    def _compare_units(self) -> None:
        if self.plan.problems:
            return  # the order of a tree with problems means nothing
        for line in self._tree_order():
            unit = self.db_units.get(line.code)
            if unit is None:
                self.plan.new_units.append(line)
                continue
            parent_code = self._parent_code(unit)
            if parent_code != line.parent:
                where = f"under {parent_code}" if parent_code else "a root (no parent)"
                self.problem(
                    line.row,
                    "parent",
                    f"{line.code} is {where} in QMS; an import does not move a unit (a move is "
                    "decided in the admin)",
                )
                continue
            changes = {
                name: value
                for name, value in (("name", line.name), ("kind", line.kind))
                if getattr(unit, name) != value
            }
            if changes:
                self.plan.changed_units.append((unit, changes))
            else:
                self.plan.same_units += 1

    def _parent_code(self, unit: Unit) -> str:
        if unit.parent_id is None:
            return ""
        by_id = getattr(self, "_units_by_id", None)
        if by_id is None:
            by_id = self._units_by_id = {unit.pk: unit for unit in self.db_units.values()}
        return by_id[unit.parent_id].code

    def _tree_order(self) -> list[UnitLine]:
        """The file's units, each after its parent (parents may come after children in the
        file)."""
        ordered: list[UnitLine] = []
        placed: set[str] = set()

        def place(code: str) -> None:
            line = self.file_units[code]
            if code in placed:
                return
            if line.parent in self.file_units:
                place(line.parent)
            placed.add(code)
            ordered.append(line)

        for code in self.file_units:
            place(code)
        return ordered

    def known_unit(self, code: str) -> bool:
        return code in self.file_units or code in self.db_units

    def ancestors(self, code: str) -> list[str]:
        """The unit's code and those of the units above it (from the file, then QMS)."""
        codes: list[str] = []
        while code and code not in codes:
            codes.append(code)
            if code in self.file_units:
                code = self.file_units[code].parent
            elif code in self.db_units:
                code = self._parent_code(self.db_units[code])
            else:
                break
        return codes

    # People --------------------------------------------------------------------------------

    def people(self, rows: list[Row], units: dict[str, Unit]) -> None:
        groups = _choices(ProfessionalGroup)
        roles = _choices(Role)
        self.accounts, doubles = _accounts([row["email"].lower() for row in rows if row["email"]])
        given: dict[tuple[str, str, str], Row] = {}
        for row in rows:
            self._require(row, REQUIRED["people"])
            email, address = row["email"], row["email"].lower()
            if email:
                try:
                    validate_email(email)
                    Person._meta.get_field("email").run_validators(email)
                except ValidationError:
                    self.problem(row, "email", f"{_shown(email)} is not an e-mail address")
                    email = ""
            if email and address in doubles:
                self.problem(
                    row,
                    "email",
                    f"{doubles[address]} accounts in QMS have this e-mail address; give each its "
                    "own in the admin first",
                )
            for column, model_field in (("name", "display_name"), ("job title", "job_title")):
                if row[column]:
                    self._field(row, column, row[column], Person, model_field)
                    self._screen(row, column, row[column])
            group = groups.get(row["professional group"].lower(), "")
            if row["professional group"] and not group:
                self.problem(
                    row,
                    "professional group",
                    f"unknown professional group {_shown(row['professional group'])}; use "
                    f"{_labels(ProfessionalGroup)}",
                )
            unit = row["unit"]
            if unit and not self.known_unit(unit):
                self.problem(
                    row,
                    "unit",
                    f"unknown unit {_shown(unit)}: it is neither in the file nor in QMS",
                )
            role = roles.get(row["role"].lower()) if row["role"] else None
            if row["role"] and role is None:
                roles_named = ", ".join(
                    str(label) for value, label in Role.choices if value not in NOT_IMPORTED_ROLES
                )
                self.problem(row, "role", f"unknown role {_shown(row['role'])}; use {roles_named}")
            elif role in NOT_IMPORTED_ROLES:
                self.problem(
                    row,
                    "role",
                    "a file does not make system administrators: an administrator gives that "
                    "role on the person's page",
                )
            if not email:
                continue
            self._person_line(row, address, group)
            if unit and role:
                key = (address, unit, role)
                if key in given:
                    self.problem(
                        row, "role", f"the same role is already given on row {given[key].number}"
                    )
                    continue
                given[key] = row
                self.roles_at.add((address, unit))
        self.plan.emails = set(self.people_by_email)
        self._compare_people(units, given)

    def _person_line(self, row: Row, address: str, group: str) -> None:
        """The person's details from every row naming them: a later row may fill a cell an
        earlier one left empty, never contradict it."""
        line = PersonLine(row, row["email"], row["name"], row["job title"], group)
        first = self.people_by_email.get(address)
        if first is None:
            self.people_by_email[address] = line
            return
        for column, name in (
            ("name", "name"),
            ("job title", "job_title"),
            ("professional group", "professional_group"),
        ):
            value, before = getattr(line, name), getattr(first, name)
            if value and before and value != before:
                self.problem(row, column, f"row {first.row.number} gives {_shown(before)}")
            elif value and not before:
                first = replace(first, **{name: value})
        self.people_by_email[address] = first

    def _compare_people(self, units: dict[str, Unit], given: dict[tuple, Row]) -> None:
        new = [address for address in self.people_by_email if address not in self.accounts]
        taken = _taken_usernames([username_for(address) for address in new])
        held = _memberships(self.accounts.values())
        for address, line in self.people_by_email.items():
            person = self.accounts.get(address)
            if person is None:
                username = username_for(address)
                if username in taken:
                    self.problem(
                        line.row,
                        "email",
                        f"the user name {username} belongs to another account ({taken[username]}) "
                        "with another e-mail address",
                    )
                taken.setdefault(username, line.email)  # two addresses, one user name
                self.plan.new_people.append(line)
            elif not person.is_active:
                self.problem(
                    line.row, "email", f"{person}'s account is closed; reopen it in the admin"
                )
            else:
                changes = _person_changes(person, line)
                if changes:
                    self.plan.changed_people.append((person, changes))
                else:
                    self.plan.same_people += 1
        for (address, unit, role), row in given.items():
            person = self.accounts.get(address)
            unit_id = units[unit].pk if unit in units else None
            if person is not None and (person.pk, unit_id, role) in held:
                self.plan.same_roles += 1
            else:
                self.plan.new_roles.append(RoleLine(row, address, unit, role))
        self._add_roles_of(self.accounts.values())

    def _add_roles_of(self, people: Iterable[Person]) -> None:
        """Remember the units where these accounts hold a role in QMS (for measures' owners)."""
        todo = [person for person in people if person.pk not in self.roles_read]
        self.roles_read.update(person.pk for person in todo)
        for address, code in _held_units(todo):
            self.roles_at.add((address, code))

    # Measures ------------------------------------------------------------------------------

    def measures(self, rows: list[Row], units: dict[str, Unit]) -> None:
        codes = {row["measure"] for row in rows if row["measure"]}
        definitions = {d.code: d for d in MeasureDefinition.objects.filter(code__in=codes)}
        library_loaded = MeasureDefinition.objects.exists()
        owners = _accounts([row["owner"].lower() for row in rows if row["owner"]])[0]
        existing = _library_measures([units[code] for code in units])
        seen: dict[tuple[str, str], int] = {}
        for row in rows:
            self._require(row, REQUIRED["measures"])
            unit, code, owner = row["unit"], row["measure"], row["owner"]
            if unit and not self.known_unit(unit):
                self.problem(
                    row,
                    "unit",
                    f"unknown unit {_shown(unit)}: it is neither in the file nor in QMS",
                )
                unit = ""
            definition = definitions.get(code)
            if code and definition is None:
                hint = (
                    "" if library_loaded else " (the library is empty: run qms load-library first)"
                )
                self.problem(row, "measure", f"unknown library measure {_shown(code)}{hint}")
            address = owner.lower()
            if owner and address not in self.people_by_email:
                person = owners.get(address)
                if person is not None:
                    self._add_roles_of([person])
                if person is None or not person.is_active:
                    self.problem(
                        row,
                        "owner",
                        f"{owner} is neither on the people sheet nor an active account in QMS",
                    )
                    address = ""
            if owner and address and unit:
                above = self.ancestors(unit)
                if not any((address, code_above) in self.roles_at for code_above in above):
                    self.problem(
                        row,
                        "owner",
                        f"{owner} holds no role in {unit} or a unit above it: give them one on "
                        "the people sheet",
                    )
            target = None
            if row["target"]:
                try:
                    target = float(row["target"].replace(",", ""))
                    if not math.isfinite(target):
                        raise ValueError(target)
                except ValueError:
                    self.problem(row, "target", f"{_shown(row['target'])} is not a number")
            if not (unit and definition):
                continue
            key = (unit, code)
            if key in seen:
                self.problem(row, "measure", f"{code} in {unit} is already on row {seen[key]}")
                continue
            seen[key] = row.number
            measure = existing.get((units[unit].pk, definition.pk)) if unit in units else None
            line = MeasureLine(row, unit, definition, owner, target)
            if measure is None:
                if unit in units and units[unit].measures.filter(name=definition.name).exists():
                    self.problem(
                        row,
                        "measure",
                        f"{unit} already has a measure named “{definition.name}” not made from "
                        "the library",
                    )
                    continue
                self.plan.new_measures.append(line)
                continue
            changes = {}
            owner_person = self.accounts.get(address) or owners.get(address)
            if owner_person is None or measure.owner_id != owner_person.pk:
                changes["owner"] = address  # resolved when saving (the owner may be new)
            if target is not None and measure.target != target:
                changes["target"] = target
            if changes:
                self.plan.changed_measures.append((measure, changes))
            else:
                self.plan.same_measures += 1

    # Cells ---------------------------------------------------------------------------------

    def _require(self, row: Row, columns: Iterable[str]) -> None:
        for column in columns:
            if not row[column]:
                self.problem(row, column, "required")

    def _field(self, row: Row, column: str, value: str, model, name: str) -> None:
        """The model field's own checks (length, slug), as a form would make them."""
        model_field = model._meta.get_field(name)
        try:
            model_field.run_validators(value)
            if name == "code":
                validate_slug(value)
        except ValidationError as error:
            self.problem(row, column, " ".join(error.messages))

    def _screen(self, row: Row, column: str, value: str) -> None:
        for message in problems_without_prompt(value, label=column, multiline=False):
            self.problem(row, column, message)


def _choices(choices) -> dict[str, str]:
    """A choice by its label or its value, as people write either ("Team lead", team_lead)."""
    found = {}
    for value, label in choices.choices:
        found[value.lower()] = value
        found[value.replace("_", " ").lower()] = value
        found[str(label).lower()] = value
    return found


def _shown(value: str, limit: int = 60) -> str:
    """A cell quoted in a message, cut short: a message names the cell, it need not repeat it."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


def username_for(address: str) -> str:
    """A new account's user name: its e-mail address (lower case), without the characters
    Django refuses in user names (an apostrophe: o'brien@... signs in as obrien@...)."""
    return re.sub(r"[^\w.@+-]", "", address.lower())


def _labels(choices) -> str:
    return ", ".join(str(label) for label in choices.labels)


def _chunks(items: list, size: int = _IN_CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _accounts(emails: list[str]) -> tuple[dict[str, Person], dict[str, int]]:
    """Accounts by their e-mail address (lower case), and addresses held by several."""
    found: dict[str, Person] = {}
    counts: dict[str, int] = defaultdict(int)
    for chunk in _chunks(sorted(set(emails))):
        for person in Person.objects.annotate(address=Lower("email")).filter(address__in=chunk):
            found[person.address] = person
            counts[person.address] += 1
    return found, {address: count for address, count in counts.items() if count > 1}


def _taken_usernames(addresses: list[str]) -> dict[str, str]:
    taken: dict[str, str] = {}
    for chunk in _chunks(addresses):
        for person in Person.objects.filter(username__in=chunk):
            taken[person.username] = str(person)
    return taken


def _memberships(people: Iterable[Person]) -> set[tuple[int, int, str]]:
    ids = [person.pk for person in people]
    held = set()
    for chunk in _chunks(ids):
        held.update(
            Membership.objects.filter(person_id__in=chunk).values_list(
                "person_id", "unit_id", "role"
            )
        )
    return held


def _held_units(people: Iterable[Person]) -> Iterable[tuple[str, str]]:
    """(e-mail in lower case, unit code) of every role these accounts hold."""
    by_id = {person.pk: person.email.lower() for person in people}
    for chunk in _chunks(list(by_id)):
        rows = Membership.objects.filter(person_id__in=chunk).values_list("person_id", "unit__code")
        for person_id, code in rows:
            yield by_id[person_id], code


def _library_measures(units: list[Unit]) -> dict[tuple[int, int], Measure]:
    found = {}
    for chunk in _chunks([unit.pk for unit in units]):
        for measure in Measure.objects.filter(unit_id__in=chunk, definition__isnull=False):
            found[(measure.unit_id, measure.definition_id)] = measure
    return found


def _person_changes(person: Person, line: PersonLine) -> dict:
    """What the file changes of an existing account: an empty cell changes nothing."""
    changes = {}
    for name, value in (
        ("display_name", line.name),
        ("job_title", line.job_title),
        ("professional_group", line.professional_group),
    ):
        if value and getattr(person, name) != value:
            changes[name] = value
    return changes


# Saving ------------------------------------------------------------------------------------


@dataclass
class Saved:
    """The accounts made by a save, to tell how each signs in."""

    new_people: list[Person] = field(default_factory=list)


@transaction.atomic
def plan_save(plan: Plan, *, by: Person | None = None) -> Saved:
    """Save what `plan` found, all or nothing, through the services of people and control (so
    their rules apply and history records `by`, None for the operator, and why). A plan with
    problems saves nothing."""
    if plan.problems:
        raise ValidationError([str(problem) for problem in plan.problems])
    reason = f"Imported from {plan.source}"
    units = {unit.code: unit for unit in Unit.objects.all()}
    for line in plan.new_units:
        units[line.code] = people_services.unit_create(
            by=by,
            name=line.name,
            code=line.code,
            kind=line.kind,
            parent=units[line.parent] if line.parent else None,
        )
    for unit, changes in plan.changed_units:
        people_services.unit_update(by=by, unit=unit, reason=reason, **changes)
    saved = Saved()
    accounts, _ = _accounts(list(plan.emails))
    for line in plan.new_people:
        person = people_services.person_create(
            by=by,
            username=username_for(line.email),
            display_name=line.name,
            email=line.email,
            job_title=line.job_title,
            professional_group=line.professional_group,
        )
        accounts[line.email.lower()] = person
        saved.new_people.append(person)
    for person, changes in plan.changed_people:
        people_services.person_update(by=by, person=person, **changes)
    for role in plan.new_roles:
        people_services.membership_add(
            by=by, person=accounts[role.email], unit=units[role.unit], role=role.role
        )
    owners, _ = _accounts(
        [line.owner.lower() for line in plan.new_measures]
        + [changes["owner"] for _, changes in plan.changed_measures if "owner" in changes]
    )
    owners.update(accounts)
    for line in plan.new_measures:
        control_services.measure_create_from_library(
            by=by,
            unit=units[line.unit],
            definition=line.definition,
            owner=owners[line.owner.lower()],
            target=line.target,
            target_source=TARGET_SOURCE if line.target is not None else "",
            reason=reason,
        )
    for measure, changes in plan.changed_measures:
        fields = dict(changes)
        if "owner" in fields:
            fields["owner"] = owners[fields["owner"]]
        if "target" in fields:
            fields["target_source"] = TARGET_SOURCE
        control_services.measure_update(by=by, measure=measure, reason=reason, **fields)
    return saved
