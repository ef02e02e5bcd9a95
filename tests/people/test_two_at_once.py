"""Two leads giving or removing the same role on a record at the same moment: one grant, one
removal in the history, and the other lead told (never a server error)."""

import functools
import threading

import pytest
from django.core.exceptions import ValidationError
from helpers import ONLY_ON_POSTGRESQL, race, wait_before

from qms.people import services
from qms.people.models import Membership, ObjectGrant
from qms.people.roles import Role


def test_a_grant_removed_twice_is_ended_once_in_the_history(measure, lead, quality_lead, visitor):
    grant = services.grant_give(by=lead, record=measure, person=visitor, role=Role.ANALYST)
    first, second = (ObjectGrant.objects.get(pk=grant.pk) for _ in range(2))
    services.grant_remove(by=lead, grant=first, reason="Audit finished")
    services.grant_remove(by=quality_lead, grant=second, reason="Audit finished")
    ended = ObjectGrant.history.filter(history_type="-")
    assert [(h.history_user, h.history_change_reason) for h in ended] == [(lead, "Audit finished")]


def _both_checked_first(monkeypatch, model):
    """Each save waits (a second at most) until the other has checked the role is not held."""
    wait_before(monkeypatch, model, "save", threading.Barrier(2))


def _race(act, people):
    return race([functools.partial(act, by) for by in people])


def _one_made_one_told(results, model):
    kinds = sorted(type(result).__name__ for result in results)
    assert kinds == sorted([model.__name__, "ValidationError"]), results
    refused = next(r for r in results if isinstance(r, ValidationError))
    assert "already holds the role" in str(refused.message_dict["role"])


@ONLY_ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_two_leads_giving_the_same_role_at_once_give_it_once(
    measure, lead, quality_lead, visitor, monkeypatch
):
    _both_checked_first(monkeypatch, ObjectGrant)
    results = _race(
        lambda by: services.grant_give(by=by, record=measure, person=visitor, role=Role.ANALYST),
        [lead, quality_lead],
    )
    assert ObjectGrant.objects.count() == 1
    _one_made_one_told(results, ObjectGrant)


@ONLY_ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_two_leads_adding_the_same_member_at_once_add_them_once(
    org, lead, quality_lead, visitor, monkeypatch
):
    _both_checked_first(monkeypatch, Membership)
    results = _race(
        lambda by: services.membership_add(
            by=by, person=visitor, unit=org["ward"], role=Role.TEAM_MEMBER
        ),
        [lead, quality_lead],
    )
    assert Membership.objects.filter(person=visitor).count() == 1
    _one_made_one_told(results, Membership)
