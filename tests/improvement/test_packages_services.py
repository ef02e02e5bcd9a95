"""Change packages: created from a project's tested change ideas and measures by its leads,
published for the organisation, withdrawn with a reason."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from helpers import make_measure

from improvement.spread_support import *  # noqa: F403
from qms.improvement import selectors, services
from qms.improvement.models import ChangePackage, PackageStatus


def test_it_creates_a_draft_package_with_the_projects_ideas_and_measures(package, idea, outcome):
    assert package.status == PackageStatus.DRAFT and package.published_at is None
    assert list(package.change_ideas.all()) == [idea]
    assert list(package.measures.all()) == [outcome]
    assert package.history.first().history_change_reason == "Created"


def test_it_lets_a_coach_granted_on_the_project_create_one(project, idea, coach):
    package = services.package_create(
        by=coach, project=project, title="Rounding", summary="Round.", change_ideas=[idea]
    )
    assert package.created_by == coach


@pytest.mark.parametrize("who", ["member", "team_partner", "other_lead", "outsider"])
def test_it_lets_no_one_but_the_projects_leads_create_one(project, idea, request, who):
    with pytest.raises(PermissionDenied):
        services.package_create(
            by=request.getfixturevalue(who), project=project, title="T", summary="S"
        )
    assert not ChangePackage.objects.exists()


def test_it_refuses_change_ideas_of_another_project(org, project, lead, idea):
    other = services.project_create(by=lead, unit=org["ward"], title="Other", problem="P", aim="A")
    with pytest.raises(ValidationError) as error:
        services.package_create(by=lead, project=other, title="T", summary="S", change_ideas=[idea])
    assert "change_ideas" in error.value.message_dict


def test_it_refuses_a_node_that_is_not_a_change_idea(project, lead, idea):
    with pytest.raises(ValidationError):
        services.package_create(
            by=lead, project=project, title="T", summary="S", change_ideas=[idea.parent]
        )


def test_it_refuses_measures_not_linked_to_the_project(org, project, lead):
    stray = make_measure(org["ward"], "stray")
    with pytest.raises(ValidationError) as error:
        services.package_create(by=lead, project=project, title="T", summary="S", measures=[stray])
    assert "measures" in error.value.message_dict
    assert not ChangePackage.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"title": " "}, "title"), ({"summary": ""}, "summary"), ({"title": "x" * 201}, "title")],
)
def test_it_refuses_a_package_without_its_text(project, lead, fields, field):
    with pytest.raises(ValidationError) as error:
        services.package_create(
            by=lead, project=project, **{"title": "T", "summary": "S", **fields}
        )
    assert field in error.value.message_dict


def test_it_offers_tested_change_ideas_first(project, untested_idea, idea, outcome):
    offer = selectors.package_offer(project)
    assert offer["change_ideas"] == [idea, untested_idea]
    assert offer["change_ideas"][0].tested == 1 and offer["change_ideas"][1].tested == 0
    assert offer["measures"] == [outcome]


def test_it_publishes_a_package_with_a_change_idea(published):
    assert published.status == PackageStatus.PUBLISHED and published.published_at
    with pytest.raises(ValidationError):
        services.package_publish(by=None, package=published)


def test_it_refuses_to_publish_a_package_without_change_ideas(project, lead):
    empty = services.package_create(by=lead, project=project, title="T", summary="S")
    with pytest.raises(ValidationError) as error:
        services.package_publish(by=lead, package=empty)
    assert "change_ideas" in error.value.message_dict
    empty.refresh_from_db()
    assert empty.status == PackageStatus.DRAFT


@pytest.mark.parametrize("who", ["member", "team_partner", "other_lead"])
def test_it_lets_only_leads_publish_or_withdraw(package, request, who):
    person = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.package_publish(by=person, package=package)
    services.package_publish(by=None, package=package)
    with pytest.raises(PermissionDenied):
        services.package_withdraw(by=person, package=package, reason="Old")


def test_it_withdraws_with_a_reason_and_keeps_the_package_as_it_was(published, lead):
    with pytest.raises(ValidationError) as error:
        services.package_withdraw(by=lead, package=published, reason=" ")
    assert "reason" in error.value.message_dict
    services.package_withdraw(by=lead, package=published, reason="Superseded by version 2.")
    published.refresh_from_db()
    assert published.status == PackageStatus.WITHDRAWN
    assert published.history.first().history_change_reason == (
        "Withdrawn: Superseded by version 2."
    )
    with pytest.raises(ValidationError):
        services.package_update(by=lead, package=published, title="New")


def test_it_updates_the_text_and_choices_with_history(package, lead, untested_idea):
    services.package_update(
        by=lead, package=package, title="Bundle v2", change_ideas=[untested_idea], reason="v2"
    )
    package.refresh_from_db()
    assert package.title == "Bundle v2"
    assert list(package.change_ideas.all()) == [untested_idea]
    assert package.history.first().history_change_reason == "v2"
    with pytest.raises(ValidationError):
        services.package_update(by=lead, package=package, status="published")
