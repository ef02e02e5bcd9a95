"""`qms send-digest`: the daily e-mail digest of notifications, for cron (or a scheduler) to run
once a day. It queues the work as a task, so a worker sends it when the database back end is
used."""

from django.core.management.base import BaseCommand

from qms.notifications.tasks import send_daily_digest


class Command(BaseCommand):
    help = "Queue the daily digest of unread notifications for people who chose a daily e-mail."

    def handle(self, *args, **options):
        result = send_daily_digest.enqueue()
        self.stdout.write(f"Daily digest queued ({result.status}).")
