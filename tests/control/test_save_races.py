"""Two people (or systems) saving the same period at the same moment: one value is saved, the
other gets the conflict message (409 from the API, the form's message on the page), never a
server error.

The race is forced, not hoped for: every save waits, after reading what is recorded and before
writing, until all of them have read, so each believes the period is empty. Each thread has its
own database connection, as two requests would.

PostgreSQL only (CI runs the suite on it). On SQLite the race cannot happen: the product's
SQLite begins every transaction with BEGIN IMMEDIATE, which takes the write lock before anything
is read, so the second save waits and then reads the first one's value; forcing the interleaving
would deadlock. The in-memory test database also fails a second writer at once instead of
waiting.
"""

import datetime as dt
import functools
import threading

import pytest
from django.test import Client
from helpers import RACES, make_api_key, months, race

from qms.control import services
from qms.control.models import Observation

pytestmark = RACES

RACERS = 4


@pytest.fixture
def everyone_reads_first(monkeypatch):
    """Make each save wait, once it has read the recorded values, for the others to read too."""
    barrier = threading.Barrier(RACERS)
    waited = threading.local()
    read = services._existing

    def existing_then_wait(rows):
        found = read(rows)
        if not getattr(waited, "done", False):
            waited.done = True
            barrier.wait(timeout=30)
        return found

    monkeypatch.setattr(services, "_existing", existing_then_wait)


def racers(act):
    """act(0), ..., act(RACERS - 1): what each racer does, to `race` at once."""
    return [functools.partial(act, index) for index in range(RACERS)]


def test_the_service_gives_every_racer_but_one_the_conflict(measure, lead, everyone_reads_first):
    periods = months(dt.date(2024, 1, 1), 3)

    def save(index):
        rows = [
            services.ObservationInput(measure, period, float(index + 1), 800.0)
            for period in periods
        ]
        return services.observations_save(by=lead, rows=rows)

    results = race(racers(save))
    saved = [r for r in results if isinstance(r, services.SaveSummary)]
    refused = [r for r in results if isinstance(r, services.ObservationConflict)]
    assert len(saved) == 1 and len(refused) == RACERS - 1, results
    assert saved[0].created == 3
    winner = Observation.objects.values_list("value", flat=True).distinct().get()
    for conflict in refused:
        assert [old.value for _, old in conflict.conflicts] == [winner] * 3
        assert "already has" in conflict.messages[0]
    assert Observation.objects.count() == 3


def test_the_api_answers_409_to_every_racer_but_one(org, lead, measure, everyone_reads_first):
    key = make_api_key(org["ward"], write=True, name="Ward system")

    def post(index):
        body = (
            '{"observations": [{"measure": "ward-7-falls", "period": "2025-03", '
            f'"value": {index + 1}, "denominator": 800}}]}}'
        )
        response = Client().post(
            "/control/api/v1/observations",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )
        return response.status_code, response.json()

    results = race(racers(post))
    statuses = sorted(status for status, _ in results)
    assert statuses == [201] + [409] * (RACERS - 1), results
    for status, body in results:
        if status == 409:
            (conflict,) = body["conflicts"]
            assert conflict["period"] == "2025-03-01"
            assert conflict["old"]["value"] == Observation.objects.get().value
    assert Observation.objects.count() == 1


def test_the_page_shows_the_conflict_to_every_racer_but_one(
    org, lead, member, measure, everyone_reads_first
):
    clients = []
    for _ in range(RACERS):
        client = Client()
        client.force_login(member)
        clients.append(client)

    def post(index):
        response = clients[index].post(
            f"/control/measures/{measure.pk}/observations/",
            {"period": "2025-03", "value": str(index + 1), "denominator": "800"},
        )
        return response.status_code, response.content.decode()

    results = race(racers(post))
    assert sorted(status for status, _ in results) == [302] + [400] * (RACERS - 1), [
        status for status, _ in results
    ]
    winner = Observation.objects.get().value
    for status, html in results:
        if status == 400:
            assert f"already has {winner:g}; confirm to replace it" in html
