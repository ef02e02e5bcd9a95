"""Two organisers inviting the same new e-mail address at the same moment (or one organiser's
double click): one account, the other told the address is taken, never a server error. The
race is forced: each, once it has looked for an account, waits (a short while) for the other.
PostgreSQL only: SQLite serialises writers from the start."""

import threading

from django.core.exceptions import ValidationError
from helpers import RACES, make_person, race, wait_after

from qms.codesign.models import PartnerInvitation
from qms.codesign.services import partners as services
from qms.people.models import Person
from qms.people.roles import Role

pytestmark = RACES


def test_two_organisers_inviting_one_new_address_at_once_make_one_account(monkeypatch, org):
    first = make_person("organiser1", (Role.TEAM_LEAD, org["ward"]))
    second = make_person("organiser2", (Role.IMPROVEMENT_COACH, org["ward"]))
    wait_after(monkeypatch, services, "_account_for", threading.Barrier(2))

    def invite(by):
        return lambda: services.partner_invite(
            by=by, display_name="Ann Fraser", email="ann@example.net", unit=org["ward"]
        )

    results = race([invite(first), invite(second)])
    kinds = sorted(type(result).__name__ for result in results)
    assert kinds == ["PartnerInvitation", "ValidationError"], results
    refused = next(r for r in results if isinstance(r, ValidationError))
    assert "email" in refused.message_dict
    assert Person.objects.filter(email="ann@example.net").count() == 1
    assert PartnerInvitation.objects.count() == 1
