"""Two organisers inviting the same new e-mail address at the same moment (or one organiser's
double click): one account, the other told the address is taken, never a server error. The
race is forced: each, once it has looked for an account, waits (a short while) for the other.
PostgreSQL only: SQLite serialises writers from the start."""

import contextlib
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from helpers import make_person

from qms.codesign.models import PartnerInvitation
from qms.codesign.services import partners as services
from qms.people.models import Person
from qms.people.roles import Role

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises writers from BEGIN IMMEDIATE: the race cannot happen there",
    ),
]


def test_two_organisers_inviting_one_new_address_at_once_make_one_account(monkeypatch, org):
    first = make_person("organiser1", (Role.TEAM_LEAD, org["ward"]))
    second = make_person("organiser2", (Role.IMPROVEMENT_COACH, org["ward"]))
    barrier = threading.Barrier(2)
    account_for = services._account_for

    def look_then_wait(email):
        found = account_for(email)
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=1)
        return found

    monkeypatch.setattr(services, "_account_for", look_then_wait)
    results = [None, None]

    def run(index, by):
        try:
            results[index] = services.partner_invite(
                by=by, display_name="Ann Fraser", email="ann@example.net", unit=org["ward"]
            )
        except Exception as error:  # the test looks at what each organiser got
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate([first, second])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    kinds = sorted(type(result).__name__ for result in results)
    assert kinds == ["PartnerInvitation", "ValidationError"], results
    refused = next(r for r in results if isinstance(r, ValidationError))
    assert "email" in refused.message_dict
    assert Person.objects.filter(email="ann@example.net").count() == 1
    assert PartnerInvitation.objects.count() == 1
