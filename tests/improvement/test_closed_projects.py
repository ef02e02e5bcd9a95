"""A closed project's record stands as it was: its team cannot change its diagram, cycles,
prototypes, milestones or measures until a lead reopens it by its stage."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from improvement.cycles_support import *  # noqa: F403
from qms.improvement import services
from qms.improvement.models import DriverNode, NodeKind, PdsaCycle, Stage


@pytest.fixture
def closed(project, lead):
    return services.project_update(by=lead, project=project, stage=Stage.CLOSED)


def test_it_refuses_the_teams_work_on_a_closed_project(closed, lead, change_idea):
    primary = closed.nodes.get(kind=NodeKind.PRIMARY)
    attempts = [
        lambda: services.node_add(by=lead, parent=primary, kind=NodeKind.SECONDARY, text="x"),
        lambda: services.cycle_create(by=lead, change_idea=change_idea, **plan()),  # noqa: F405
        lambda: services.prototype_create(by=lead, project=closed, title="x", description="y"),
        lambda: services.milestone_add(by=lead, project=closed, title="x", due_on=START),  # noqa: F405
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied, match="The project is closed: reopen it"):
            attempt()
    assert not PdsaCycle.objects.exists()
    assert not DriverNode.objects.filter(kind=NodeKind.SECONDARY).exists()


def test_its_leads_reopen_it_and_the_work_goes_on(closed, lead, change_idea):
    services.project_update(by=lead, project=closed, stage=Stage.TESTING)
    cycle = services.cycle_create(by=lead, change_idea=change_idea, **plan())  # noqa: F405
    assert cycle.number == 1


def test_its_diagram_offers_no_changes_while_closed(client, project, lead):
    client.force_login(lead)
    url = reverse("improvement:diagram", args=[project.pk])
    assert "<legend>Rename</legend>" in client.get(url).content.decode()
    services.project_update(by=lead, project=project, stage=Stage.CLOSED)
    assert "<legend>Rename</legend>" not in client.get(url).content.decode()
