"""`qms seal-surveys`: seal the answers of every survey whose last day has passed (see
qms.culture.models.surveys). Run daily beside `qms send-digest`; pages that show results seal
what they show first, so nothing waits for it."""

from django.core.management.base import BaseCommand

from qms.culture.services import surveys as services


class Command(BaseCommand):
    help = "Seal the answers of surveys that have closed (shuffled into new anonymous rows)."

    def handle(self, *args, **options) -> None:
        sealed = services.surveys_seal_closed()
        self.stdout.write(f"{sealed} closed survey{'s' if sealed != 1 else ''} sealed.")
