"""Shared fixtures of the contributory factors tests: an issue in the ward, people who analyse
and who edit the framework, and a helper that codes issues."""

import datetime as dt

import pytest
from django.utils import timezone
from helpers import make_person

from qms.issues import services as issue_services
from qms.issues.models import Issue
from qms.people.roles import Role
from qms.planning import services
from qms.planning.models import FactorDomain


@pytest.fixture
def analyst(org):
    return make_person("analyst", (Role.ANALYST, org["ward"]))


@pytest.fixture
def board_quality_lead(org):
    return make_person("boardquality", (Role.QUALITY_LEAD, org["board"]))


@pytest.fixture
def issue(org, lead):
    return issue_services.issue_raise(
        by=lead,
        unit=org["ward"],
        title="Falls at night",
        source="incident",
        description="Three falls between 2 and 4 am this month.",
    )


def domain(code: str) -> FactorDomain:
    """A domain of the seeded Yorkshire framework, by its code."""
    return FactorDomain.objects.get(code=code)


def coded_issue(unit, codes, *, title="Issue", source="incident", when=None, by=None):
    """An issue of `unit` raised at `when` (a date; now when None), analysed with the factors
    of `codes`."""
    issue = issue_services.issue_raise(by=None, unit=unit, title=title, source=source)
    if when is not None:
        moment = timezone.make_aware(dt.datetime(when.year, when.month, when.day, 12))
        Issue.objects.filter(pk=issue.pk).update(created_at=moment)
    services.analysis_save(
        by=by,
        issue=issue,
        system_account="The rota left one nurse for twelve beds.",
        factors=[(domain(code), "") for code in codes],
    )
    return issue
