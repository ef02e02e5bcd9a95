"""`qms remind-audits`: tell audit leads that a re-audit is due, for cron (or a scheduler) to run
once a day beside `qms remind-improvement`. Each lead hears once about each re-audit date."""

from django.core.management.base import BaseCommand

from qms.planning.services import audits_remind_reaudit


class Command(BaseCommand):
    help = "Remind audit leads of re-audits that are due and not started."

    def handle(self, *args, **options):
        sent = audits_remind_reaudit()
        self.stdout.write(f"Re-audit reminders sent: {sent}.")
