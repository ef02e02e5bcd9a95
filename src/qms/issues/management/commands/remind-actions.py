"""`qms remind-actions`: tell the owners of overdue actions, for cron (or a scheduler) to run
once a day beside `qms send-digest`. Each owner hears once about each overdue action (again
only if its due date is moved and passes). It queues the work as a task, so a worker does it
when the database back end is used."""

from django.core.management.base import BaseCommand

from qms.issues.tasks import remind_overdue_actions


class Command(BaseCommand):
    help = "Queue the reminders to the owners of overdue actions."

    def handle(self, *args, **options):
        result = remind_overdue_actions.enqueue()
        self.stdout.write(f"Overdue action reminders queued ({result.status}).")
