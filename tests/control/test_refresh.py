"""Results that are always current: a failing measure is isolated and its failure shown; stale
results are found and refreshed by `qms refresh-results` and when a worker starts."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings
from django.utils import timezone
from helpers import record

from qms.control import services
from qms.control.models import Measure, MeasureResult
from qms.notifications.models import Notification
from qms.stats import SpcInputError

STABLE = [6, 5, 7, 6, 5, 6, 7, 5, 6, 6]


@pytest.fixture
def ulcers(org, lead):
    return services.measure_create(
        by=lead, unit=org["ward"], name="Pressure ulcers", code="w7-ulcers", kind="outcome",
        domain="safe", operational_definition="New category 2+ pressure ulcers.",
        frequency="month", chart="u", multiply=1000, direction="decrease", owner=lead,
    )  # fmt: skip


@pytest.fixture
def broken(monkeypatch):
    """Make the engine fail whenever the falls measure is in the batch."""
    real = services._analyse_group

    def analyse_group(options, values, denominators, periods, series_keys):
        falls = Measure.objects.get(code="ward-7-falls").pk
        if any(key.startswith(f"{falls}:") for key in series_keys):
            raise SpcInputError([(2, "y", "something the chart cannot take")])
        return real(options, values, denominators, periods, series_keys)

    monkeypatch.setattr(services, "_analyse_group", analyse_group)


def test_a_failing_measure_does_not_block_the_others(measure, ulcers, admin, broken):
    record(measure, STABLE, refresh=False)
    record(ulcers, STABLE, refresh=False)
    services.results_refresh([measure.pk, ulcers.pk])
    assert MeasureResult.objects.get(measure=ulcers).points  # the other measure is current
    failed = MeasureResult.objects.get(measure=measure)
    assert failed.failed_at is not None and "cannot take" in failed.failure
    assert failed.points == [] and failed.computed_at is None
    # Administrators are told once, not at every retry.
    services.results_refresh([measure.pk])
    assert Notification.objects.filter(person=admin, link__endswith="#results-failure").count() == 1


def test_the_measure_page_says_the_refresh_failed(measure, lead, client, monkeypatch):
    record(measure, STABLE)
    monkeypatch.setattr(services, "_analyse_group", _raise)
    record(measure, [9], start=dt.date(2025, 1, 1))
    client.force_login(lead)
    page = client.get(f"/control/measures/{measure.pk}/").content.decode()
    assert 'id="results-failure"' in page and "could not be brought up to date" in page
    assert "ValueError" in page  # an unexpected error is named by its kind, not its details


def _raise(*args, **kwargs):
    raise ValueError("secret internals")


def test_a_failed_measure_is_retried_and_recovers(measure, monkeypatch):
    monkeypatch.setattr(services, "_analyse_group", _raise)
    record(measure, STABLE)
    assert measure in services.stale_measures()
    monkeypatch.undo()
    call_command("refresh-results", "--stale")
    result = MeasureResult.objects.get(measure=measure)
    assert result.failed_at is None and len(result.points) == 10
    assert measure not in services.stale_measures()


def test_data_saved_without_its_refresh_is_stale_until_refreshed(measure, ulcers, capsys):
    record(measure, STABLE)  # refreshed
    record(ulcers, STABLE, refresh=False)  # as if the process died just after the commit
    assert list(services.stale_measures()) == [ulcers]
    call_command("refresh-results", "--stale")
    assert "Refreshed the results of 1 measure." in capsys.readouterr().out
    assert not services.stale_measures().exists()
    assert len(MeasureResult.objects.get(measure=ulcers).points) == 10


def test_deleting_a_value_or_starting_a_phase_makes_results_stale(measure, lead):
    record(measure, STABLE)
    observation = measure.observations.first()
    services.observation_delete(by=lead, observation=observation, reason="Entered twice")
    assert measure in services.stale_measures()


def test_the_command_refreshes_a_unit_or_one_measure(org, measure, ulcers, capsys):
    record(measure, STABLE, refresh=False)
    record(ulcers, STABLE, refresh=False)
    call_command("refresh-results", "--measure", "w7-ulcers")
    assert list(services.stale_measures()) == [measure]
    call_command("refresh-results", "--unit", str(org["other_ward"].pk))
    assert list(services.stale_measures()) == [measure]
    call_command("refresh-results", "--unit", str(org["ward"].pk))
    assert not services.stale_measures().exists()


@pytest.mark.parametrize(
    ("args", "words"),
    [(["--unit", "99999"], "no unit with id 99999"), (["--measure", "nope"], "no measure")],
)
def test_the_command_names_what_it_cannot_find(db, args, words):
    with pytest.raises(CommandError, match=words):
        call_command("refresh-results", *args)


def test_the_command_fails_loudly_for_a_measure_it_cannot_refresh(measure, broken, capsys):
    record(measure, STABLE, refresh=False)
    with pytest.raises(CommandError, match="1 measure"):
        call_command("refresh-results")
    assert "ward-7-falls: refresh failed" in capsys.readouterr().err


DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


# The worker closes and reopens database connections, as in production: no test transaction.
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS, TASKS_BACKEND="database")
def test_a_worker_picks_up_a_refresh_left_running_by_a_killed_worker(measure, capsys):
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.observations_save(
            by=None,
            rows=[
                services.ObservationInput(measure=measure, period=p, value=v, denominator=1000)
                for p, v in zip([dt.date(2024, m, 1) for m in range(1, 11)], STABLE, strict=True)
            ],
        )
    task = DBTaskResult.objects.get()
    # A worker claimed it an hour ago and was killed.
    DBTaskResult.objects.filter(pk=task.pk).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now() - dt.timedelta(hours=1)
    )
    assert not MeasureResult.objects.filter(measure=measure).exists()
    call_command("run-worker", "--batch")
    out = capsys.readouterr().out
    assert "Put 1 abandoned task(s) back in the queue." in out
    assert "Refreshed 1 stale result(s)." in out
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert len(MeasureResult.objects.get(measure=measure).points) == 10


# The worker closes and reopens database connections, as in production: no test transaction.
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS, TASKS_BACKEND="database")
def test_a_worker_leaves_a_task_that_is_still_running(measure):
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from qms.control.tasks import refresh_results

    result = refresh_results.enqueue([measure.pk])
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now() - dt.timedelta(seconds=30)
    )
    call_command("run-worker", "--batch")
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.RUNNING
