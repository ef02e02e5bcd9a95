"""`qms demo-data`: a realistic synthetic board, the same every time, never duplicated.

The whole demo is built once for the module (each test runs in a savepoint rolled back after
it): a build takes most of a minute, and these tests only read it, or run it once more."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from qms.demo.organisation import DEMO_LOGINS, DEMO_PASSWORD
from qms.issues.models import Action, Issue
from qms.people import access
from qms.people.models import Membership, Person, Unit
from qms.people.roles import Role

pytestmark = pytest.mark.django_db


def run_demo_data(seed=2026):
    out = StringIO()
    call_command("demo-data", seed=seed, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """What `qms demo-data` printed, with its database kept for the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield run_demo_data()
        transaction.set_rollback(True)


def test_it_builds_a_board_of_the_promised_size(demo):
    kinds = {
        kind: Unit.objects.filter(kind=kind).count() for kind in ("board", "division", "service")
    }
    assert kinds == {"board": 1, "division": 3, "service": 8}
    assert 20 <= Unit.objects.filter(kind__in=["team", "ward"]).count() <= 30
    assert 110 <= Person.objects.count() <= 140
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    assert f"password {DEMO_PASSWORD}" in demo


def test_it_adds_nothing_when_run_twice(demo):
    def counts():
        return (
            Unit.objects.count(),
            Person.objects.count(),
            Membership.objects.count(),
            Membership.history.count(),
            Issue.objects.count(),
            Action.objects.count(),
        )

    before = counts()
    run_demo_data()
    assert counts() == before


def test_every_demo_login_works_and_holds_its_role(demo):
    for login in DEMO_LOGINS:
        person = Person.objects.get(username=login.username)
        assert person.check_password(DEMO_PASSWORD), login.username
        unit = Unit.objects.get(code=login.unit_code)
        assert login.role in access.roles_in(person, unit)
    assert access.is_system_administrator(Person.objects.get(username="admin"))
    assert not access.is_system_administrator(Person.objects.get(username="board"))


def test_the_demo_tree_is_consistent(demo):
    for unit in Unit.objects.select_related("parent"):
        expected_prefix = unit.parent.path if unit.parent else "/"
        assert unit.path == f"{expected_prefix}{unit.pk}/"


def test_it_raises_issues_of_several_sources_with_actions(demo):
    sources = set(Issue.objects.values_list("source", flat=True))
    assert {"signal", "incident", "complaint", "audit_finding", "staff_concern"} <= sources
    assert Action.objects.filter(done_at__isnull=True).exists()
    assert Action.objects.filter(done_at__isnull=False).exists()
    assert Issue.objects.filter(status="closed").exists()
    assert f"{Issue.objects.count()} issues" in demo
