"""`qms import-observations FILE`: load observations from a CSV or Excel file, all or nothing."""

import gc
import os
import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from qms.control import imports
from qms.control.services import ObservationConflict
from qms.people.models import Person
from qms.web import screening

# Problems printed before the rest are only counted: enough to fix a file, not a flood.
SHOWN_PROBLEMS = 1000
# What an Excel workbook may unpack to here: a million rows take about 220 MB. (The upload page
# allows less: a person waits for it.) Compression ratios are limited as everywhere.
MAX_UNCOMPRESSED = 1024 * 1024 * 1024


class Command(BaseCommand):
    help = (
        "Import observations from a CSV or Excel (.xlsx) file with the columns measure (the "
        "measure's code), period, value, denominator and note. Every row is checked first; "
        "with any problem nothing is saved."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A .csv (UTF-8) or .xlsx file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report; save nothing."
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Replace values already recorded for a period (the old ones stay in history).",
        )
        parser.add_argument("--reason", default="", help="Why values are replaced (required).")
        parser.add_argument(
            "--as",
            dest="username",
            help="Record the import as this person, limited to the units where they may "
            "record data. Without it the import may write to every unit.",
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=os.cpu_count() or 1,
            help="Processes for the SPC refresh when tasks run immediately (default: one per "
            "CPU). With task workers the refresh is queued for them instead.",
        )
        parser.add_argument("--no-progress", action="store_true", help="Do not draw progress bars.")

    def handle(self, *args, **options):
        # A large file makes millions of objects that live until the import ends; the cyclic
        # garbage collector would walk them again and again (a quarter of the time at a
        # million rows) while finding nothing to free. This process ends with the import.
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._import(**options)
        finally:
            if collecting:
                gc.enable()

    def _import(self, *, file, dry_run, replace, reason, username, jobs, no_progress, **options):
        started = time.perf_counter()
        if replace and not reason.strip():
            raise CommandError("--replace needs --reason: say why the recorded values change.")
        refused = screening.problems_without_prompt(reason, label="--reason")
        if refused:
            raise CommandError("; ".join(refused) + ".")
        person = None
        scope: imports.EntryScope = imports.EveryUnit()
        if username:
            try:
                person = Person.objects.get(username=username, is_active=True)
            except Person.DoesNotExist:
                raise CommandError(f"No active person has the user name {username!r}.") from None
            scope = imports.PersonScope(person)
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")

        def progress(iterable, **options):
            return tqdm(iterable, file=self.stderr._out, disable=no_progress or None, **options)

        with path.open("rb") as stream:
            try:
                records = imports.read_file(
                    stream, path.name, max_uncompressed=MAX_UNCOMPRESSED, progress=progress
                )
            except imports.ReadError as error:
                raise CommandError(str(error), returncode=1) from None
        checked = imports.preview(records, scope=scope, progress=progress)
        del records  # the checked rows are all that is needed from here on

        if checked.problems:
            self._report_problems(checked)
            self._summary(checked, started, saved=None)
            raise CommandError(
                f"{len(checked.problems):,} problem(s) found: nothing was saved.", returncode=1
            )
        if checked.conflicts and not replace:
            self._report_conflicts(checked)
            self._summary(checked, started, saved=None)
            raise CommandError(
                f"{len(checked.conflicts):,} period(s) already hold a different value: nothing "
                "was saved. Run again with --replace --reason TEXT to replace them.",
                returncode=1,
            )
        if dry_run:
            if checked.conflicts:
                self._report_conflicts(checked)
            self._summary(checked, started, saved=None)
            self.stdout.write("Dry run: nothing was saved.")
            return
        try:
            summary = imports.commit(
                checked,
                by=person,
                replace=replace,
                reason=reason.strip() or f"Imported from {path.name}",
                progress=progress,
                jobs=max(1, jobs),
            )
        except ObservationConflict as conflict:
            # Someone recorded values for these periods while the file was being checked.
            raise CommandError(
                "Values changed while the file was being checked: nothing was saved.\n"
                + "\n".join(conflict.messages[:SHOWN_PROBLEMS]),
                returncode=1,
            ) from None
        except ValidationError as error:
            raise CommandError(
                "Nothing was saved:\n" + "\n".join(error.messages[:SHOWN_PROBLEMS]), returncode=1
            ) from None
        self._summary(checked, started, saved=summary)

    def _report_problems(self, checked):
        for problem in checked.problems[:SHOWN_PROBLEMS]:
            self.stderr.write(str(problem))
        hidden = len(checked.problems) - SHOWN_PROBLEMS
        if hidden > 0:
            self.stderr.write(f"… and {hidden:,} more problem(s).")

    def _report_conflicts(self, checked):
        for conflict in checked.conflicts[:SHOWN_PROBLEMS]:
            row = conflict.new
            self.stderr.write(
                f"Row {row.row}: {row.measure.code}, {conflict.period_label} holds "
                f"{_value(conflict.old_value, conflict.old_denominator)}; the file gives "
                f"{_value(row.value, row.denominator)}"
            )
        hidden = len(checked.conflicts) - SHOWN_PROBLEMS
        if hidden > 0:
            self.stderr.write(f"… and {hidden:,} more.")

    def _summary(self, checked, started, saved):
        lines = [f"Rows read: {checked.read:,}"]
        if not checked.problems:
            if saved is None:
                new, updated, unchanged = checked.new, len(checked.conflicts), checked.unchanged
                verb = "would be "
            else:
                new, updated, unchanged = saved.created, saved.updated, saved.unchanged
                verb = ""
            lines += [
                f"New values {verb}saved: {new:,}",
                f"Values {verb}updated: {updated:,}",
                f"Unchanged: {unchanged:,}",
            ]
        lines += [
            f"Problems: {len(checked.problems):,}",
            f"Seconds: {time.perf_counter() - started:.1f}",
        ]
        self.stdout.write("\n".join(lines))


def _value(value, denominator):
    return f"{value:g}" if denominator is None else f"{value:g}/{denominator:g}"
