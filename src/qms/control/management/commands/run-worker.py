"""`qms run-worker`: a background task worker (django-tasks' db_worker) that first recovers
what a killed worker or process left behind: tasks still marked running long after they
started go back in the queue, and stale SPC results are refreshed. Run one or more, on any
machines that share the database."""

import datetime as dt

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from qms.control import services


def requeue_abandoned_tasks(older_than: dt.timedelta) -> int:
    """Tasks marked running for longer than any task takes were left by a worker that died:
    put them back in the queue. Every QMS task is safe to run twice (refreshes recompute,
    e-mails are marked as sent one by one)."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=timezone.now() - older_than
    ).update(status=TaskResultStatus.READY, started_at=None)


class Command(BaseCommand):
    help = "Recover abandoned tasks and stale results, then run the background task worker."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch", action="store_true", help="Exit when the queue is empty (for cron or CI)."
        )

    def handle(self, *args, batch=False, **options):
        if settings.TASKS_BACKEND == "database":
            requeued = requeue_abandoned_tasks(dt.timedelta(seconds=settings.TASK_ABANDONED_AFTER))
            self.stdout.write(f"Put {requeued} abandoned task(s) back in the queue.")
        refreshed = services.results_refresh_stale()
        self.stdout.write(f"Refreshed {refreshed} stale result(s).")
        if settings.TASKS_BACKEND != "database":
            self.stdout.write("Tasks run at once (TASKS_BACKEND is not 'database'): no worker.")
            return
        call_command("db_worker", batch=batch, reload=False)
