"""`qms backup [--output PATH]`: one snapshot file of the database and the stored files, safe to
run while QMS is in use. See qms.core.backup and the README's "Backup and restore"."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from qms.core.backup import BackupError, backup_write, default_output


class Command(BaseCommand):
    help = (
        "Write one consistent snapshot (a .tar.gz, or .tar) of the database and of every stored "
        "file, with a manifest of their hashes. Safe while QMS runs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            help="The snapshot's path, ending .tar.gz or .tar "
            "(default: QMS_BACKUP_DIR/qms-<UTC time>.tar.gz).",
        )

    def handle(self, *args, output: str | None, **options):
        self.verbosity = options["verbosity"]
        if output:
            path = Path(output).expanduser().resolve()
        else:
            path = default_output()
            # The default folder is ours to make, readable by its owner only.
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        started = time.monotonic()
        try:
            manifest = backup_write(path, progress=self._say)
        except BackupError as error:
            raise CommandError(f"No snapshot was written. {error}") from None
        except DatabaseError as error:
            raise CommandError(f"No snapshot was written: the database answered {error}") from None
        files = manifest["files"]
        self.stdout.write(
            f"Wrote {path} ({_size(path.stat().st_size)}) in {time.monotonic() - started:.1f} s:\n"
            f"  the {manifest['database']['vendor']} database, "
            f"{sum(manifest['tables'].values())} rows in {len(manifest['tables'])} tables\n"
            f"  {len(files)} stored files ({_size(sum(entry['size'] for entry in files))})"
        )
        if manifest["files_gone"]:
            self.stdout.write(
                f"  {len(manifest['files_gone'])} files were deleted while the backup ran and "
                "are not in it: " + ", ".join(manifest["files_gone"][:5])
            )

    def _say(self, message: str) -> None:
        if self.verbosity > 1:
            self.stderr.write(f"{message}...")


def _size(size: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")
