import pytest
from django.contrib.contenttypes.models import ContentType
from helpers import make_measure, make_person

from comments.support import new_signal
from qms.control.models import Signal
from qms.people.models import ObjectGrant
from qms.people.roles import Role


@pytest.fixture
def measure(org, lead):
    return make_measure(org["ward"], "ward-7-falls", by=lead)


@pytest.fixture
def signal(measure):
    return new_signal(measure)


@pytest.fixture
def coach(org):
    """Staff who may read a unit's discussions but not write in them."""
    return make_person("coach", (Role.IMPROVEMENT_COACH, org["ward"]))


@pytest.fixture
def granted_partner(partner, signal):
    """The ward's partner, given a team member's role on one signal."""
    ObjectGrant.objects.create(
        person=partner,
        content_type=ContentType.objects.get_for_model(Signal),
        object_id=signal.pk,
        role=Role.TEAM_MEMBER,
    )
    return partner
