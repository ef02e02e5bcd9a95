"""Two auditors raising an audit's findings at the same moment: each finding is raised once.
The race is forced: each, once it has raised an issue, waits (a short while) for the other to
have done so too; the lock on the audit makes the second wait for the first and then find the
findings raised. PostgreSQL only: SQLite serialises writers, so the race cannot happen there."""

import threading

from helpers import RACES, race, wait_after

from planning.audits_support import *  # noqa: F403
from planning.audits_support import add_cases
from qms.issues.models import Issue
from qms.planning import services
from qms.planning.services import audits as audit_services

pytestmark = RACES


def test_two_auditors_raising_findings_at_once_raise_each_once(
    monkeypatch, audit, member, lead, analyst
):
    add_cases(audit, [("not_met", "not_met")] * 3, by=member)
    services.audit_analyse(by=lead, audit=audit)
    wait_after(monkeypatch, audit_services.issue_services, "issue_raise", threading.Barrier(2))

    def raise_findings(by):
        return lambda: services.findings_raise(by=by, audit=audit)

    results = race([raise_findings(lead), raise_findings(analyst)])
    assert all(isinstance(result, list) for result in results), results
    assert sorted(len(result) for result in results) == [0, 2]
    assert Issue.objects.count() == 2
    assert audit.criteria.filter(issue__isnull=True).count() == 0
