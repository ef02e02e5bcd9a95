"""Two quality leads at the same moment on one candidate, on PostgreSQL: accepting twice
records one decision; turning it into a change package twice makes one package. The race is
forced: each waits (a short while) for the other once it has been authorised."""

import threading

import pytest
from django.core.exceptions import ValidationError
from helpers import RACES, make_person, race, wait_after, wait_before

from learning.bright_spots_support import sustained
from qms.improvement.models import ChangePackage, Project
from qms.learning.models import BrightSpot, BrightSpotStatus
from qms.learning.services import bright_spots as services
from qms.people.roles import Role

pytestmark = RACES


def _race(monkeypatch, calls):
    """Run `calls` at once, each waiting for the others once it has checked its reason."""
    barrier = threading.Barrier(len(calls))
    wait_after(monkeypatch, services, "_text", barrier)
    wait_before(monkeypatch, services, "_evidence_text", barrier)
    return race(calls)


@pytest.fixture
def leads(org):
    return [
        make_person("quality1", (Role.QUALITY_LEAD, org["division"])),
        make_person("quality2", (Role.QUALITY_LEAD, org["service"])),
    ]


@pytest.fixture
def spot(org, leads):
    sustained(org["ward"])
    return services.bright_spots_find().raised[0]


def test_it_records_one_of_two_acceptances_made_at_once(monkeypatch, spot, leads):
    def accept(by):
        return lambda: services.bright_spot_accept(
            by=by, bright_spot=spot, reason=f"{by.username} saw it."
        )

    results = _race(monkeypatch, [accept(leads[0]), accept(leads[1])])
    errors = [result for result in results if isinstance(result, ValidationError)]
    assert len(errors) == 1, results
    assert "already accepted" in str(errors[0])
    spot.refresh_from_db()
    assert spot.status == BrightSpotStatus.ACCEPTED
    accepted = [h for h in spot.history.all() if h.status == BrightSpotStatus.ACCEPTED]
    assert len(accepted) == 1


def test_it_makes_one_package_when_two_leads_turn_a_bright_spot_into_one_at_once(
    monkeypatch, spot, leads
):
    services.bright_spot_accept(by=leads[0], bright_spot=spot, reason="Falls halved.")
    services.bright_spot_inquiry_update(
        by=leads[0], bright_spot=spot, what_differently="A falls huddle at every handover."
    )

    def package(by):
        return lambda: services.bright_spot_package_create(by=by, bright_spot=spot)

    results = _race(monkeypatch, [package(leads[0]), package(leads[1])])
    assert ChangePackage.objects.count() == 1, results
    assert Project.objects.count() == 1, results
    assert all(isinstance(result, ChangePackage) for result in results), results
    assert BrightSpot.objects.get(pk=spot.pk).package == ChangePackage.objects.get()
