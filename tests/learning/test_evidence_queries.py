"""The evidence pages make a bounded number of queries whatever the size of the library and
however many records cite an item."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from learning.evidence_support import *  # noqa: F403
from learning.evidence_support import add_item
from qms.improvement import services as improvement_services
from qms.learning import services
from qms.planning import services as planning_services

pytestmark = pytest.mark.django_db


def _library(org, size):
    return [add_item(org["board"], title=f"Item {n}") for n in range(size)]


def _cite_from_many(org, lead, item, size):
    """`size` priorities and `size` projects' packages citing the item, half in Surgery."""
    for n in range(size):
        unit = org["ward"] if n % 2 else org["other_service"]
        priority = planning_services.priority_create(
            by=None, unit=unit, title=f"Priority {n}", problem="p", origin="strategy"
        )
        services.evidence_link(by=None, evidence=item, record=priority, note=f"Note {n}")
        project = improvement_services.project_create(
            by=None, unit=unit, title=f"Project {n}", problem="p", aim="a"
        )
        package = improvement_services.package_create(
            by=None, project=project, title=f"Package {n}", summary="s"
        )
        services.evidence_link(by=None, evidence=item, record=package)


@pytest.mark.parametrize("size", [3, 40])
def test_the_library_page_makes_the_same_queries_at_any_size(
    client, as_user, org, size, django_assert_max_num_queries
):
    _library(org, size)
    as_user("member")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("learning:evidence-list"), {"q": "Item"})
    assert response.status_code == 200


@pytest.mark.parametrize("size", [2, 20])
def test_an_items_page_makes_the_same_queries_however_often_it_is_cited(
    client, as_user, org, lead, size, django_assert_max_num_queries
):
    item = add_item(org["board"])
    _cite_from_many(org, lead, item, size)
    as_user("member")
    with django_assert_max_num_queries(16):
        response = client.get(item.get_absolute_url())
    body = response.content.decode()
    assert f"{size} other records you may not see" in body  # Surgery's half of both kinds


def _queries(client, url) -> int:
    """The queries of a page seen a second time: the first view fills caches (content types,
    the priority's ranking) whatever the size of the library."""
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_panel_makes_the_same_queries_at_any_size(client, as_user, org, package, priority):
    """The package's and priority's pages and the citing page, with 2 then 60 items in the
    library and half of them cited."""
    as_user("lead")
    urls = [
        package.get_absolute_url(),
        priority.get_absolute_url(),
        reverse("learning:evidence-cite", args=["improvement.changepackage", package.pk]),
    ]
    counts = []
    for size in (2, 60):
        items = _library(org, size)
        for item in items[: size // 2]:
            services.evidence_link(by=None, evidence=item, record=package)
            services.evidence_link(by=None, evidence=item, record=priority)
        counts.append([_queries(client, url) for url in urls])
    assert counts[0] == counts[1]


def test_the_package_list_counts_citations_in_one_query(client, as_user, org, lead, board_item):
    published = []
    for n in range(3):
        project = improvement_services.project_create(
            by=None, unit=org["ward"], title=f"Project {n}", problem="p", aim="a"
        )
        from qms.improvement.models import DriverNode, NodeKind

        idea = DriverNode.objects.create(
            project=project, parent=project.nodes.get(), kind=NodeKind.CHANGE_IDEA, text="Idea"
        )
        package = improvement_services.package_create(
            by=None, project=project, title=f"Package {n}", summary="s", change_ideas=[idea]
        )
        published.append(improvement_services.package_publish(by=None, package=package))
    services.evidence_link(by=None, evidence=board_item, record=published[0])
    as_user("member")
    body = client.get(reverse("improvement:package-list")).content.decode()
    assert body.count("Cites no evidence") == 2
