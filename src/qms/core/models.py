"""What the shared core keeps of its own: the last run of each periodic job."""

from django.db import models


class PeriodicRun(models.Model):
    """The last run of one periodic job of `qms run-periodic` (a command and its arguments),
    so that a restarted scheduler, or a second one on another machine, knows what was already
    done: a daily job runs once a day however many schedulers there are."""

    job = models.CharField(max_length=200, unique=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["job"]

    def __str__(self) -> str:
        return self.job
