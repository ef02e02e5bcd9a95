"""Two people at the same moment: two analysts saving the same issue's first analysis (one
analysis, no domain coded twice, the last save kept and both in the history), and two staff
making the same recurring factor a candidate priority (one priority). The race is forced: each
waits (a short while) for the other once it has read what is there. PostgreSQL only: SQLite
takes its write lock before anything is read, so the race cannot happen there.

The database is emptied after these tests (transactional), so they make their own domains
rather than read the seeded framework."""

import threading

from helpers import RACES, make_person, race, wait_after

from planning.factors_support import *  # noqa: F403
from qms.people.roles import Role
from qms.planning import services
from qms.planning.models import FactorDomain, IssueAnalysis, IssueFactor, Priority
from qms.planning.services import factors as factor_services

pytestmark = RACES


def _domain(code):
    return FactorDomain.objects.get_or_create(
        code=f"race-{code}", defaults={"name": f"Race {code}", "prompt": f"What about {code}?"}
    )[0]


def _race(monkeypatch, name, calls):
    """Run `calls` at once, each waiting at `name` (a function of the factors services) for
    the others; what each returned or raised."""
    wait_after(monkeypatch, factor_services, name, threading.Barrier(len(calls)))
    return race(calls)


def test_two_analysts_saving_the_first_analysis_at_once_make_one(monkeypatch, org, issue, lead):
    other = make_person("analyst2", (Role.ANALYST, org["ward"]))
    workload, culture = _domain("workload"), _domain("culture")

    def save(by, account, domains):
        return lambda: services.analysis_save(
            by=by,
            issue=issue,
            system_account=account,
            factors=[(domain, account) for domain in domains],
        )

    results = _race(
        monkeypatch,
        "_factors",
        [save(lead, "First", [workload]), save(other, "Second", [workload, culture])],
    )
    assert all(isinstance(result, IssueAnalysis) for result in results), results
    analysis = IssueAnalysis.objects.get(issue=issue)
    codings = list(IssueFactor.objects.filter(analysis=analysis).values_list("domain_id", "note"))
    assert len(codings) == len({domain for domain, _ in codings})
    assert analysis.history.count() == 2
    last = analysis.history.order_by("-history_id").first()
    assert analysis.system_account == last.system_account
    assert {note for _, note in codings} == {analysis.system_account}


def test_two_people_proposing_a_recurring_factor_at_once_make_one_priority(
    monkeypatch, org, lead, member
):
    workload = _domain("workload")
    issues = [_coded(org, workload, number) for number in range(3)]

    def propose(by):
        return lambda: services.factor_priority_propose(
            by=by, unit=org["ward"], domain=workload, issues=issues, count=3, period="this year"
        )

    results = _race(monkeypatch, "_lock", [propose(lead), propose(member)])
    assert Priority.objects.count() == 1, results
    made = sorted(made for _, made in results)
    assert made == [False, True]


def _coded(org, domain, number):
    from qms.issues import services as issue_services

    issue = issue_services.issue_raise(
        by=None, unit=org["ward"], title=f"Fall {number}", source="incident"
    )
    services.analysis_save(
        by=None, issue=issue, system_account="Short-staffed.", factors=[(domain, "")]
    )
    return issue
