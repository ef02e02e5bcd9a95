"""`qms run-periodic`: the daily jobs at their time and the stale-result check every few minutes,
each once however many schedulers run, a failing job not stopping the others. The clock is
passed in: nothing here sleeps."""

import datetime as dt
import io

import psycopg
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from helpers import ANONYMOUS

from qms.core import periodic
from qms.core.models import PeriodicRun

pytestmark = pytest.mark.django_db
SIX = dt.time(6, 0)
DAILY = periodic.Job("send-digest", daily_at=SIX)
STALE = periodic.Job("refresh-results", ("--stale",), every=dt.timedelta(minutes=5))


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment of December 2026 in the installation's time zone."""
    return timezone.make_aware(dt.datetime(2026, 12, day, hour, minute))


class Runner:
    """Stands for the commands: records what ran, and fails the jobs it is told to."""

    def __init__(self, failing=()):
        self.ran, self.failing = [], set(failing)

    def __call__(self, job):
        self.ran.append(job.name)
        if job.name in self.failing:
            raise RuntimeError(f"{job.name} broke")
        return "ok"


# The schedule ----------------------------------------------------------------------------------


def test_a_daily_job_is_due_once_a_day_from_its_time():
    assert not DAILY.due(at(2, 5, 59), None)
    assert DAILY.due(at(2, 6, 0), None)
    assert DAILY.due(at(2, 14, 0), at(1, 6, 0))  # down at six: caught up once when back
    assert not DAILY.due(at(2, 14, 5), at(2, 14, 0))
    assert not DAILY.due(at(2, 23, 59), at(2, 6, 0))
    assert not DAILY.due(at(3, 5, 59), at(2, 6, 0))
    assert DAILY.due(at(3, 6, 0), at(2, 6, 0))


def test_a_daily_job_keeps_its_local_time_across_the_change_of_clocks(settings):
    settings.TIME_ZONE = "Europe/London"
    summer = timezone.make_aware(dt.datetime(2026, 7, 1, 6, 0))
    assert summer.utcoffset() == dt.timedelta(hours=1)
    assert DAILY.due(summer, at(2, 6, 0) - dt.timedelta(days=200))
    assert not DAILY.due(summer - dt.timedelta(minutes=1), None)  # 05:59 local, 04:59 UTC


def test_the_stale_check_is_due_every_few_minutes():
    assert STALE.due(at(2, 10, 0), None)
    assert not STALE.due(at(2, 10, 4), at(2, 10, 0))
    assert STALE.due(at(2, 10, 5), at(2, 10, 0))


def test_the_jobs_come_from_the_settings(settings):
    settings.QMS_PERIODIC_DAILY_AT, settings.QMS_PERIODIC_STALE_MINUTES = "07:30", 10
    jobs = {job.name: job for job in periodic.jobs_from_settings()}
    assert set(jobs) == {
        "send-digest",
        "remind-actions",
        "remind-improvement",
        "remind-audits",
        "find-bright-spots",
        "reporting-culture",
        "seal-surveys",
        "refresh-results --stale",
    }
    assert jobs["seal-surveys"].daily_at == dt.time(7, 30)
    assert jobs["refresh-results --stale"].every == dt.timedelta(minutes=10)


@pytest.mark.parametrize("bad", ["7", "25:00", "six", "06:00:00"])
def test_it_names_a_malformed_daily_time(settings, bad):
    settings.QMS_PERIODIC_DAILY_AT = bad
    with pytest.raises(ImproperlyConfigured, match="QMS_PERIODIC_DAILY_AT must be a time"):
        periodic.jobs_from_settings()


def test_every_daily_command_exists():
    from django.core.management import get_commands

    assert set(periodic.DAILY_COMMANDS) | {"refresh-results"} <= set(get_commands())


# Running what is due ---------------------------------------------------------------------------


def test_it_runs_each_job_when_due_and_records_it():
    jobs, run = [DAILY, STALE], Runner()
    assert periodic.run_due(at(2, 5, 0), jobs, run) == {"refresh-results --stale": "ran"}
    assert periodic.run_due(at(2, 5, 3), jobs, run) == {}
    assert periodic.run_due(at(2, 6, 0), jobs, run) == {
        "send-digest": "ran",
        "refresh-results --stale": "ran",
    }
    assert periodic.run_due(at(2, 6, 1), jobs, run) == {}
    assert run.ran == ["refresh-results --stale", "send-digest", "refresh-results --stale"]
    digest = PeriodicRun.objects.get(job="send-digest")
    assert digest.started_at == at(2, 6, 0) and digest.succeeded and digest.finished_at


def test_a_failing_job_is_recorded_and_the_others_still_run():
    jobs = [periodic.Job(name, daily_at=SIX) for name in ("send-digest", "remind-actions")]
    run = Runner(failing={"send-digest"})
    assert periodic.run_due(at(2, 6, 0), [*jobs, STALE], run) == {
        "send-digest": "failed",
        "remind-actions": "ran",
        "refresh-results --stale": "ran",
    }
    failed = PeriodicRun.objects.get(job="send-digest")
    assert not failed.succeeded and failed.error == "RuntimeError: send-digest broke"
    # Tried again the next day, not every round in between (it may have sent half).
    assert periodic.run_due(at(2, 6, 1), jobs, Runner()) == {}
    assert periodic.run_due(at(3, 6, 0), jobs, Runner()) == {
        "send-digest": "ran",
        "remind-actions": "ran",
    }
    assert PeriodicRun.objects.get(job="send-digest").succeeded


