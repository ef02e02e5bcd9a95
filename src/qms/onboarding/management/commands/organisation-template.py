"""`qms organisation-template [DIR]`: write the organisation file's template (Excel) and its CSV
example, to fill in and give to `qms import-organisation`."""

from pathlib import Path

from django.core.management.base import BaseCommand

from qms.onboarding.template import write_templates


class Command(BaseCommand):
    help = (
        "Write organisation-template.xlsx and organisation.csv (the same example organisation "
        "in both formats) into DIR (default: the current directory)."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", default=".", help="Where to write them.")

    def handle(self, *args, directory: str, **options):
        for path in write_templates(Path(directory)):
            self.stdout.write(str(path))
