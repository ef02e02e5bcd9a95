"""Reads of concerns: a unit's concerns for their handlers, a concern's thread, and what an
issue's page shows of its concern and closing feedback. Nothing here names the person who
raised an anonymous concern: there is nothing to name."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from qms.culture import roles
from qms.culture.models import ClosingFeedback, Concern, ConcernMessage
from qms.issues.models import Issue
from qms.issues.roles import HANDLERS as ISSUE_HANDLERS
from qms.issues.roles import VIEWERS as ISSUE_VIEWERS
from qms.people import access
from qms.people.models import Person, Unit


def unit_concerns(unit: Unit) -> list[Concern]:
    """The concerns of the unit and the units below it, newest first, with their replies
    counted (two kinds: from the handlers, from the raiser)."""
    return list(
        Concern.objects.filter(issue__unit__path__startswith=unit.path)
        .select_related("issue__unit", "raised_by")
        .annotate(
            replies=Count("messages", filter=Q(messages__from_raiser=False)),
            raiser_messages=Count("messages", filter=Q(messages__from_raiser=True)),
        )
        .order_by("-raised_on", "-pk")
    )


def may_handle(person: Person | None, issue: Issue) -> bool:
    """Whether the person handles this concern (or issue): the unit's concern handlers, the
    issue's handlers, or its owner while on the staff."""
    if person is None or not person.is_authenticated:
        return False
    if person.pk == issue.owner_id and access.can(person, issue, ISSUE_VIEWERS):
        return True
    return access.can(person, issue, roles.CONCERN_HANDLERS | ISSUE_HANDLERS)


def thread(concern: Concern) -> list[ConcernMessage]:
    return list(concern.messages.select_related("author").order_by("pk"))


def may_read_thread(user, concern: Concern) -> bool:
    """The thread is between the concern's handlers and the person who raised it (named; an
    anonymous raiser reads it with the code, signed in or not)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if not concern.anonymous and user.pk == concern.raised_by_id:
        return True
    return may_handle(user, concern.issue)


@dataclass(frozen=True)
class IssuePanel:
    """What an issue's page shows of its concern and its closing feedback."""

    issue: Issue
    concern: Concern | None
    thread: list[ConcernMessage] | None  # None when the user may not read it
    may_reply: bool
    feedback: ClosingFeedback | None
    may_give_feedback: bool

    @property
    def anything(self) -> bool:
        return bool(self.concern or self.feedback or self.may_give_feedback)


def issue_panel(user: Person, issue: Issue) -> IssuePanel:
    concern = Concern.objects.filter(issue=issue).select_related("raised_by").first()
    if concern is not None:
        concern.issue = issue
    feedback = ClosingFeedback.objects.filter(issue=issue).select_related("given_by").first()
    handles = may_handle(user, issue)
    readable = concern is not None and may_read_thread(user, concern)
    has_raiser = issue.created_by_id is not None or (concern is not None and concern.anonymous)
    return IssuePanel(
        issue=issue,
        concern=concern,
        thread=thread(concern) if readable and concern is not None else None,
        may_reply=readable and not issue.is_closed,
        feedback=feedback,
        may_give_feedback=handles and issue.is_closed and has_raiser,
    )
