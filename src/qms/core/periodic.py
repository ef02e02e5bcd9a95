"""The periodic jobs (`qms run-periodic`): the daily commands at a set local time, and the check
for stale SPC results every few minutes, each run once however many schedulers are started.

A job runs when it is due by its last recorded start (`PeriodicRun`), under a PostgreSQL
advisory lock named after it, and is checked again once the lock is held: two schedulers never
run the same job at once, and the second finds it done. On SQLite one scheduler process is
assumed (there is no lock between processes; the recorded start still stops a restarted one
repeating the day's jobs). A job that fails is logged and recorded, and the others still run.
The clock is passed in, so the schedule is tested without waiting.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import close_old_connections, connection
from django.utils import timezone

from qms.core.models import PeriodicRun

log = logging.getLogger("qms.periodic")

# The commands the README's production section says to run once a day.
DAILY_COMMANDS = (
    "send-digest",
    "remind-actions",
    "remind-improvement",
    "remind-audits",
    "find-bright-spots",
    "reporting-culture",
    "seal-surveys",
)
# How often the scheduler wakes to look for due jobs.
TICK_SECONDS = 30


@dataclass(frozen=True)
class Job:
    """A command with its arguments, due once a day at `daily_at` (local time) or `every` so
    long."""

    command: str
    args: tuple[str, ...] = ()
    daily_at: dt.time | None = None
    every: dt.timedelta | None = None

    @property
    def name(self) -> str:
        return " ".join((self.command, *self.args))

    def due(self, now: dt.datetime, last_started: dt.datetime | None) -> bool:
        """Whether the job should start at `now`, having last started at `last_started`."""
        if self.every is not None:
            return last_started is None or now - last_started >= self.every
        assert self.daily_at is not None
        local = timezone.localtime(now)
        today_at = dt.datetime.combine(local.date(), self.daily_at, tzinfo=local.tzinfo)
        # Past today's time and not started since: a scheduler down at that time catches up
        # once when it comes back, never once for each day it missed.
        return local >= today_at and (last_started is None or last_started < today_at)


def daily_time(text: str) -> dt.time:
    try:
        hours, minutes = (int(part) for part in text.strip().split(":"))
        return dt.time(hours, minutes)
    except ValueError:
        raise ImproperlyConfigured(
            f"QMS_PERIODIC_DAILY_AT must be a time as HH:MM (24-hour clock), not {text!r}"
        ) from None


def jobs_from_settings() -> list[Job]:
    """The daily commands at QMS_PERIODIC_DAILY_AT; the stale-result check every
    QMS_PERIODIC_STALE_MINUTES."""
    at = daily_time(settings.QMS_PERIODIC_DAILY_AT)
    minutes = settings.QMS_PERIODIC_STALE_MINUTES
    if minutes < 1:
        raise ImproperlyConfigured("QMS_PERIODIC_STALE_MINUTES must be 1 or more")
    return [
        *(Job(command, daily_at=at) for command in DAILY_COMMANDS),
        Job("refresh-results", ("--stale",), every=dt.timedelta(minutes=minutes)),
    ]


def lock_key(name: str) -> int:
    """A stable 64-bit key for PostgreSQL's advisory locks, from the job's name."""
    digest = hashlib.sha256(f"qms-periodic:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextlib.contextmanager
def job_lock(name: str) -> Iterator[bool]:
    """Hold the job's lock for the block: True if this process has it, False if another holds
    it. A session lock, not a transaction's, because the job's command commits as it goes."""
    if connection.vendor != "postgresql":
        yield True  # SQLite: one scheduler process (see the module's docstring)
        return
    key = lock_key(name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def run_command(job: Job) -> str:
    """Run the job's command in this process; returns what it printed."""
    out = io.StringIO()
    call_command(job.command, *job.args, stdout=out, stderr=out)
    return out.getvalue().strip()


def run_due(
    now: dt.datetime, jobs: Sequence[Job], run: Callable[[Job], str] = run_command
) -> dict[str, str]:
    """Run every job due at `now`, each under its lock; returns what became of each job looked
    at: "ran", "failed", "busy" (another scheduler holds it) or "done" (it finished while we
    waited). Jobs not due are left out."""
    last = dict(PeriodicRun.objects.values_list("job", "started_at"))
    outcomes: dict[str, str] = {}
    for job in jobs:
        if not job.due(now, last.get(job.name)):
            continue
        with job_lock(job.name) as held:
            if not held:
                log.info("%s: another scheduler is running it", job.name)
                outcomes[job.name] = "busy"
                continue
            record, _ = PeriodicRun.objects.get_or_create(job=job.name)
            if not job.due(now, record.started_at):  # done by another while we looked
                outcomes[job.name] = "done"
                continue
            outcomes[job.name] = _run_one(job, record, now, run)
    return outcomes


def _run_one(job: Job, record: PeriodicRun, now: dt.datetime, run) -> str:
    PeriodicRun.objects.filter(pk=record.pk).update(started_at=now, finished_at=None)
    log.info("%s: started", job.name)
    started = time.monotonic()
    try:
        printed = run(job)
    except (Exception, SystemExit) as error:  # one job's failure never stops the others
        log.exception("%s: failed", job.name)
        PeriodicRun.objects.filter(pk=record.pk).update(
            finished_at=timezone.now(), succeeded=False, error=f"{type(error).__name__}: {error}"
        )
        return "failed"
    PeriodicRun.objects.filter(pk=record.pk).update(
        finished_at=timezone.now(), succeeded=True, error=""
    )
    log.info("%s: done in %.1f s. %s", job.name, time.monotonic() - started, printed)
    return "ran"


def run_forever(
    jobs: Sequence[Job],
    *,
    clock: Callable[[], dt.datetime] = timezone.now,
    sleep: Callable[[float], None] = time.sleep,
    rounds: int | None = None,
) -> None:
    """Look for due jobs every TICK_SECONDS (`rounds` times, or for ever). A round that fails
    (the database restarting, say) is logged and the next one tried."""
    done = 0
    while rounds is None or done < rounds:
        try:
            run_due(clock(), jobs)
        except Exception:
            log.exception("The periodic jobs could not be looked at; trying again shortly")
        finally:
            close_old_connections()
        done += 1
        if rounds is None or done < rounds:
            sleep(TICK_SECONDS)
