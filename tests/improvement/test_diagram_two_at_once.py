"""Two people changing one driver diagram at the same moment: siblings stay numbered 1, 2, 3...
without a gap or a duplicate. The race is forced: each, once it has worked out its node's place,
waits (a short while) for the other to have done so too. PostgreSQL only: SQLite takes its write
lock before anything is read, so the race cannot happen there."""

import threading

from helpers import RACES, race, wait_after

from improvement import diagram_support as support
from improvement.diagram_support import aim_of, positions_are_contiguous
from qms.improvement import services
from qms.improvement.models import DriverNode, NodeKind
from qms.improvement.services import diagram as diagram_services

project, teammate, coach, team_partner = support.FIXTURES

pytestmark = RACES


def _race(monkeypatch, calls):
    """Run `calls` at once, each waiting for the others once it has placed its node."""
    wait_after(
        monkeypatch,
        diagram_services,
        "record_by",
        threading.Barrier(len(calls)),
        when=lambda instance, *_, **__: isinstance(instance, DriverNode),
    )
    return race(calls)


def test_two_nodes_added_at_once_take_the_next_two_places(monkeypatch, project, lead, coach):
    aim = aim_of(project)
    results = _race(
        monkeypatch,
        [
            lambda: services.node_add(by=lead, parent=aim, kind=NodeKind.PRIMARY, text="A"),
            lambda: services.node_add(by=coach, parent=aim, kind=NodeKind.PRIMARY, text="B"),
        ],
    )
    assert all(isinstance(result, DriverNode) for result in results), results
    assert sorted(DriverNode.objects.filter(parent=aim).values_list("position", flat=True)) == [
        1,
        2,
    ]


def test_a_move_and_an_add_at_once_keep_the_places_contiguous(monkeypatch, project, lead, coach):
    aim = aim_of(project)
    first = services.node_add(by=None, parent=aim, kind=NodeKind.PRIMARY, text="First")
    other = services.node_add(by=None, parent=aim, kind=NodeKind.PRIMARY, text="Other")
    idea = services.node_add(by=None, parent=first, kind=NodeKind.CHANGE_IDEA, text="Idea")
    services.node_add(by=None, parent=other, kind=NodeKind.CHANGE_IDEA, text="Theirs")
    results = _race(
        monkeypatch,
        [
            lambda: services.node_move(by=lead, node=idea, parent=other, position=1),
            lambda: services.node_add(
                by=coach, parent=other, kind=NodeKind.CHANGE_IDEA, text="New", position=1
            ),
        ],
    )
    assert all(isinstance(result, DriverNode) for result in results), results
    assert positions_are_contiguous(project)
    assert DriverNode.objects.filter(parent=other).count() == 3
