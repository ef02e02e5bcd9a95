"""measure_copy: a unit adopting another's change package measures it the same way, in one
step (the definition copied, not the data)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from helpers import make_person, record

from qms.control import services
from qms.control.models import Measure, Observation
from qms.people.roles import Role


@pytest.fixture
def neighbour_lead(org):
    return make_person("neighbour", (Role.TEAM_LEAD, org["other_ward"]))


def test_it_copies_the_definition_into_another_unit_without_data(org, measure, neighbour_lead):
    record(measure, [6, 5, 7])
    measure.shift_length = 6
    measure.save()

    copy = services.measure_copy(
        by=neighbour_lead, measure=measure, unit=org["other_ward"], owner=neighbour_lead
    )

    assert (copy.unit, copy.owner) == (org["other_ward"], neighbour_lead)
    for name in services.COPIED_FIELDS:
        assert getattr(copy, name) == getattr(measure, name), name
    assert copy.code != measure.code and copy.code.startswith(measure.code)
    assert not Observation.objects.filter(measure=copy).exists()
    created = copy.history.get()
    assert created.history_user == neighbour_lead
    assert created.history_change_reason == f"Copied from {measure.name} (Ward 7)"


def test_it_makes_each_copys_code_unique(org, measure):
    first = services.measure_copy(by=None, measure=measure, unit=org["other_ward"])
    Measure.objects.filter(pk=first.pk).update(name="Renamed")

    second = services.measure_copy(by=None, measure=measure, unit=org["other_ward"])

    assert len({measure.code, first.code, second.code}) == 3


def test_it_refuses_a_second_measure_of_the_same_name_in_a_unit(org, measure):
    services.measure_copy(by=None, measure=measure, unit=org["other_ward"])

    with pytest.raises(ValidationError, match="already has a measure named"):
        services.measure_copy(by=None, measure=measure, unit=org["other_ward"])
    with pytest.raises(ValidationError, match="already has a measure named"):
        services.measure_copy(by=None, measure=measure, unit=org["ward"])


@pytest.mark.parametrize("who", ["member", "partner", "outsider", "lead"])
def test_it_lets_only_those_who_define_measures_in_the_unit_copy_into_it(
    request, org, measure, who
):
    person = request.getfixturevalue(who)  # lead leads Ward 7, not Ward 8

    with pytest.raises(PermissionDenied):
        services.measure_copy(by=person, measure=measure, unit=org["other_ward"])
    assert Measure.objects.count() == 1
