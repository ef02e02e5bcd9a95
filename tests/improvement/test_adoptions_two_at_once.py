"""Two leads of the same unit adopting the same package at the same moment: one adoption is
made, the other lead is told the unit has adopted it (not a server error). The race is forced:
each, once it has checked that the unit has not adopted the package, waits (a short while) for
the other to have checked too. PostgreSQL only: SQLite takes its write lock before anything is
read, so the race cannot happen there."""

import contextlib
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from helpers import make_person

from improvement.spread_support import *  # noqa: F403
from improvement.spread_support import ADOPTED_ON
from qms.improvement import services
from qms.improvement.models import Adoption
from qms.improvement.services import spread as spread_services
from qms.people.roles import Role

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises writers from BEGIN IMMEDIATE: the race cannot happen there",
    ),
]


def test_two_leads_adopting_at_once_make_one_adoption(monkeypatch, org, published, other_lead):
    second_lead = make_person("secondlead", (Role.TEAM_LEAD, org["other_ward"]))
    barrier = threading.Barrier(2)
    record_by = spread_services.record_by

    def record_then_wait(instance, by, reason=""):
        record_by(instance, by, reason)
        if isinstance(instance, Adoption):
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=1)

    monkeypatch.setattr(spread_services, "record_by", record_then_wait)
    results = [None, None]

    def run(index, by):
        try:
            results[index] = services.adoption_create(
                by=by, package=published, unit=org["other_ward"], adopted_on=ADOPTED_ON
            )
        except Exception as error:  # the test looks at what each racer got
            results[index] = error
        finally:
            connection.close()

    people = (other_lead, second_lead)
    threads = [threading.Thread(target=run, args=(i, by)) for i, by in enumerate(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    made = [r for r in results if isinstance(r, Adoption)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert (len(made), len(refused)) == (1, 1), results
    assert "adopted this package already" in str(refused[0].message_dict["unit"])
    assert Adoption.objects.count() == 1
