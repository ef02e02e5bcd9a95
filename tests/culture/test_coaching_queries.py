"""Coaching pages read in the same number of queries whatever the number of sessions, actions
and logs (at most as many as with few: the first request also fills per-process caches)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from culture.coaching_support import TODAY, make_coach, open_coaching, record_session

pytestmark = pytest.mark.django_db


def _sessions(coach, relationship, lead, count):
    for i in range(count):
        record_session(
            coach,
            relationship,
            held_on=TODAY - dt.timedelta(days=i),
            actions=[{"text": f"Action {i}-{j}", "owner": lead, "due_on": TODAY} for j in range(2)],
        )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_it_reads_a_log_in_the_same_queries_whatever_its_sessions(client, org, lead):
    coach = make_coach(org)
    relationship = open_coaching(coach, org["ward"], [lead])
    _sessions(coach, relationship, lead, 1)
    client.force_login(lead)
    url = relationship.get_absolute_url()
    small = _queries(client, url)
    _sessions(coach, relationship, lead, 12)
    assert _queries(client, url) <= small


def test_it_lists_coaching_and_hours_in_the_same_queries_whatever_the_logs(
    client, org, lead, member
):
    coach = make_coach(org)
    for i in range(2):
        _sessions(coach, open_coaching(coach, org["ward"], [lead], title=f"Log {i}"), lead, 1)
    client.force_login(coach)
    small = {name: _queries(client, reverse(name)) for name in ("culture:coaching-list",)}
    client.force_login(lead)
    small_hours = _queries(client, reverse("culture:coaching-hours"))
    for i in range(10):
        relationship = open_coaching(
            coach, org["ward"], [lead, member], kind="team", title=f"Team {i}"
        )
        _sessions(coach, relationship, lead, 2)
    client.force_login(coach)
    assert all(_queries(client, reverse(name)) <= count for name, count in small.items())
    client.force_login(lead)
    assert _queries(client, reverse("culture:coaching-hours")) <= small_hours
