"""The demo's concerns and issues raised by staff (see qms.demo.culture): eighteen months of
them on Ward 7 and Ward 15, raised through the services as the wards' people, some as
anonymous concerns with replies on their threads, most answered and closed, many with feedback
to the person who raised them. The story the reporting culture's charts tell:

- Ward 7 keeps reporting steadily, answers faster and faster (from about a week to a day or
  two) and closes the loop more often (feedback to the raiser from under half to nearly all);
- Ward 15's reporting falls away in the last seven months (a shift below its centre line: a
  signal about its reporting culture, not good news), and its answers slow down.

Dates are moved back after each write (the demo loader's privilege), so the charts have
history. Seeded, and built only once: a second run adds nothing."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from qms.comments import services as comment_services
from qms.comments.models import Comment
from qms.culture.models import ClosingFeedback, Concern, ConcernMessage
from qms.culture.services import concerns as services
from qms.issues import services as issue_services
from qms.issues.models import Issue, IssueSource
from qms.notifications.models import Notification
from qms.people.models import Membership, Person, Unit
from qms.people.roles import Role

MONTHS = 18
SEED = 12
# Marks the demo's raised issues, so a second run finds them.
MARK = "(Raised in the demo's reporting culture.)"

TITLES = [
    "Handover at 8 is rushed and the checklist skipped",
    "Only one registered nurse on some night shifts",
    "Hoist out of order again",
    "Drug fridge temperature not checked at weekends",
    "Bank staff not shown where the emergency trolley is",
    "Call bells out of reach in the side rooms",
    "Discharge letters waiting for a doctor's signature",
    "Pressure-relieving mattresses not available",
    "IV pumps missing from the equipment library",
    "Breaks cancelled on most late shifts",
    "Falls risk assessments not updated after transfer",
    "Bed rails checked without a second person",
    "Porters delayed: patients waiting for scans",
    "Oxygen cylinders not replaced after use",
    "Too few staff trained on the new infusion pumps",
    "Sharps bins overfull in the treatment room",
    "Agency staff without access to the electronic record",
    "Rude comments from a visiting team at the board round",
]
RESPONSES = [
    "Thank you for raising this. I will look into it this week.",
    "Thanks: I have asked the equipment team and will update here.",
    "I have put this on the agenda of the next safety huddle.",
    "Can you tell me which shifts this happens on most?",
]
FEEDBACK = [
    "Closed: the rota now keeps two registered nurses on every night shift.",
    "Closed: replaced, and a weekly check added to the huddle board.",
    "Closed: the checklist is back in the handover, and the huddle checks it.",
    "Closed: training booked for everyone on the ward by the end of the month.",
]


@dataclass(frozen=True)
class WardStory:
    code: str
    per_month: tuple[int, int]  # issues raised a month (low, high), before any fall
    fall_months: int  # the last months, in which reporting falls
    fall_per_month: tuple[int, int]
    response_days: tuple[float, float]  # at the start, at the end
    feedback_share: tuple[float, float]  # at the start, at the end


STORIES = (
    WardStory("ward-7", (5, 8), 0, (0, 0), (7.0, 1.5), (0.4, 0.9)),
    WardStory("ward-15", (7, 10), 7, (1, 3), (3.0, 6.0), (0.5, 0.5)),
)


def _moment(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _months(today: dt.date) -> list[dt.date]:
    month = today.replace(day=1)
    months = []
    for _ in range(MONTHS):
        month = (month - dt.timedelta(days=1)).replace(day=1)
        months.append(month)
    return list(reversed(months))


def build(*, today: dt.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    units = {u.code: u for u in Unit.objects.filter(code__in=[s.code for s in STORIES])}
    if len(units) < len(STORIES):
        return {}
    if Issue.objects.filter(unit__in=units.values(), description__endswith=MARK).exists():
        return {}
    rng = random.Random(SEED)
    counts = {"issues and concerns raised by staff": 0, "anonymous concerns": 0}
    started = timezone.now()
    for story in STORIES:
        raised, anonymous = _ward(story, units[story.code], today, rng)
        counts["issues and concerns raised by staff"] += raised
        counts["anonymous concerns"] += anonymous
    # What the story's writes told people belongs to months past: read long ago, so the demo
    # people's inboxes show what is new.
    Notification.objects.filter(
        created_at__gte=started,
        content_type=ContentType.objects.get_for_model(Issue),
        object_id__in=Issue.objects.filter(description__endswith=MARK).values("pk"),
    ).update(read_at=started)
    return counts


def _people(unit: Unit) -> tuple[Person, list[Person]]:
    members = Membership.objects.filter(unit=unit, person__is_active=True).select_related("person")
    lead = next(m.person for m in members if m.role == Role.TEAM_LEAD)
    staff = [m.person for m in members if m.role in (Role.TEAM_MEMBER, Role.TEAM_LEAD)]
    return lead, sorted(staff, key=lambda person: person.username)


def _ward(story: WardStory, unit: Unit, today: dt.date, rng: random.Random) -> tuple[int, int]:
    lead, staff = _people(unit)
    months = _months(today)
    raised = anonymous = 0
    for index, month in enumerate(months):
        progress = index / (len(months) - 1)
        falling = index >= len(months) - story.fall_months
        low, high = story.fall_per_month if falling else story.per_month
        for _ in range(rng.randint(low, high)):
            day = month + dt.timedelta(days=rng.randint(0, 26))
            kind = rng.random()
            anonymous += _one(story, unit, lead, staff, day, today, progress, kind, rng)
            raised += 1
    return raised, anonymous


def _one(story, unit, lead, staff, day, today, progress, kind, rng) -> int:
    """Raise one issue (or concern) on `day`, answer it and perhaps close it; returns 1 when it
    was an anonymous concern."""
    raiser = rng.choice(staff)
    title = rng.choice(TITLES)
    description = f"Seen on the ward several times. {MARK}"
    concern, code = None, ""
    if kind < 0.25:
        concern, code = services.concern_raise(
            by=raiser, unit=unit, title=title, description=description, anonymous=True
        )
        issue = concern.issue
    elif kind < 0.35:
        concern, _ = services.concern_raise(
            by=raiser, unit=unit, title=title, description=description
        )
        issue = concern.issue
    else:
        source = rng.choice([IssueSource.INCIDENT, IssueSource.OTHER, IssueSource.AUDIT_FINDING])
        issue = issue_services.issue_raise(
            by=raiser, unit=unit, title=title, description=description, source=source, owner=lead
        )
    raised_at = _moment(day, 0 if concern and concern.anonymous else rng.randint(8, 18))
    Issue.objects.filter(pk=issue.pk).update(created_at=raised_at)
    Issue.history.filter(id=issue.pk).update(history_date=raised_at)
    if concern is not None:
        Concern.objects.filter(pk=concern.pk).update(raised_on=day, handlers_told=True)
    start, end = story.response_days
    wait = max(0.2, rng.gauss(start + (end - start) * progress, 1.0))
    answered = raised_at + dt.timedelta(days=wait)
    if answered.date() >= today:
        return int(bool(concern and concern.anonymous))
    if concern is not None:
        message = services.concern_reply(by=lead, concern=concern, text=rng.choice(RESPONSES))
        ConcernMessage.objects.filter(pk=message.pk).update(written_at=answered)
        if code and rng.random() < 0.6:
            reply = services.concern_reply_with_code(code=code, text="Mostly at weekends.")
            ConcernMessage.objects.filter(pk=reply.pk).update(
                written_at=_moment((answered + dt.timedelta(days=1)).date(), 0), handlers_told=True
            )
    else:
        comment = comment_services.comment_add(by=lead, subject=issue, text=rng.choice(RESPONSES))
        Comment.objects.filter(pk=comment.pk).update(created_at=answered)
    closed = answered + dt.timedelta(days=rng.randint(5, 30))
    if closed.date() >= today or rng.random() < 0.15:
        return int(bool(concern and concern.anonymous))
    low, high = story.feedback_share
    issue.refresh_from_db()
    note = rng.choice(FEEDBACK)
    if rng.random() < low + (high - low) * progress:
        services.issue_close_with_feedback(by=lead, issue=issue, note=note)
        ClosingFeedback.objects.filter(issue=issue).update(given_at=closed)
        ConcernMessage.objects.filter(concern__issue=issue, written_at__gt=closed).update(
            written_at=closed
        )
    else:
        issue_services.issue_close(by=lead, issue=issue, note=note)
    Issue.objects.filter(pk=issue.pk).update(closed_at=closed)
    Issue.history.filter(id=issue.pk, history_date__gt=closed).update(history_date=closed)
    return int(bool(concern and concern.anonymous))
