"""An aim's history: its measures and projects as names, read in the same number of queries
however many times they changed (qms.core.history reads kept many-to-many fields in bulk)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from helpers import make_measure

from planning.aims_support import *  # noqa: F403
from qms.core.history import history_of
from qms.planning import services


def test_it_shows_linked_measures_by_name_with_the_reason(org, lead, ward_aim):
    measure = make_measure(org["ward"], "falls-a")
    services.aim_link_measure(by=lead, aim=ward_aim, measure=measure)
    rows = history_of(ward_aim)
    link = next(row for row in rows if any(c.label == "measures" for c in row.changes))
    change = next(c for c in link.changes if c.label == "measures")
    assert (change.old, change.new) == ("none", str(measure))
    assert link.who == str(lead)
    services.aim_unlink_measure(by=lead, aim=ward_aim, measure=measure)
    latest = history_of(ward_aim)[0]
    assert [str(c) for c in latest.changes] == [f"Measures: {measure} → none"]


def test_it_reads_an_aims_history_in_the_same_queries_however_long(org, lead, ward_aim):
    counts = []
    for start, count in ((0, 2), (2, 20)):
        for n in range(start, start + count):
            measure = make_measure(org["ward"], f"falls-{n}")
            services.aim_link_measure(by=lead, aim=ward_aim, measure=measure)
        with CaptureQueriesContext(connection) as queries:
            rows = history_of(ward_aim, limit=50)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert len(rows) == 23
