"""`qms demo-data`: a realistic synthetic board, the same every time, never duplicated."""

from io import StringIO

import pytest
from django.core.management import call_command

from qms.demo.organisation import DEMO_LOGINS, DEMO_PASSWORD
from qms.issues.models import Action, Issue
from qms.people import access
from qms.people.models import Membership, Person, Unit
from qms.people.roles import Role


def run_demo_data(seed=2026):
    out = StringIO()
    call_command("demo-data", seed=seed, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_builds_a_board_of_the_promised_size():
    output = run_demo_data()
    kinds = {
        kind: Unit.objects.filter(kind=kind).count() for kind in ("board", "division", "service")
    }
    assert kinds == {"board": 1, "division": 3, "service": 8}
    assert 20 <= Unit.objects.filter(kind__in=["team", "ward"]).count() <= 30
    assert 110 <= Person.objects.count() <= 140
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    assert f"password {DEMO_PASSWORD}" in output


@pytest.mark.django_db
def test_it_adds_nothing_when_run_twice():
    run_demo_data()
    before = (Unit.objects.count(), Person.objects.count(), Membership.objects.count())
    history_before = Membership.history.count()
    run_demo_data()
    assert (Unit.objects.count(), Person.objects.count(), Membership.objects.count()) == before
    assert Membership.history.count() == history_before


@pytest.mark.django_db
def test_it_is_deterministic_for_a_seed():
    run_demo_data(seed=7)
    first = sorted(Membership.objects.values_list("person__username", "unit__code", "role"))
    Membership.objects.all().delete()
    Person.objects.all().delete()
    run_demo_data(seed=7)
    assert sorted(Membership.objects.values_list("person__username", "unit__code", "role")) == first


@pytest.mark.django_db
def test_every_demo_login_works_and_holds_its_role():
    run_demo_data()
    for login in DEMO_LOGINS:
        person = Person.objects.get(username=login.username)
        assert person.check_password(DEMO_PASSWORD), login.username
        unit = Unit.objects.get(code=login.unit_code)
        assert login.role in access.roles_in(person, unit)
    assert access.is_system_administrator(Person.objects.get(username="admin"))
    assert not access.is_system_administrator(Person.objects.get(username="board"))


@pytest.mark.django_db
def test_the_demo_tree_is_consistent():
    run_demo_data()
    for unit in Unit.objects.select_related("parent"):
        expected_prefix = unit.parent.path if unit.parent else "/"
        assert unit.path == f"{expected_prefix}{unit.pk}/"


@pytest.mark.django_db
def test_it_raises_issues_of_several_sources_with_actions_once():
    output = run_demo_data()
    sources = set(Issue.objects.values_list("source", flat=True))
    assert {"signal", "incident", "complaint", "audit_finding", "staff_concern"} <= sources
    assert Action.objects.filter(done_at__isnull=True).exists()
    assert Action.objects.filter(done_at__isnull=False).exists()
    assert Issue.objects.filter(status="closed").exists()
    before = (Issue.objects.count(), Action.objects.count())
    assert f"{before[0]} issues" in output
    run_demo_data()
    assert (Issue.objects.count(), Action.objects.count()) == before
