"""Adopting a published change package in another unit: its leads adopt, with their local
adaptations, context and measures (the unit's own linked, the package's copied in one step,
all or nothing); the adoption moves on with history; the project's lead hears."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from helpers import make_measure

from improvement.spread_support import *  # noqa: F403
from improvement.spread_support import ADOPTED_ON
from qms.control import services as control_services
from qms.improvement import services
from qms.improvement.models import Adoption, AdoptionStatus
from qms.improvement.selectors import measure_model
from qms.notifications.models import Notification

needs_copy = pytest.mark.skipif(
    not hasattr(control_services, "measure_copy"), reason="control's measure_copy not landed"
)


def adopt(by, package, unit, **fields):
    return services.adoption_create(
        by=by, package=package, unit=unit, adopted_on=ADOPTED_ON, **fields
    )


def test_it_adopts_a_published_package_in_a_unit_the_adopter_leads(
    org, published, other_lead, lead
):
    own = make_measure(org["other_ward"], "falls-ward8")
    adoption = adopt(
        other_lead,
        published,
        org["other_ward"],
        local_adaptations="Rounding every two hours on the side rooms.",
        context="Single rooms.",
        link_measures=[own],
    )
    assert adoption.status == AdoptionStatus.ADOPTING
    assert adoption.lead == other_lead
    assert list(adoption.measures.all()) == [own]
    assert adoption.history.first().history_user == other_lead
    told = Notification.objects.get(person=lead)
    assert "Ward 8 is adopting your change package" in told.text
    assert told.link == adoption.get_absolute_url()


def test_it_plans_an_adoption_dated_ahead(org, published, other_lead):
    ahead = dt.date.today() + dt.timedelta(days=30)
    adoption = services.adoption_create(
        by=other_lead, package=published, unit=org["other_ward"], adopted_on=ahead
    )
    assert adoption.status == AdoptionStatus.PLANNED


def test_it_lets_staff_of_another_board_adopt_only_where_they_lead(org, published, outsider):
    with pytest.raises(PermissionDenied):
        adopt(outsider, published, org["other_ward"])
    assert adopt(outsider, published, org["elsewhere"]).unit == org["elsewhere"]


@pytest.mark.parametrize("who", ["member", "team_partner", "coach"])
def test_it_lets_no_one_without_a_lead_role_in_the_unit_adopt(org, published, request, who):
    with pytest.raises(PermissionDenied):
        adopt(request.getfixturevalue(who), published, org["other_ward"])
    assert not Adoption.objects.exists()


def test_it_refuses_a_draft_and_the_packages_own_unit(org, package, lead, other_lead):
    with pytest.raises(ValidationError, match="published"):
        adopt(other_lead, package, org["other_ward"])
    services.package_publish(by=lead, package=package)
    with pytest.raises(ValidationError) as error:
        adopt(lead, package, org["ward"])
    assert "unit" in error.value.message_dict


def test_it_refuses_a_second_adoption_in_the_same_unit(org, published, other_lead):
    adopt(other_lead, published, org["other_ward"])
    with pytest.raises(ValidationError) as error:
        adopt(other_lead, published, org["other_ward"])
    assert "adopted this package already" in str(error.value.message_dict["unit"])


def test_it_refuses_measures_of_another_unit_and_not_in_the_package(
    org, published, other_lead, outcome
):
    with pytest.raises(ValidationError) as error:
        adopt(other_lead, published, org["other_ward"], link_measures=[outcome])
    assert "link_measures" in error.value.message_dict
    stray = make_measure(org["other_ward"], "stray")
    with pytest.raises(ValidationError) as error:
        adopt(other_lead, published, org["other_ward"], copy_measures=[stray])
    assert "copy_measures" in error.value.message_dict
    assert not Adoption.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"adopted_on": "2026-01-01"}, "adopted_on"),
        ({"adopted_on": dt.date(1999, 1, 1)}, "adopted_on"),
        ({"local_adaptations": "x" * 10_001}, "local_adaptations"),
    ],
)
def test_it_refuses_bad_input_naming_the_field(org, published, other_lead, fields, field):
    with pytest.raises(ValidationError) as error:
        services.adoption_create(
            by=other_lead,
            package=published,
            unit=org["other_ward"],
            **{"adopted_on": ADOPTED_ON, **fields},
        )
    assert field in error.value.message_dict


def test_it_refuses_a_lead_who_is_not_staff_of_the_unit(org, published, other_lead, outsider):
    with pytest.raises(ValidationError) as error:
        adopt(other_lead, published, org["other_ward"], lead=outsider)
    assert "lead" in error.value.message_dict


@needs_copy
def test_it_copies_the_packages_measure_definitions_in_one_step(
    org, published, other_lead, outcome
):
    adoption = adopt(other_lead, published, org["other_ward"], copy_measures=[outcome])
    (copy,) = adoption.measures.all()
    assert copy.pk != outcome.pk and copy.unit == org["other_ward"]
    assert copy.operational_definition == outcome.operational_definition
    assert not copy.observations.exists()


@needs_copy
def test_it_copies_all_or_nothing(org, published, other_lead, outcome, monkeypatch):
    real = control_services.measure_copy
    calls = []

    def copy_then_fail(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise ValidationError({"code": "Copy failed."})
        return real(**kwargs)

    second = make_measure(org["ward"], "falls-harm")
    published.measures.add(second)
    monkeypatch.setattr(control_services, "measure_copy", copy_then_fail)
    before = measure_model().objects.count()
    with pytest.raises(ValidationError):
        adopt(other_lead, published, org["other_ward"], copy_measures=[outcome, second])
    assert len(calls) == 2
    assert measure_model().objects.count() == before
    assert not Adoption.objects.exists()


def test_it_moves_an_adoption_on_with_history_and_tells_the_project_lead(
    org, published, other_lead, lead
):
    adoption = adopt(other_lead, published, org["other_ward"])
    services.adoption_status_set(by=other_lead, adoption=adoption, status="adopted")
    adoption.refresh_from_db()
    assert adoption.status == AdoptionStatus.ADOPTED
    assert adoption.history.first().history_change_reason == "Adopted"
    assert Notification.objects.filter(person=lead).count() == 2
    with pytest.raises(ValidationError) as error:
        services.adoption_status_set(by=other_lead, adoption=adoption, status="stopped")
    assert "reason" in error.value.message_dict
    services.adoption_status_set(
        by=other_lead, adoption=adoption, status="stopped", reason="Staffing."
    )
    adoption.refresh_from_db()
    assert adoption.history.first().history_change_reason == "Stopped: Staffing."


def test_it_refuses_a_move_the_status_does_not_allow(org, published, other_lead):
    adoption = adopt(other_lead, published, org["other_ward"])
    for status in ("planned", "nonsense"):
        with pytest.raises(ValidationError) as error:
            services.adoption_status_set(by=other_lead, adoption=adoption, status=status)
        assert "status" in error.value.message_dict


@pytest.mark.parametrize("who", ["lead", "member", "outsider"])
def test_it_lets_only_the_adopting_units_leads_change_it(org, published, other_lead, request, who):
    adoption = adopt(other_lead, published, org["other_ward"])
    person = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.adoption_status_set(by=person, adoption=adoption, status="adopted")
    with pytest.raises(PermissionDenied):
        services.adoption_update(by=person, adoption=adoption, context="x")


def test_it_adds_measures_later(org, published, other_lead):
    adoption = adopt(other_lead, published, org["other_ward"])
    own = make_measure(org["other_ward"], "falls-ward8")
    assert services.adoption_measures_add(
        by=other_lead, adoption=adoption, link_measures=[own]
    ) == [own]
    assert list(adoption.measures.all()) == [own]
