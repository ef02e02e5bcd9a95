import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from helpers import make_person

from capability.support import assess, framework
from qms.capability.models import AssessmentStatus
from qms.capability.services import records as services
from qms.capability.services import time as time_services
from qms.people.roles import Role


def test_it_confirms_a_leads_assessment_and_keeps_the_earlier_one(org, lead, member):
    levels, skills = framework(org)
    first = assess(member, skills["measurement"], levels["awareness"], by=lead)
    second = assess(member, skills["measurement"], levels["foundation"], by=lead)
    assert first.pk == second.pk
    assert second.status == AssessmentStatus.CONFIRMED
    assert list(second.history.values_list("level__code", flat=True)) == [
        "foundation",
        "awareness",
    ]


def test_it_keeps_a_self_assessment_pending_until_a_lead_confirms_it(org, lead, member):
    levels, skills = framework(org)
    mine = assess(member, skills["co-design"], levels["practitioner"], by=member)
    assert mine.status == AssessmentStatus.PENDING
    with pytest.raises(PermissionDenied):
        services.assessment_confirm(by=member, assessment=mine)
    assert services.assessment_confirm(by=lead, assessment=mine).status == "confirmed"
    # A lead's own assessment of themself waits for someone else too.
    assert assess(lead, skills["co-design"], levels["expert"], by=lead).status == "pending"


def test_it_refuses_colleagues_partners_and_outsiders(org, member, partner, outsider):
    levels, skills = framework(org)
    colleague = make_person("colleague", (Role.TEAM_MEMBER, org["ward"]))
    for person in (colleague, partner, outsider):
        with pytest.raises(PermissionDenied):
            assess(member, skills["measurement"], levels["expert"], by=person)
        with pytest.raises(PermissionDenied):
            services.training_record(
                by=person, person=member, course="QI", completed_on=dt.date(2026, 1, 1)
            )
    with pytest.raises(PermissionDenied):  # a partner has no staff record at all
        assess(partner, skills["co-design"], levels["awareness"])


def test_it_lets_a_lead_of_the_division_assess_the_wards_staff(org, member):
    levels, skills = framework(org)
    division_lead = make_person("dlead", (Role.TEAM_LEAD, org["division"]))
    other_lead = make_person("olead", (Role.TEAM_LEAD, org["other_ward"]))
    assert assess(member, skills["measurement"], levels["expert"], by=division_lead)
    with pytest.raises(PermissionDenied):
        assess(member, skills["measurement"], levels["expert"], by=other_lead)


def test_it_names_the_field_of_bad_training(org, lead, member):
    levels, skills = framework(org)
    cases = [
        ({"course": ""}, "course"),
        ({"completed_on": dt.date(2999, 1, 1)}, "completed_on"),
        ({"completed_on": None}, "completed_on"),
        ({"hours": "lots"}, "hours"),
        ({"hours": "-3"}, "hours"),
        ({"hours": "1e400"}, "hours"),
        ({"hours": "NaN"}, "hours"),
        ({"level": levels["expert"]}, "skill"),
        ({"course": "x" * 201}, "course"),
    ]
    for change, field in cases:
        given = {
            "course": "Scottish Improvement Foundation Skills",
            "completed_on": dt.date(2026, 1, 1),
        }
        given.update(change)
        with pytest.raises(ValidationError) as error:
            services.training_record(by=lead, person=member, **given)
        assert field in error.value.message_dict, change
    training = services.training_record(
        by=lead,
        person=member,
        course="Scottish Improvement Foundation Skills",
        provider="NHS Education for Scotland",
        completed_on=dt.date(2026, 1, 1),
        hours="12.5",
        skill=skills["model-for-improvement"],
        level=levels["foundation"],
    )
    assert training.hours == 12.5 and training.recorded_by == lead


def test_it_refuses_another_organisations_skill(org, lead, member):
    _levels, _skills = framework(org)
    levels, skills = framework({"board": org["elsewhere"]})
    with pytest.raises(ValidationError) as error:
        assess(member, skills["measurement"], levels["expert"], by=lead)
    assert "skill" in error.value.message_dict


def test_it_asks_why_when_used_time_is_far_below_planned(org, lead, member):
    month = dt.date(2026, 1, 1)
    with pytest.raises(ValidationError) as error:
        time_services.time_record(by=member, person=member, month=month, planned=8, used=3)
    assert "reason" in error.value.message_dict
    row = time_services.time_record(
        by=member, person=member, month=month, planned=8, used=3, reason="Winter pressures"
    )
    again = time_services.time_record(
        by=lead, person=member, month=dt.date(2026, 1, 20), planned=8, used=4
    )
    assert again.pk == row.pk and again.used == 4 and again.reason == ""
    for bad, field in (
        ({"planned": ""}, "planned"),
        ({"planned": "800"}, "planned"),
        ({"used": "x"}, "used"),
        ({"month": dt.date(2999, 1, 1)}, "month"),
        ({"month": None}, "month"),
    ):
        given = {"month": month, "planned": 8, "used": 8, **bad}
        with pytest.raises(ValidationError) as error:
            time_services.time_record(by=lead, person=member, **given)
        assert field in error.value.message_dict


def test_it_refuses_time_used_in_a_month_not_yet_begun(org, member):
    from django.utils import timezone

    ahead = (timezone.localdate().replace(day=1) + dt.timedelta(days=40)).replace(day=1)
    with pytest.raises(ValidationError) as error:
        time_services.time_record(by=member, person=member, month=ahead, planned=4, used=4)
    assert "used" in error.value.message_dict
    assert time_services.time_record(by=member, person=member, month=ahead, planned=4).used is None
