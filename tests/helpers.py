"""Helpers shared by the tests: people with roles, recorded measure data, API keys and calls,
migrations, and races between two requests."""

import contextlib
import datetime as dt
import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import TestCase

from qms.control import services as control_services
from qms.people import services

ANONYMOUS = "anonymous"  # in permission matrices: no one logged in


def make_person(username, *roles, **fields):
    person = services.person_create(
        by=None,
        username=username,
        display_name=fields.pop("display_name", username.title()),
        email=f"{username}@example.org",
        password="correct-horse-battery",
        **fields,
    )
    for role, unit in roles:
        services.membership_add(by=None, person=person, unit=unit, role=role)
    return person


def make_measure(unit, code, *, by=None, **fields):
    """A monthly count measure in `unit`, defined by `by` (the system unless given); `fields`
    change its definition."""
    definition = {
        "name": f"Falls {code}",
        "kind": "outcome",
        "domain": "safe",
        "operational_definition": "Inpatient falls, any harm.",
        "frequency": "month",
        "chart": "c",
        "direction": "decrease",
    }
    return control_services.measure_create(by=by, unit=unit, code=code, **{**definition, **fields})


def months(start: dt.date, count: int) -> list[dt.date]:
    periods, year, month = [], start.year, start.month
    for _ in range(count):
        periods.append(dt.date(year, month, 1))
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return periods


def record(measure, values, *, start=dt.date(2024, 1, 1), denominator=1000.0, by=None, **kw):
    """Save monthly values and run what waits for the commit (the SPC refresh), as a real
    request would; tests run inside a transaction that never commits."""
    rows = [
        control_services.ObservationInput(
            measure=measure, period=period, value=value, denominator=denominator
        )
        for period, value in zip(months(start, len(values)), values, strict=True)
    ]
    with TestCase.captureOnCommitCallbacks(execute=True):
        return control_services.observations_save(by=by, rows=rows, **kw)


def migrate_to(targets):
    """Migrate the test database to `targets` ([(app, migration name or None)], the leaves when
    None) and return the apps of that state, for tests of data migrations (run them in a
    `transactional_db` test: migrations cannot run inside the test's transaction; start from
    `empty_database()`)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    with _real_migrations():
        executor = MigrationExecutor(connection)
        targets = targets or executor.loader.graph.leaf_nodes()
        executor.migrate(targets)
        ContentType.objects.clear_cache()  # ids may differ from those cached before
        nodes = [(app, name) for app, name in targets if name is not None]
        return MigrationExecutor(connection).loader.project_state(nodes).apps


def _real_migrations():
    """The suite builds its databases from the models (`--nomigrations` in pyproject.toml: a
    minute saved on every worker), which hides the apps' migrations; tests of migrations see
    them again inside this."""
    from django.test import override_settings

    return override_settings(MIGRATION_MODULES={})


def empty_database():
    """Drop every table of the test database, so a test of migrations can migrate it from
    nothing to an old state quickly (migrating the suite's full schema backwards takes minutes)
    and then forwards. It ends at the latest migrations, the same schema the models give, and
    the test's flush then restores content types and permissions for the tests after it."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            return
        cursor.execute("PRAGMA foreign_keys = OFF")
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'DROP TABLE "{table}"')
        cursor.execute("PRAGMA foreign_keys = ON")


def schema_from_models():
    """Leave the test database as the suite made it, every table from the models (what
    `--nomigrations` does): seconds, where migrating forward from an old state takes minutes.
    For the teardown of tests of migrations."""
    from django.core.management import call_command

    empty_database()
    call_command("migrate", run_syncdb=True, verbosity=0)


def make_api_key(unit, *, write=False, role=None, name="Data warehouse", **fields):
    """The key itself (qms_...) for `unit`, made by the system as `qms create-api-key` does."""
    from qms.people import keys

    _, key = keys.api_key_create(
        by=None, unit=unit, name=name, can_write=write, role=role, **fields
    )
    return key


def api(client, method, path, key=None, body=None, **headers):
    """Call the API at /api/v1/<path> with `key` (None: no key), JSON in and out."""
    import json

    if key is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    call = getattr(client, method.lower())
    if body is None:
        return call(f"/api/v1/{path}", **headers)
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return call(f"/api/v1/{path}", data=data, content_type="application/json", **headers)


# Races ----------------------------------------------------------------------------------------
# Two requests at the same moment, forced rather than hoped for: each racer runs in a thread with
# its own database connection, and waits at a chosen point (a second at most) for the others to
# reach it too. A racer that a lock holds back never arrives, so the others' wait ends after the
# second and the lock decides the order, as it would between two requests.

ONLY_ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers from BEGIN IMMEDIATE: the race cannot happen there",
)
# A module of race tests: committed data (each thread sees what the others commit), PostgreSQL
# only. `pytestmark = RACES`.
RACES = [pytest.mark.django_db(transaction=True), ONLY_ON_POSTGRESQL]


def wait_for_the_others(barrier: threading.Barrier, timeout: float = 1) -> None:
    """Wait at `barrier` for the other racers, `timeout` seconds at most (one held back by a
    lock never arrives: the wait ends and the racer goes on)."""
    with contextlib.suppress(threading.BrokenBarrierError):
        barrier.wait(timeout=timeout)


def wait_after(
    monkeypatch,
    target,
    name: str,
    barrier: threading.Barrier,
    *,
    timeout: float = 1,
    when: Callable[..., bool] | None = None,
) -> None:
    """Make `target.name` (a function of a module or class) wait for the other racers once it
    has run, for the calls `when(*args, **kwargs)` picks (all of them unless given)."""
    original = getattr(target, name)

    def run_then_wait(*args, **kwargs):
        result = original(*args, **kwargs)
        if when is None or when(*args, **kwargs):
            wait_for_the_others(barrier, timeout)
        return result

    monkeypatch.setattr(target, name, run_then_wait)


def wait_before(monkeypatch, target, name: str, barrier: threading.Barrier, *, timeout=1) -> None:
    """Make `target.name` wait for the other racers before it runs."""
    original = getattr(target, name)

    def wait_then_run(*args, **kwargs):
        wait_for_the_others(barrier, timeout)
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, wait_then_run)


def race(calls: list[Callable[[], object]], *, timeout: float = 60) -> list:
    """Run `calls` at once, each in its own thread and database connection; what each returned
    or the exception it raised, in the order of `calls`."""
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            results[index] = call()
        except Exception as error:  # the test looks at what each racer got
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results
