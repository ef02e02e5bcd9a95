"""Two leads of the same unit adopting the same package at the same moment: one adoption is
made, the other lead is told the unit has adopted it (not a server error). The race is forced:
each, once it has checked that the unit has not adopted the package, waits (a short while) for
the other to have checked too. PostgreSQL only: SQLite takes its write lock before anything is
read, so the race cannot happen there."""

import threading

from django.core.exceptions import ValidationError
from helpers import RACES, make_person, race, wait_after

from improvement.spread_support import *  # noqa: F403
from improvement.spread_support import ADOPTED_ON
from qms.improvement import services
from qms.improvement.models import Adoption
from qms.improvement.services import spread as spread_services
from qms.people.roles import Role

pytestmark = RACES


def test_two_leads_adopting_at_once_make_one_adoption(monkeypatch, org, published, other_lead):
    second_lead = make_person("secondlead", (Role.TEAM_LEAD, org["other_ward"]))
    wait_after(
        monkeypatch,
        spread_services,
        "record_by",
        threading.Barrier(2),
        when=lambda instance, *_, **__: isinstance(instance, Adoption),
    )

    def adopt(by):
        return lambda: services.adoption_create(
            by=by, package=published, unit=org["other_ward"], adopted_on=ADOPTED_ON
        )

    results = race([adopt(other_lead), adopt(second_lead)])
    made = [r for r in results if isinstance(r, Adoption)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert (len(made), len(refused)) == (1, 1), results
    assert "adopted this package already" in str(refused[0].message_dict["unit"])
    assert Adoption.objects.count() == 1
