"""Needs assessments' services: who may write them, need statements in order, evidence of each
kind, assets; every refusal names its field and saves nothing."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from helpers import make_person

from planning.needs_support import *  # noqa: F403
from planning.needs_support import csv_file
from qms.people.roles import Role
from qms.planning.models import Asset, EvidenceKind, Need, NeedEvidence, NeedsAssessment
from qms.planning.services import needs as services


def test_it_lets_a_lead_start_an_assessment_and_records_who(org, lead):
    made = services.assessment_create(
        by=lead, unit=org["ward"], title="Frailty", population="Over-65s"
    )
    assert made.created_by == lead
    assert made.history.first().history_user == lead


@pytest.mark.parametrize("who", ["member", "partner", "outsider"])
def test_it_refuses_an_assessment_from_those_who_are_not_needs_editors(org, who, request):
    person = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.assessment_create(by=person, unit=org["ward"], title="T", population="P")
    assert not NeedsAssessment.objects.exists()


def test_it_names_the_fields_of_an_assessment_that_is_not_complete(org, lead):
    with pytest.raises(ValidationError) as caught:
        services.assessment_create(by=lead, unit=org["ward"], title=" ", population="")
    assert {"title", "population"} <= set(caught.value.message_dict)


def test_it_lets_a_partner_given_a_role_on_the_assessment_write_it(assessment, community):
    need = services.need_add(by=community, assessment=assessment, statement="Someone to call")
    assert need.position == 1
    services.asset_add(by=community, assessment=assessment, kind="community", name="Lunch club")
    assert services.may_edit_assessment(community, assessment)


def test_it_refuses_the_partner_another_assessment(community, other_assessment):
    with pytest.raises(PermissionDenied):
        services.need_add(by=community, assessment=other_assessment, statement="A need")


def test_it_refuses_a_team_member_of_the_unit_who_is_not_given_the_assessment(assessment, member):
    with pytest.raises(PermissionDenied):
        services.need_add(by=member, assessment=assessment, statement="A need")


def test_it_lets_a_team_member_given_the_assessment_write_it(assessment, member):
    from qms.people import services as people_services

    people_services.grant_give(by=None, record=assessment, person=member, role=Role.TEAM_MEMBER)
    assert services.need_add(by=member, assessment=assessment, statement="A need").pk


def test_it_lets_a_quality_lead_above_the_unit_write_it(assessment, quality_lead):
    assert services.need_add(by=quality_lead, assessment=assessment, statement="A need").pk


def test_it_keeps_needs_in_order_as_they_move(assessment, lead):
    a, b, c = (services.need_add(by=lead, assessment=assessment, statement=text) for text in "ABC")
    services.need_move(by=lead, need=c, direction="up")
    assert list(assessment.needs.values_list("statement", flat=True)) == ["A", "C", "B"]
    services.need_move(by=lead, need=a, direction="up")  # already first: nothing moves
    services.need_move(by=lead, need=a, direction="down")
    assert list(assessment.needs.values_list("statement", flat=True)) == ["C", "A", "B"]
    with pytest.raises(ValidationError) as caught:
        services.need_move(by=lead, need=a, direction="sideways")
    assert "direction" in caught.value.message_dict


def test_it_changes_and_removes_a_need_keeping_its_evidence(assessment, lead):
    need = services.need_add(by=lead, assessment=assessment, statement="Transport")
    services.need_update(by=lead, need=need, statement="Transport to clinics")
    evidence = services.evidence_add(
        by=lead,
        assessment=assessment,
        kind=EvidenceKind.FEEDBACK,
        title="Patients' stories",
        source="Listening event, May 2025",
        summary="“The bus takes two hours.”",
        need=need,
    )
    services.need_remove(by=lead, need=need)
    assert not Need.objects.exists()
    evidence.refresh_from_db()
    assert evidence.need is None and evidence.assessment == assessment


def test_it_refuses_evidence_for_a_need_of_another_assessment(
    assessment, other_assessment, lead, quality_lead
):
    need = services.need_add(by=None, assessment=other_assessment, statement="Respite")
    with pytest.raises(ValidationError) as caught:
        services.evidence_add(
            by=quality_lead,
            assessment=assessment,
            kind="feedback",
            title="T",
            source="S",
            summary="Said",
            need=need,
        )
    assert "need" in caught.value.message_dict


@pytest.mark.parametrize(
    "kind,fields,field",
    [
        ("feedback", {}, "summary"),
        ("statistic", {}, "statistic"),
        ("statistic", {"statistic": float("nan")}, "statistic"),
        ("statistic", {"statistic": 1e300}, "statistic"),
        ("statistic", {"statistic": 5, "published_on": dt.date(1066, 10, 14)}, "published_on"),
        ("statistic", {"statistic": 5, "published_on": dt.date(2999, 1, 1)}, "published_on"),
        ("table", {}, "file"),
        ("poem", {}, "kind"),
        ("feedback", {"summary": "x", "source": ""}, "source"),
        ("statistic", {"statistic": 5, "source_url": "not a link"}, "source_url"),
    ],
)
def test_it_names_what_evidence_lacks(assessment, lead, kind, fields, field):
    arguments = {"title": "Evidence", "source": "Public Health Scotland", **fields}
    with pytest.raises(ValidationError) as caught:
        services.evidence_add(by=lead, assessment=assessment, kind=kind, **arguments)
    assert field in caught.value.message_dict
    assert not NeedEvidence.objects.exists()


def test_it_keeps_a_published_statistic_with_its_source_and_date(assessment, lead):
    evidence = services.evidence_add(
        by=lead,
        assessment=assessment,
        kind="statistic",
        title="Over-75s living alone",
        source="Scotland's Census 2022",
        source_url="https://www.scotlandscensus.gov.uk/",
        statistic=38.5,
        statistic_unit="%",
        published_on=dt.date(2024, 9, 1),
    )
    assert (evidence.statistic, evidence.statistic_unit) == (38.5, "%")
    assert evidence.history.first().history_user == lead


def test_it_lists_assets_by_kind_and_removes_them(assessment, lead):
    services.asset_add(by=lead, assessment=assessment, kind="partner", name="Age Scotland")
    asset = services.asset_add(by=lead, assessment=assessment, kind="staff", name="Falls nurse")
    with pytest.raises(ValidationError):
        services.asset_add(by=lead, assessment=assessment, kind="money", name="X")
    services.asset_remove(by=lead, asset=asset)
    assert list(Asset.objects.values_list("name", flat=True)) == ["Age Scotland"]


def test_it_lets_no_one_but_its_writers_remove_evidence(assessment, lead, member):
    evidence = services.evidence_add(
        by=lead, assessment=assessment, kind="table", title="T", source="S",
        file=csv_file("Area,Count\nNorth,3\n"),
    )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.evidence_remove(by=member, evidence=evidence)
    services.evidence_remove(by=lead, evidence=evidence)
    assert not NeedEvidence.objects.exists()


def test_it_lets_an_analyst_write_and_a_closed_editor_of_another_unit_not(assessment, analyst, org):
    assert services.need_add(by=analyst, assessment=assessment, statement="Data").pk
    elsewhere = make_person("elsewhere-lead", (Role.TEAM_LEAD, org["other_ward"]))
    with pytest.raises(PermissionDenied):
        services.need_add(by=elsewhere, assessment=assessment, statement="Data")


def test_it_lists_the_assessments_given_to_a_person(assessment, community, other_assessment):
    from qms.planning.selectors.needs import assessments_given

    assert assessments_given(community) == [assessment]
