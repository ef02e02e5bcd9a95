"""Writes of “you said, we did”: organisers of a unit draft an entry (what people said: a
feedback theme, a partners' contribution (an Involvement entry) or words; what followed: an
action, a PDSA cycle, a project or a change package), change it, publish it to partners and
withdraw it. Every write authorises `by`, is atomic and keeps history."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from qms.codesign import roles
from qms.codesign.models import Involvement, InvolvementStatus, WeDidStatus, YouSaidEntry
from qms.codesign.selectors import involvement as involvement_selectors
from qms.codesign.selectors import yousaid as selectors
from qms.core.dates import out_of_reach
from qms.people import access
from qms.people.history import record_by
from qms.people.models import Person, Unit
from qms.text.feedback import THEMES
from qms.web.screening import refusals

EDITABLE = ("you_said", "we_did", "theme", "status", "status_on", "followed", "involvement")
# Short enough for a poster: a few sentences each side.
TEXT_MAX_LENGTH = 600


def _text(value: str, *, field: str, label: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: f"Enter {label.lower()}."})
    if len(text) > TEXT_MAX_LENGTH:  # before screening: never screen megabytes
        raise ValidationError(
            {field: f"{label} is too long (at most {TEXT_MAX_LENGTH} characters)."}
        )
    problems = refusals(text, label=label)
    if problems:
        raise ValidationError({field: problems})
    return text


def _clean(entry: YouSaidEntry, by: Person | None) -> None:
    entry.you_said = _text(entry.you_said, field="you_said", label="What people said")
    entry.we_did = _text(entry.we_did, field="we_did", label="What we did")
    if entry.theme and entry.theme not in THEMES:
        raise ValidationError({"theme": f"{entry.theme!r} is not a theme of feedback."})
    if entry.status not in WeDidStatus.values:
        raise ValidationError({"status": "Choose planned, doing it now or done."})
    if not isinstance(entry.status_on, dt.date):
        raise ValidationError({"status_on": "Enter the date."})
    problem = out_of_reach(entry.status_on, "The date")
    if problem:
        raise ValidationError({"status_on": problem})
    entry.full_clean(exclude=["unit", "created_by", "followed_type", "followed_id", "involvement"])


def _set_followed(entry: YouSaidEntry, followed, by: Person | None) -> None:
    """Link what followed: one of the kinds the board shows, in the unit (or below), and seen by
    the person linking it (a draft never names what its author could not open)."""
    if followed is None:
        entry.followed_type, entry.followed_id = None, None
        return
    if selectors.follow_kind(followed) is None:
        raise ValidationError(
            {"followed": "Link an action, a PDSA cycle, a project or a change package."}
        )
    if not access.unit_of(followed).path.startswith(entry.unit.path):
        raise ValidationError({"followed": f"{followed} is not part of {entry.unit}'s work."})
    if by is not None and not access.can(by, followed, roles.VIEWERS):
        raise ValidationError({"followed": "You cannot open what you linked."})
    entry.followed = followed


def _set_involvement(entry: YouSaidEntry, involvement: Involvement | None, by) -> None:
    """Link the partners' contribution it answers: confirmed, logged in the unit (or below), and
    readable by the person linking it."""
    if involvement is not None:
        if involvement.status != InvolvementStatus.CONFIRMED:
            raise ValidationError({"involvement": "Link a contribution once it is confirmed."})
        if not involvement.unit.path.startswith(entry.unit.path):
            raise ValidationError({"involvement": f"That contribution is not {entry.unit}'s."})
        if by is not None and not involvement_selectors.involvement_readable(by, involvement):
            raise ValidationError({"involvement": "You cannot open that contribution."})
    entry.involvement = involvement


@transaction.atomic
def yousaid_create(
    *,
    by: Person | None,
    unit: Unit,
    you_said: str,
    we_did: str,
    status_on: dt.date,
    status: str = WeDidStatus.PLANNED,
    theme: str = "",
    followed=None,
    involvement: Involvement | None = None,
) -> YouSaidEntry:
    """Draft an entry of `unit`'s board (its organisers). Drafts are seen by staff only."""
    access.authorise(by, unit, roles.ORGANISERS, "write “you said, we did”")
    entry = YouSaidEntry(
        unit=unit,
        you_said=you_said,
        we_did=we_did,
        theme=theme or "",
        status=status,
        status_on=status_on,
        created_by=by,
    )
    _set_followed(entry, followed, by)
    _set_involvement(entry, involvement, by)
    _clean(entry, by)
    record_by(entry, by, "Drafted")
    entry.save()
    return entry


def _locked(entry: YouSaidEntry) -> YouSaidEntry:
    """The entry read again under a row lock: another organiser may have changed or deleted it
    since this request read it (a change saved over a deletion would bring the entry back)."""
    locked = YouSaidEntry.objects.select_for_update().select_related("unit").filter(pk=entry.pk)
    found = locked.first()
    if found is None:
        raise Http404("This entry was deleted a moment ago.")
    return found


@transaction.atomic
def yousaid_update(
    *, by: Person | None, entry: YouSaidEntry, reason: str = "", **changes
) -> YouSaidEntry:
    """Change an entry: its words, theme, what followed, status and date (its unit's
    organisers). A published entry stays published, changed."""
    access.authorise(by, entry.unit, roles.ORGANISERS, "change “you said, we did”")
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError(f"Cannot change {', '.join(sorted(unknown))} here.")
    entry = _locked(entry)
    if "followed" in changes:
        _set_followed(entry, changes.pop("followed"), by)
    if "involvement" in changes:
        _set_involvement(entry, changes.pop("involvement"), by)
    for field, value in changes.items():
        setattr(entry, field, value if value is not None else "")
    _clean(entry, by)
    record_by(entry, by, reason or "Changed")
    entry.save()
    return entry


@transaction.atomic
def yousaid_publish(*, by: Person | None, entry: YouSaidEntry) -> YouSaidEntry:
    """Publish an entry to everyone with a role in the unit or its work, partners included."""
    access.authorise(by, entry.unit, roles.ORGANISERS, "publish “you said, we did”")
    entry = _locked(entry)
    if entry.published_at is None:
        entry.published_at = timezone.now()
        record_by(entry, by, "Published")
        entry.save()
    return entry


@transaction.atomic
def yousaid_withdraw(*, by: Person | None, entry: YouSaidEntry, reason: str = "") -> YouSaidEntry:
    """Take a published entry back to a draft: partners no longer see it."""
    access.authorise(by, entry.unit, roles.ORGANISERS, "withdraw “you said, we did”")
    entry = _locked(entry)
    if entry.published_at is not None:
        entry.published_at = None
        record_by(entry, by, reason or "Withdrawn")
        entry.save()
    return entry


@transaction.atomic
def yousaid_delete(*, by: Person | None, entry: YouSaidEntry, reason: str = "") -> None:
    """Delete an entry (its unit's organisers); the history keeps what it said."""
    access.authorise(by, entry.unit, roles.ORGANISERS, "delete “you said, we did”")
    entry = _locked(entry)
    record_by(entry, by, reason or "Deleted")
    entry.delete()
