"""The demo organisation is the same for the same seed (apart from the module that builds the
whole demo once: this one starts from an empty database)."""

import random

import pytest

from qms.demo import organisation
from qms.people.models import Membership, Person


@pytest.mark.django_db
def test_its_organisation_is_deterministic_for_a_seed():
    def memberships():
        return sorted(Membership.objects.values_list("person__username", "unit__code", "role"))

    organisation.build(random.Random(7))
    first = memberships()
    Membership.objects.all().delete()
    Person.objects.all().delete()
    organisation.build(random.Random(7))
    assert memberships() == first
