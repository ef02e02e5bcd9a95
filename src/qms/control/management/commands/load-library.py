"""`qms load-library`: bring the installation's national standards and measure definitions up to
date with the library shipped with QMS (or the files in `--from DIR`). Run it after `qms migrate`
on each upgrade; running it again changes nothing."""

from django.core.management.base import BaseCommand, CommandError

from qms.control.library import LIBRARY_DIR, LibraryError, library_load, read_library


class Command(BaseCommand):
    help = (
        "Load the library of national standards and measure definitions: create what is new, "
        "update what changed (with history), leave the rest. All or nothing; deletes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--from",
            dest="directory",
            default=str(LIBRARY_DIR),
            help="A directory holding standards.toml and measures.toml (default: QMS's own).",
        )

    def handle(self, *args, directory: str, **options):
        try:
            # The operator's shell is the authority here (by=None), as for the other commands.
            report = library_load(by=None, library=read_library(directory))
        except LibraryError as error:
            raise CommandError(f"Nothing was loaded. {error}") from None
        for line in report.lines():
            self.stdout.write(line)
