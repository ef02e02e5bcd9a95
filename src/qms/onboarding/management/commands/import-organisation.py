"""`qms import-organisation FILE [--dry-run]`: a new organisation's units, people and measures
from one Excel workbook or CSV file, all or nothing (docs/onboarding.md)."""

import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError
from django.urls import reverse

from qms.onboarding import files, invitations, organisation

# Problems printed before the rest are only counted: enough to fix a file, not a flood.
SHOWN_PROBLEMS = 1000
# Lines printed for each kind of change unless --verbosity 2 asks for all.
SHOWN_CHANGES = 50


class Command(BaseCommand):
    help = (
        "Import an organisation's units, people (with their roles) and measures from the "
        "product library, from an Excel workbook (sheets units, people, measures) or a CSV file "
        "(first column: record). Every row is checked first; with any problem nothing is saved. "
        "Running it again changes nothing; changed names are updated. See docs/onboarding.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A .xlsx workbook or a .csv (UTF-8) file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and say what would change; save nothing."
        )
        parser.add_argument(
            "--invite",
            action="store_true",
            help="E-mail everyone on the people sheet who has no password yet a link to set "
            "one (the link works once, for PASSWORD_RESET_TIMEOUT).",
        )

    def handle(self, *args, file: str, dry_run: bool, invite: bool, verbosity: int, **options):
        started = time.perf_counter()
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        with path.open("rb") as stream:
            try:
                sheets = files.read_file(stream, path.name)
            except files.ReadError as error:
                raise CommandError(f"{path.name}: {error} Nothing was saved.") from None
        plan = organisation.plan_import(sheets, source=path.name)
        if plan.problems:
            for problem in plan.problems[:SHOWN_PROBLEMS]:
                self.stderr.write(str(problem))
            hidden = len(plan.problems) - SHOWN_PROBLEMS
            if hidden > 0:
                self.stderr.write(f"… and {hidden:,} more problem(s).")
            raise CommandError(f"{len(plan.problems):,} problem(s) found: nothing was saved.")
        everything = verbosity >= 2
        for line in _changes(plan, everything=everything):
            self.stdout.write(line)
        if dry_run:
            self.stdout.write(f"Dry run: nothing was saved ({_seconds(started)}).")
            return
        try:
            saved = organisation.plan_save(plan)
        except ValidationError as error:  # something changed in QMS since the file was checked
            raise CommandError(
                "Nothing was saved:\n" + "\n".join(error.messages[:SHOWN_PROBLEMS])
            ) from None
        except IntegrityError:  # the same, found by the database (an import running at once)
            raise CommandError(
                "Nothing was saved: units or people in the file were added to QMS while it was "
                "being checked. Run the import again."
            ) from None
        done = "Saved" if plan.changes else "Nothing to change: QMS already holds this file"
        self.stdout.write(f"{done} ({_seconds(started)}).")
        self._sign_in(saved)
        if invite:
            sent = invitations.invite(plan.emails)
            self.stdout.write(f"Invitations e-mailed: {sent:,}.")

    def _sign_in(self, saved: organisation.Saved) -> None:
        if not saved.new_people:
            return
        login = settings.SITE_URL.rstrip("/") + reverse("login")
        sso = getattr(settings, "QMS_SSO", None)
        if sso is not None:
            by_sso = (
                f"  - with single sign-on: “{sso.label}” on the log-in page ({login}); QMS "
                "finds their account by their e-mail address (not a partner's: partners use a "
                "password);\n"
            )
        else:
            by_sso = (
                "  - with single sign-on once it is configured (README, “Single sign-on”): QMS "
                "finds their account by their e-mail address (not a partner's);\n"
            )
        self.stdout.write(
            f"\n{len(saved.new_people):,} new account(s), with no password. Each person signs "
            "in either:\n"
            + by_sso
            + "  - or with a password they choose through a link QMS e-mails them: run this "
            "command again with --invite (it e-mails everyone on the people sheet who has no "
            "password yet, and changes nothing else; the links expire, and --invite sends new "
            f"ones). Their user name is their e-mail address; they sign in at {login}."
        )


def _changes(plan: organisation.Plan, *, everything: bool) -> list[str]:
    verb = "to save" if plan.changes else ""
    lines = [
        f"Units: {len(plan.new_units):,} new, {len(plan.changed_units):,} changed, "
        f"{plan.same_units:,} unchanged.",
        f"People: {len(plan.new_people):,} new, {len(plan.changed_people):,} changed, "
        f"{plan.same_people:,} unchanged.",
        f"Roles: {len(plan.new_roles):,} new, {plan.same_roles:,} already held.",
        f"Measures: {len(plan.new_measures):,} new, {len(plan.changed_measures):,} changed, "
        f"{plan.same_measures:,} unchanged.",
    ]
    detail: list[list[str]] = [
        [
            f"  new unit {line.code} “{line.name}” ({line.kind})"
            + (f" in {line.parent}" if line.parent else " (the root)")
            for line in plan.new_units
        ],
        [
            f"  unit {unit.code}: " + _described(unit, changes)
            for unit, changes in plan.changed_units
        ],
        [f"  new person {line.email} “{line.name}”" for line in plan.new_people],
        [
            f"  person {person.email}: " + _described(person, changes)
            for person, changes in plan.changed_people
        ],
        [
            f"  new role {_role(line.role)} in {line.unit} for {line.email}"
            for line in plan.new_roles
        ],
        [
            f"  new measure “{line.definition.name}” in {line.unit}, owned by {line.owner}"
            for line in plan.new_measures
        ],
        [
            f"  measure {measure.code}: " + _described(measure, changes)
            for measure, changes in plan.changed_measures
        ],
    ]
    if plan.changes:
        lines.append(f"Changes {verb}:")
    for items in detail:
        shown = items if everything else items[:SHOWN_CHANGES]
        lines.extend(shown)
        if len(items) > len(shown):
            lines.append(f"  … and {len(items) - len(shown):,} more (--verbosity 2 lists all)")
    return lines


def _described(record, changes: dict) -> str:
    return "; ".join(
        f"{name.replace('_', ' ')} “{getattr(record, name) or ''}” → “{value}”"
        for name, value in changes.items()
    )


def _role(role: str) -> str:
    from qms.people.roles import Role

    return Role(role).label


def _seconds(started: float) -> str:
    return f"{time.perf_counter() - started:.1f} s"
