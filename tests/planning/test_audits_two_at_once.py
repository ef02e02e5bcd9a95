"""Two auditors raising an audit's findings at the same moment: each finding is raised once.
The race is forced: each, once it has raised an issue, waits (a short while) for the other to
have done so too; the lock on the audit makes the second wait for the first and then find the
findings raised. PostgreSQL only: SQLite serialises writers, so the race cannot happen there."""

import contextlib
import threading

import pytest
from django.db import connection

from planning.audits_support import *  # noqa: F403
from planning.audits_support import add_cases
from qms.issues.models import Issue
from qms.planning import services
from qms.planning.services import audits as audit_services

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises writers from BEGIN IMMEDIATE: the race cannot happen there",
    ),
]


def test_two_auditors_raising_findings_at_once_raise_each_once(
    monkeypatch, audit, member, lead, analyst
):
    add_cases(audit, [("not_met", "not_met")] * 3, by=member)
    services.audit_analyse(by=lead, audit=audit)
    barrier = threading.Barrier(2)
    issue_raise = audit_services.issue_services.issue_raise

    def raise_then_wait(**kwargs):
        issue = issue_raise(**kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=1)
        return issue

    monkeypatch.setattr(audit_services.issue_services, "issue_raise", raise_then_wait)
    results = [None, None]

    def run(index, by):
        try:
            results[index] = services.findings_raise(by=by, audit=audit)
        except Exception as error:  # the test looks at what each racer got
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, by)) for i, by in enumerate((lead, analyst))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(isinstance(result, list) for result in results), results
    assert sorted(len(result) for result in results) == [0, 2]
    assert Issue.objects.count() == 2
    assert audit.criteria.filter(issue__isnull=True).count() == 0
