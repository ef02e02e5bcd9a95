"""Writes of concerns: every write authorises `by` and is atomic.

A concern is an issue (`qms.issues.services.issue_raise`, source "staff concern"). An
anonymous one is raised so that nothing in the database links it to the person who raised it:
the raiser is authorised here, then the issue is raised by the system (`by=None`: no
`created_by`, no owner, no history user), its times are cut to the day, no one is told at the
moment it is raised (the daily round tells the handlers), and the raiser takes away a
one-time follow-up code of which only the hash is kept."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from qms.culture import roles
from qms.culture.models import ClosingFeedback, Concern, ConcernMessage
from qms.culture.selectors.concerns import may_handle
from qms.escalation.services import nearest_handlers
from qms.issues import services as issue_services
from qms.issues.models import Issue, IssueSource
from qms.notifications.services import notify
from qms.people import access
from qms.people.models import Person, Unit

MESSAGE_MAX = 5000
# 20 random bytes: 160 bits, beyond guessing however many tries are made.
CODE_BYTES = 20


def code_hash(code: str) -> str:
    """The stored form of a follow-up code."""
    return hashlib.sha256(code.strip().encode()).hexdigest()


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _text(value, *, field: str, label: str, max_length: int = MESSAGE_MAX) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError({field: f"Write the {label.lower()}."})
    value = value.strip()
    if len(value) > max_length:
        raise ValidationError(
            {field: f"The {label.lower()} is longer than {max_length:,} characters."}
        )
    return value


@transaction.atomic
def concern_raise(
    *, by: Person, unit: Unit, title: str, description: str = "", anonymous: bool = False
) -> tuple[Concern, str]:
    """Raise a concern in a unit as one of its staff (`roles.CONCERN_RAISERS`). Returns the
    concern and, when anonymous, the one-time follow-up code (shown once, never stored);
    otherwise an empty code. A named concern's handlers are told at once; an anonymous one's
    by the daily round (`concerns_announce`)."""
    if by is None:
        raise PermissionDenied("A concern is raised by a person.")
    access.authorise(by, unit, roles.CONCERN_RAISERS, "raise concerns")
    today = timezone.localdate()
    # Raised by the system: a concern has no owner until a handler takes it, and an anonymous
    # one no author at all. The named raiser is written in afterwards.
    issue = issue_services.issue_raise(
        by=None,
        unit=unit,
        title=title,
        description=description,
        source=IssueSource.STAFF_CONCERN,
    )
    code = ""
    if anonymous:
        code = secrets.token_urlsafe(CODE_BYTES)
        # The issue's time and its history's time to the day only (see the module's docstring);
        # the history row's copy of the creation time too.
        day_start = _day_start(today)
        Issue.objects.filter(pk=issue.pk).update(created_at=day_start)
        Issue.history.filter(id=issue.pk).update(history_date=day_start, created_at=day_start)
        concern = Concern.objects.create(
            issue=issue, anonymous=True, code_hash=code_hash(code), raised_on=today
        )
    else:
        Issue.objects.filter(pk=issue.pk).update(created_by=by)
        Issue.history.filter(id=issue.pk).update(history_user_id=by.pk)
        issue.created_by = by
        concern = Concern.objects.create(
            issue=issue, anonymous=False, raised_by=by, raised_on=today, handlers_told=True
        )
        _tell_handlers(concern, f"{by} raised a concern in {unit}: “{issue.title}”.", exclude=by)
    concern.issue = issue
    return concern, code


def _tell_handlers(concern: Concern, text: str, *, exclude: Person | None = None) -> None:
    people = nearest_handlers(concern.issue.unit)
    if concern.issue.owner is not None:
        people.append(concern.issue.owner)
    notify([p for p in people if p != exclude], kind="issue", text=text, subject=concern.issue)


def concern_by_code(code) -> Concern | None:
    """The anonymous concern whose follow-up code this is, or None. The stored hash is
    compared in constant time after the look-up by its (indexed) value."""
    if not isinstance(code, str) or not code.strip() or len(code) > 200:
        return None
    wanted = code_hash(code)
    concern = (
        Concern.objects.select_related("issue__unit")
        .filter(code_hash=wanted, anonymous=True)
        .first()
    )
    if concern is None or not hmac.compare_digest(concern.code_hash, wanted):
        return None
    return concern


def _authorise_handler(by: Person | None, issue: Issue, action: str) -> None:
    if by is not None and not may_handle(by, issue):
        raise PermissionDenied(f"Your role does not allow you to {action} in {issue.unit}.")


@transaction.atomic
def concern_reply(*, by: Person, concern: Concern, text: str) -> ConcernMessage:
    """A message on the concern's thread from one of its handlers, or from its named raiser.
    The named raiser is told of a handler's reply in their inbox; the handlers of the raiser's
    reply. (An anonymous raiser reads replies with the code: `concern_reply_with_code`.)"""
    if by is None:
        raise PermissionDenied("A reply is written by a person.")
    from_raiser = not concern.anonymous and by.pk == concern.raised_by_id
    if not from_raiser:
        _authorise_handler(by, concern.issue, "reply to concerns")
    text = _text(text, field="text", label="Reply")
    message = ConcernMessage.objects.create(
        concern=concern, from_raiser=from_raiser, author=by, text=text, written_at=timezone.now()
    )
    title = concern.issue.title
    _sync_measures(concern.issue)
    if from_raiser:
        _tell_handlers(concern, f"{by} replied on the concern “{title}”.", exclude=by)
    elif concern.raised_by is not None and concern.raised_by != by:
        notify(
            [concern.raised_by],
            kind="issue",
            text=f"Reply to your concern “{title}” from {by}.",
            subject=concern.issue,
        )
    return message


@transaction.atomic
def concern_reply_with_code(*, code: str, text: str) -> ConcernMessage:
    """A message on an anonymous concern's thread from the person who raised it, who proves it
    with the follow-up code. No author is kept and its time is the day only; the handlers hear
    of it in the daily round."""
    concern = concern_by_code(code)
    if concern is None:
        raise PermissionDenied("This follow-up code is not known.")
    text = _text(text, field="text", label="Reply")
    return ConcernMessage.objects.create(
        concern=concern,
        from_raiser=True,
        author=None,
        text=text,
        written_at=_day_start(timezone.localdate()),
        handlers_told=False,
    )


def concerns_announce() -> int:
    """Tell the handlers of anonymous concerns raised, and anonymous replies written, since the
    last round (the system's work: run daily by `qms reporting-culture`). Returns how many
    concerns were announced."""
    told = 0
    for concern in Concern.objects.filter(handlers_told=False).select_related("issue__unit"):
        with transaction.atomic():
            if Concern.objects.filter(pk=concern.pk, handlers_told=False).update(
                handlers_told=True
            ):
                _tell_handlers(
                    concern, f"A concern was raised anonymously in {concern.issue.unit}."
                )
                told += 1
    waiting = (
        ConcernMessage.objects.filter(from_raiser=True, author=None, handlers_told=False)
        .values_list("concern_id", flat=True)
        .distinct()
    )
    for concern in Concern.objects.filter(pk__in=list(waiting)).select_related("issue__unit"):
        with transaction.atomic():
            if ConcernMessage.objects.filter(concern=concern, handlers_told=False).update(
                handlers_told=True
            ):
                _tell_handlers(concern, f"New reply on the concern “{concern.issue.title}”.")
    return told


def _sync_measures(issue: Issue) -> None:
    """A response or feedback may change a complete month of the reporting measures."""
    from qms.culture.services.reporting import reporting_measures_sync

    reporting_measures_sync(units={issue.unit_id})


# Closing with feedback ---------------------------------------------------------------------


def raiser_of(issue: Issue) -> Person | None:
    """The named person who raised an issue or concern (None for an anonymous concern or an
    issue the system raised)."""
    concern = issue.concern if _has_concern(issue) else None
    if concern is not None:
        return concern.raised_by
    return issue.created_by


def _has_concern(issue: Issue) -> bool:
    try:
        issue.concern  # noqa: B018 (a reverse one-to-one raises when absent)
    except Concern.DoesNotExist:
        return False
    return True


@transaction.atomic
def closing_feedback_give(*, by: Person | None, issue: Issue, text: str) -> ClosingFeedback:
    """Send the person who raised a closed issue the feedback on how it was closed: to their
    inbox when named, on the thread of an anonymous concern. Recorded (with when) so the
    reporting culture can count issues closed with feedback; sent again after a reopening, it
    replaces the earlier one."""
    _authorise_handler(by, issue, "give feedback on issues")
    # Under the issue's row lock: of two handlers sending at once, the second replaces the
    # first's feedback rather than failing on the one-per-issue rule.
    issue.refresh_from_db(from_queryset=Issue.objects.select_for_update())
    if not issue.is_closed:
        raise ValidationError("Close the issue first: the feedback says how it was closed.")
    text = _text(text, field="text", label="Feedback")
    concern = issue.concern if _has_concern(issue) else None
    raiser = raiser_of(issue)
    if raiser is None and (concern is None or not concern.anonymous):
        raise ValidationError("No person raised this issue, so there is no one to tell.")
    now = timezone.now()
    feedback, _ = ClosingFeedback.objects.update_or_create(
        issue=issue, defaults={"text": text, "given_by": by, "given_at": now}
    )
    _sync_measures(issue)
    if concern is not None and concern.anonymous:
        ConcernMessage.objects.create(
            concern=concern, from_raiser=False, author=by, text=text, written_at=now
        )
    elif raiser is not None and raiser != by:
        notify(
            [raiser],
            kind="issue",
            text=f"“{issue.title}” is closed: {text}"[:300],
            subject=issue,
        )
    return feedback


@transaction.atomic
def issue_close_with_feedback(*, by: Person | None, issue: Issue, note: str) -> ClosingFeedback:
    """Close the issue with its note and send that note to the person who raised it."""
    issue_services.issue_close(by=by, issue=issue, note=note)
    return closing_feedback_give(by=by, issue=issue, text=note)
