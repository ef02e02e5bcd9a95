"""The similar work index kept fresh cheaply: its version read in one query, at most once in
QMS_SIMILAR_CHECK_SECONDS, and a rebuild in one thread while the old index keeps answering."""

import threading

import pytest

from qms.improvement import services as improvement_services
from qms.improvement.models import Project
from qms.learning.selectors import similar as selectors


@pytest.fixture(autouse=True)
def _fresh_index():
    selectors.forget_index()
    yield
    selectors.wait_for_rebuild(timeout=5)
    selectors.forget_index()


def _project(unit, title="Falls at night"):
    return improvement_services.project_create(
        by=None, unit=unit, title=title, problem="Patients fall at night.", aim="Fewer falls"
    )


def test_it_reads_every_sources_version_in_one_query(org, django_assert_num_queries):
    with django_assert_num_queries(1):
        before = selectors._version()
    _project(org["ward"])
    assert selectors._version() != before


def test_it_sees_rows_written_in_bulk_without_history(org):
    before = selectors._version()
    Project.objects.bulk_create([Project(unit=org["ward"], title="Bulk", problem="", aim="")])
    assert selectors._version() != before


def test_it_checks_the_database_at_most_once_in_the_interval(
    org, settings, django_assert_num_queries
):
    settings.QMS_SIMILAR_CHECK_SECONDS = 60
    selectors.similarity_index()
    builds = selectors.index_stats()["builds"]
    _project(org["ward"])
    with django_assert_num_queries(0):
        selectors.similarity_index()  # within the interval: the index as it was
    assert selectors.index_stats()["builds"] == builds
    settings.QMS_SIMILAR_CHECK_SECONDS = 0
    selectors.similarity_index()
    assert selectors.index_stats()["builds"] == builds + 1


@pytest.fixture
def slow_build(monkeypatch, settings):
    """Builds made of fakes (no database): each returns a new index, the second one waits
    until the test lets it finish."""
    settings.QMS_SIMILAR_REBUILD_IN_THREAD = True
    settings.QMS_SIMILAR_CHECK_SECONDS = 0
    state = {"version": (1,), "builds": 0, "release": threading.Event()}
    state["started"] = threading.Event()

    def build():
        state["builds"] += 1
        if state["builds"] > 1:
            state["started"].set()
            assert state["release"].wait(timeout=5)
        return f"index {state['builds']}", {}

    monkeypatch.setattr(selectors, "_version", lambda: state["version"])
    monkeypatch.setattr(selectors, "_build", build)
    return state


def test_it_answers_from_the_old_index_while_one_thread_rebuilds(slow_build):
    assert selectors.similarity_index()[0] == "index 1"  # no index: built on the request
    slow_build["version"] = (2,)
    assert selectors.similarity_index()[0] == "index 1"  # changed: the old one answers
    assert slow_build["started"].wait(timeout=5)
    assert selectors.similarity_index()[0] == "index 1"  # still building: no second build
    assert slow_build["builds"] == 2
    slow_build["release"].set()
    selectors.wait_for_rebuild(timeout=5)
    assert selectors.similarity_index()[0] == "index 2"
    assert slow_build["builds"] == 2  # the new index is of the latest version


def test_it_throws_away_a_rebuild_of_an_index_forgotten_meanwhile(slow_build):
    selectors.similarity_index()
    slow_build["version"] = (2,)
    selectors.similarity_index()
    assert slow_build["started"].wait(timeout=5)
    selectors.forget_index()
    slow_build["release"].set()
    selectors.wait_for_rebuild(timeout=5)
    assert selectors.index_stats()["documents"] == 0
    assert selectors.similarity_index()[0] == "index 3"


def test_it_rebuilds_on_the_request_when_told_to(slow_build, settings):
    settings.QMS_SIMILAR_REBUILD_IN_THREAD = False
    selectors.similarity_index()
    slow_build["version"] = (2,)
    slow_build["release"].set()
    assert selectors.similarity_index()[0] == "index 2"
