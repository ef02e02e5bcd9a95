"""`qms run-periodic`: the scheduler of the daily jobs (digest, reminders, bright spots, the
reporting culture, sealing surveys) and of the check for stale results. Run one or more, on
any machines sharing a PostgreSQL database (each job runs once); see qms.core.periodic."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from qms.core import periodic


class Command(BaseCommand):
    help = "Run the daily jobs and the stale-result check on their schedule, for ever."

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="Run what is due now, then exit (for cron)."
        )
        parser.add_argument(
            "--list",
            dest="list_jobs",
            action="store_true",
            help="List the jobs and their schedule, then exit.",
        )

    def handle(self, *args, once=False, list_jobs=False, **options):
        jobs = periodic.jobs_from_settings()
        if list_jobs:
            for job in jobs:
                when = f"daily at {job.daily_at:%H:%M}" if job.daily_at else f"every {job.every}"
                self.stdout.write(f"{job.name}: {when}")
            return
        if once:
            outcomes = periodic.run_due(timezone.now(), jobs)
            for name, outcome in outcomes.items():
                self.stdout.write(f"{name}: {outcome}")
            if not outcomes:
                self.stdout.write("Nothing is due.")
            return
        self.stdout.write(f"Running {len(jobs)} periodic jobs (--list shows them).")
        periodic.run_forever(jobs)
