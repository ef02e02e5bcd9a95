"""Defects found by trying issue 9 as its users would (the tester's part): a huge driver
diagram. Nothing limited its size: 500 nodes took seconds to draw as SVG and a 45 MB PNG (a
gunicorn worker's timeout on a busy server). A diagram now holds at most DIAGRAM_MAX_NODES."""

from django.urls import reverse

from improvement.cycles_support import *  # noqa: F403
from qms.improvement.models import DriverNode, NodeKind
from qms.improvement.services.diagram import DIAGRAM_MAX_NODES


def _fill(project, count):
    primary = project.nodes.get(kind=NodeKind.PRIMARY)
    DriverNode.objects.bulk_create(
        DriverNode(
            project=project, parent=primary, kind=NodeKind.CHANGE_IDEA, text=f"Idea {n}", position=n
        )
        for n in range(1, count + 1)
    )


def test_it_refuses_a_node_beyond_the_largest_diagram(client, as_user, project):
    _fill(project, DIAGRAM_MAX_NODES - project.nodes.count())
    primary = project.nodes.get(kind=NodeKind.PRIMARY)
    as_user("lead")
    url = reverse("improvement:node-add", args=[primary.pk])
    response = client.post(url, {"kind": "change_idea", "text": "One more"}, follow=True)
    assert f"at most {DIAGRAM_MAX_NODES} nodes" in response.content.decode()
    assert project.nodes.count() == DIAGRAM_MAX_NODES


def test_it_adds_up_to_the_largest_diagram(client, as_user, project):
    _fill(project, DIAGRAM_MAX_NODES - project.nodes.count() - 1)
    primary = project.nodes.get(kind=NodeKind.PRIMARY)
    as_user("lead")
    url = reverse("improvement:node-add", args=[primary.pk])
    client.post(url, {"kind": "change_idea", "text": "The last one"})
    assert project.nodes.count() == DIAGRAM_MAX_NODES
