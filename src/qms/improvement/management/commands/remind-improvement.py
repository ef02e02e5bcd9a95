"""`qms remind-improvement`: tell people about overdue improvement work, for cron (or a
scheduler) to run once a day beside `qms remind-actions`. Each kind of record has its own
task in `qms.improvement.tasks` (PDSA cycles and milestones: their owner, or the project lead
when they have no owner), and each person hears once about each due date. It queues the work,
so a worker does it when the database back end is used."""

from django.core.management.base import BaseCommand

from qms.improvement import tasks

# (what is reminded, its task), one per kind of record.
REMINDERS = [
    ("overdue PDSA cycles", tasks.remind_overdue_cycles),
    ("overdue milestones", tasks.remind_overdue_milestones),
]


class Command(BaseCommand):
    help = "Queue the reminders of overdue improvement work (PDSA cycles, milestones)."

    def handle(self, *args, **options):
        for what, reminder in REMINDERS:
            result = reminder.enqueue()
            self.stdout.write(f"Reminders of {what} queued ({result.status}).")
