"""`qms restore PATH [--yes]`: bring a snapshot from `qms backup` back into the configured
database and storage. See qms.core.backup and the README's "Backup and restore"."""

import time
from pathlib import Path

from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from qms.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a snapshot made by `qms backup`: checks every part against the manifest, then "
        "replaces the database (all or nothing) and writes the stored files back."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The snapshot (.tar.gz or .tar) to restore.")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Replace a database that already holds data (without it, restore says what "
            "the database holds and stops).",
        )

    def handle(self, *args, path: str, yes: bool, **options):
        self.verbosity = options["verbosity"]
        started = time.monotonic()
        try:
            restored = backup_restore(Path(path).expanduser(), replace=yes, progress=self._say)
        except BackupError as error:
            raise CommandError(error) from None
        except DatabaseError as error:
            raise CommandError(f"The database answered: {error}") from None
        # Built charts and reports are cached by the results' version: the restored database
        # may reuse versions the cache holds from the database it replaced.
        cache.clear()
        manifest = restored.manifest
        self.stdout.write(
            f"Restored the snapshot of {manifest['created']} (QMS {manifest['qms_version']}) "
            f"in {time.monotonic() - started:.1f} s:\n"
            f"  the database: {restored.rows} rows in {restored.tables} tables, each table's "
            "rows checked against the manifest\n"
            f"  stored files: {restored.files_written} written, "
            f"{restored.files_unchanged} already there unchanged"
        )
        if restored.files_left:
            self.stdout.write(
                f"  {len(restored.files_left)} stored files are not in the snapshot and were "
                "left in place (no restored record points to them)."
            )
        if restored.migrations_to_run:
            self.stdout.write(
                f"The snapshot is older than this version of QMS: run `qms migrate` now "
                f"({len(restored.migrations_to_run)} migrations to apply), then start QMS."
            )

    def _say(self, message: str) -> None:
        if self.verbosity > 1:
            self.stderr.write(f"{message}...")
