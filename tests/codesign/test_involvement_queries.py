"""The ladder summary and a record's involvement panel read in the same few queries whatever
the number of entries."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from codesign.involvement_support import *  # noqa: F403
from codesign.involvement_support import log
from qms.codesign.models import Level
from qms.codesign.selectors import involvement as selectors

pytestmark = pytest.mark.django_db

START, END = dt.date(2026, 1, 1), dt.date(2026, 12, 31)


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def _add(works, count):
    for n in range(count):
        work = works[n % len(works)]
        log(work, Level(n % 5 + 1), day=dt.date(2026, 10, n % 28 + 1), shaped_decision=True)


def test_it_reads_the_ladder_in_the_same_queries_whatever_its_size(
    org, project, priority, measure, network, lead
):
    ContentType.objects.clear_cache()
    works = [project, priority, measure, network]
    _add(works, 4)
    selectors.ladder_summary(org["ward"], START, END)  # the content types are cached once
    few = _queries(lambda: selectors.ladder_summary(org["ward"], START, END))
    _add(works, 60)
    assert _queries(lambda: selectors.ladder_summary(org["ward"], START, END)) == few
    # The highest rungs, the shaped decisions, and one per kind of work they name.
    assert few <= 2 + len(works)
    selectors.involvement_of(lead, project)  # the lead's roles are read once
    panel = _queries(lambda: selectors.involvement_of(lead, project))
    _add([project], 30)
    assert _queries(lambda: selectors.involvement_of(lead, project)) == panel
