"""The demo's issues from sources other than signals (an incident, a complaint, an audit, a
staff concern), with their actions, raised through the issues services as people would. Issues
opened from signals are made with the signals (`measures.py`). Running it again adds nothing."""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from qms.issues import services
from qms.issues.models import Issue, IssueSource
from qms.people.models import Person, Unit


@dataclass(frozen=True)
class DemoAction:
    what: str
    owner: str  # a demo username
    due_in_days: int
    done: bool = False


@dataclass(frozen=True)
class DemoIssue:
    unit: str  # a unit code
    raised_by: str  # a demo username
    source: str
    title: str
    description: str
    owner: str = ""  # the raiser when empty
    actions: tuple[DemoAction, ...] = field(default=())
    closing_note: str = ""


ISSUES = (
    DemoIssue(
        unit="ward-7",
        raised_by="member",
        source=IssueSource.INCIDENT,
        title="Two falls at night in bay 2 within a week",
        description="Both unwitnessed, between 2 and 4 am, on the way to the toilet. Bay 2 "
        "is furthest from the nurses' station and its sensor mats are out for repair.",
        owner="lead",
        actions=(
            DemoAction(
                what="Get the bay 2 sensor mats repaired or replaced", owner="lead", due_in_days=7
            ),
            DemoAction(
                what="Add toileting to the 2 am intentional rounding",
                owner="member",
                due_in_days=14,
            ),
            DemoAction(
                what="Share both reports at the safety huddle",
                owner="member",
                due_in_days=2,
                done=True,
            ),
        ),
    ),  # fmt: skip
    DemoIssue(
        unit="ward-7",
        raised_by="lead",
        source=IssueSource.COMPLAINT,
        title="Relatives not told about a move to another ward",
        description="A family arrived at visiting to find their father moved overnight. The "
        "move was recorded but no one phoned the next of kin.",
        actions=(
            DemoAction(
                what="Add 'next of kin told' to the transfer checklist",
                owner="lead",
                due_in_days=10,
            ),
        ),
    ),  # fmt: skip
    DemoIssue(
        unit="ward-7",
        raised_by="member",
        source=IssueSource.STAFF_CONCERN,
        title="Night shift often one registered nurse short",
        description="Five nights in the last month ran with one registered nurse fewer than "
        "planned after late sickness.",
        owner="lead",
        closing_note="Escalated through the staffing huddle; the bank now holds a night "
        "nurse for the division.",
    ),
    DemoIssue(
        unit="acute",
        raised_by="quality",
        source=IssueSource.AUDIT_FINDING,
        title="Clot risk assessments missing at 24 hours on surgical wards",
        description="The quarterly audit found one in five surgical admissions without a "
        "venous thromboembolism risk assessment 24 hours after admission.",
        actions=(
            DemoAction(
                what="Agree a prompt in the admission documentation with surgery",
                owner="quality",
                due_in_days=30,
            ),
        ),
    ),  # fmt: skip
)


def build() -> int:
    """Raise the demo's issues that are not there yet; returns how many issues the demo has
    (of every source)."""
    people = {p.username: p for p in Person.objects.filter(username__in=_usernames())}
    units = {u.code: u for u in Unit.objects.filter(code__in={i.unit for i in ISSUES})}
    today = timezone.localdate()
    for spec in ISSUES:
        if not Issue.objects.filter(unit=units[spec.unit], title=spec.title).exists():
            _raise(spec, people, units[spec.unit], today)
    return Issue.objects.count()


def _usernames() -> set[str]:
    names = {i.raised_by for i in ISSUES} | {i.owner for i in ISSUES if i.owner}
    return names | {a.owner for i in ISSUES for a in i.actions}


def _raise(spec: DemoIssue, people: dict, unit: Unit, today: dt.date) -> None:
    by = people[spec.raised_by]
    issue = services.issue_raise(
        by=by,
        unit=unit,
        title=spec.title,
        source=spec.source,
        description=spec.description,
        owner=people[spec.owner or spec.raised_by],
    )
    handler = people[spec.owner or spec.raised_by]
    for item in spec.actions:
        action = services.action_add(
            by=handler,
            issue=issue,
            what=item.what,
            owner=people[item.owner],
            due_on=today + dt.timedelta(days=item.due_in_days),
        )
        if item.done:
            services.action_complete(by=people[item.owner], action=action)
    if spec.closing_note:
        services.issue_close(by=handler, issue=issue, note=spec.closing_note)