def test_a_command_that_exits_does_not_stop_the_scheduler():
    def run(job):
        raise SystemExit(2)

    assert periodic.run_due(at(2, 6, 0), [DAILY], run) == {"send-digest": "failed"}


def test_it_looks_again_under_the_lock_and_skips_a_job_another_scheduler_just_ran():
    """Between reading what is due and taking a job's lock another scheduler may run it."""
    other = periodic.Job("remind-actions", daily_at=SIX)

    def run(job):
        if job.name == "send-digest":  # meanwhile, elsewhere, remind-actions runs
            PeriodicRun.objects.create(job="remind-actions", started_at=at(2, 6, 0))
        return ""

    assert periodic.run_due(at(2, 6, 0), [DAILY, other], run) == {
        "send-digest": "ran",
        "remind-actions": "done",
    }


def test_the_loop_survives_a_failing_round_and_never_sleeps_in_tests(monkeypatch):
    moments = iter([at(2, 6, 0), at(2, 6, 1), at(3, 6, 0)])
    slept, calls = [], []

    def run_due(now, jobs):
        calls.append(now)
        if len(calls) == 2:
            raise RuntimeError("the database is restarting")

    monkeypatch.setattr(periodic, "run_due", run_due)
    periodic.run_forever([DAILY], clock=lambda: next(moments), sleep=slept.append, rounds=3)
    assert calls == [at(2, 6, 0), at(2, 6, 1), at(3, 6, 0)]
    assert slept == [periodic.TICK_SECONDS] * 2


# Two schedulers: PostgreSQL's advisory lock ----------------------------------------------------


def other_scheduler_connection():
    """A second session on the test database, as another periodic container would have."""
    if connection.vendor != "postgresql":
        pytest.skip("the lock between schedulers is PostgreSQL's; SQLite runs one scheduler")
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**params, autocommit=True)


@pytest.mark.django_db(transaction=True)
def test_a_job_another_scheduler_holds_is_skipped_not_run_twice():
    run = Runner()
    with other_scheduler_connection() as other:
        other.execute("SELECT pg_advisory_lock(%s)", [periodic.lock_key("send-digest")])
        assert periodic.run_due(at(2, 6, 0), [DAILY, STALE], run) == {
            "send-digest": "busy",
            "refresh-results --stale": "ran",
        }
        assert run.ran == ["refresh-results --stale"]
        other.execute("SELECT pg_advisory_unlock(%s)", [periodic.lock_key("send-digest")])
    assert periodic.run_due(at(2, 6, 1), [DAILY], run) == {"send-digest": "ran"}
    # ... and released once run: the other scheduler can take it now.
    with other_scheduler_connection() as other:
        key = periodic.lock_key("send-digest")
        assert other.execute("SELECT pg_try_advisory_lock(%s)", [key]).fetchone()[0] is True


def test_lock_keys_are_stable_and_distinct():
    keys = {periodic.lock_key(job.name) for job in periodic.jobs_from_settings()}
    assert len(keys) == len(periodic.DAILY_COMMANDS) + 1
    assert periodic.lock_key("send-digest") == periodic.lock_key("send-digest")
    assert all(-(2**63) <= key < 2**63 for key in keys)


# The command -----------------------------------------------------------------------------------


def test_the_command_lists_the_schedule(settings):
    settings.QMS_PERIODIC_DAILY_AT = "05:45"
    out = io.StringIO()
    call_command("run-periodic", "--list", stdout=out)
    assert "send-digest: daily at 05:45" in out.getvalue()
    assert "refresh-results --stale: every 0:05:00" in out.getvalue()


def test_the_command_runs_the_real_jobs_once(settings):
    """Every daily command runs for real on an empty installation without failing."""
    settings.QMS_PERIODIC_DAILY_AT = "00:00"
    out = io.StringIO()
    call_command("run-periodic", "--once", stdout=out)
    lines = out.getvalue().splitlines()
    assert sorted(lines) == sorted(f"{job.name}: ran" for job in periodic.jobs_from_settings()), (
        out.getvalue()
    )
    assert PeriodicRun.objects.filter(succeeded=True).count() == len(lines)
    out = io.StringIO()
    call_command("run-periodic", "--once", stdout=out)
    assert out.getvalue().strip() == "Nothing is due."


# The admin -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), [("admin", 200), ("lead", 302), (ANONYMOUS, 302)])
def test_who_may_read_the_last_runs_in_the_admin(client, as_user, who, status):
    PeriodicRun.objects.create(
        job="send-digest", started_at=at(2, 6, 0), error="RuntimeError: the mail server said no"
    )
    as_user(who)
    response = client.get("/admin/core/periodicrun/")
    assert response.status_code == status
    if status == 200:
        assert "the mail server said no" in response.content.decode()
        assert client.post("/admin/core/periodicrun/add/", {}).status_code == 403  # read only
