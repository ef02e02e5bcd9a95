"""`qms reporting-culture`: the daily round of concerns and the reporting culture, for cron
(or a scheduler) to run once a night beside `qms send-digest`. The handlers of anonymous
concerns, and of anonymous raisers' replies, hear of them here (not at the moment they are
written, so the time of the notice says nothing about who wrote them), and every reporting
measure is brought up to date with the month just completed. `--now` does it in this process
rather than queueing it for the worker."""

from django.core.management.base import BaseCommand

from qms.culture.tasks_reporting import reporting_culture_round


class Command(BaseCommand):
    help = "Tell handlers of anonymous concerns and bring the reporting measures up to date."

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="Run here, not in the worker.")

    def handle(self, *args, **options):
        if options["now"]:
            synced = reporting_culture_round.call()
            self.stdout.write(f"Reporting culture: {synced} measure(s) brought up to date.")
            return
        result = reporting_culture_round.enqueue()
        self.stdout.write(f"Reporting culture round queued ({result.status}).")
