"""What the first real user of planning found wrong on its pages, each a test first."""

import pytest
from django.urls import reverse

from planning.factors_support import *  # noqa: F403
from planning.test_factors_two_at_once import _coded, _domain
from qms.planning import services

pytestmark = pytest.mark.django_db


def test_it_names_a_recurring_factor_once_on_the_priority_it_became(client, as_user, org, lead):
    workload = _domain("workload")
    issues = [_coded(org, workload, number) for number in range(3)]
    priority, _ = services.factor_priority_propose(
        by=lead, unit=org["ward"], domain=workload, issues=issues, count=3, period="this year"
    )
    as_user("lead")
    page = client.get(reverse("planning:priority-detail", args=[priority.pk])).content.decode()
    assert "Recurring contributory factor: Race workload" in page
    assert "Contributory factor: Contributory factor" not in page
