"""Writes of the evidence library: adding, changing, retiring and restoring an item (its unit's
evidence editors), and citing it from the work it supports (whoever may change that work, by
its area's rule, and reads the item). Every write is atomic and kept in history."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from qms.learning import roles
from qms.learning.models import Certainty, Evidence, EvidenceKind, EvidenceLink
from qms.learning.selectors import evidence as selectors
from qms.people import access
from qms.people.history import record_by
from qms.people.models import Person, Unit

__all__ = [
    "EVIDENCE_FIELDS",
    "evidence_create",
    "evidence_link",
    "evidence_restore",
    "evidence_retire",
    "evidence_unlink",
    "evidence_update",
]

# The fields evidence_update changes.
EVIDENCE_FIELDS = frozenset(
    {
        "title",
        "kind",
        "source",
        "url",
        "published_on",
        "summary",
        "certainty",
        "certainty_reason",
    }
)
_LABELS = {
    "title": "Title",
    "kind": "Kind",
    "source": "Source",
    "url": "Link",
    "published_on": "Published on",
    "summary": "Summary",
    "certainty": "Certainty",
    "certainty_reason": "Why this certainty",
    "note": "How it supports the work",
    "reason": "Reason",
}
_MAX = {
    "title": Evidence._meta.get_field("title").max_length,
    "source": Evidence._meta.get_field("source").max_length,
    "url": Evidence._meta.get_field("url").max_length,
    "summary": 5_000,
    "certainty_reason": 2_000,
    "note": EvidenceLink._meta.get_field("note").max_length,
    "reason": 100,
}
_REQUIRED = {"title", "kind", "source", "summary", "certainty"}
# The oldest evidence anyone cites with a date (the first controlled trials are later).
EARLIEST_PUBLISHED = dt.date(1800, 1, 1)


def _text(value, name: str) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError({name: [f"{_LABELS[name]} must be text."]})
    value = value.strip()
    if name in _REQUIRED and not value:
        raise ValidationError({name: [f"{_LABELS[name]} is required."]})
    if len(value) > _MAX[name]:
        raise ValidationError(
            {name: [f"{_LABELS[name]} is too long: at most {_MAX[name]:,} characters."]}
        )
    return value


def _choice(value, name: str, choices) -> str:
    if value not in choices.values:
        allowed = ", ".join(label.lower() for label in choices.labels)
        raise ValidationError({name: [f"{_LABELS[name]} must be one of: {allowed}."]})
    return value


def _published(value) -> dt.date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValidationError({"published_on": ["Published on must be a date."]})
    if value < EARLIEST_PUBLISHED or value > timezone.localdate():
        raise ValidationError(
            {"published_on": ["Published on must be a date between 1800 and today."]}
        )
    return value


def _url(value) -> str:
    value = _text(value, "url")
    if value and not value.lower().startswith(("https://", "http://")):
        raise ValidationError({"url": ["Link must be a web address starting https:// or http://."]})
    return value


def _clean(fields: dict) -> dict:
    """The fields checked one by one, each error naming its field."""
    cleaned: dict = {}
    errors: dict[str, list] = {}
    for name, value in fields.items():
        try:
            if name == "kind":
                cleaned[name] = _choice(value, name, EvidenceKind)
            elif name == "certainty":
                cleaned[name] = _choice(value, name, Certainty)
            elif name == "published_on":
                cleaned[name] = _published(value)
            elif name == "url":
                cleaned[name] = _url(value)
            else:
                cleaned[name] = _text(value, name)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _lock(evidence: Evidence) -> Evidence:
    """The item as it is now, locked until the transaction ends (two editors at once)."""
    return Evidence.objects.select_for_update().get(pk=evidence.pk)


@transaction.atomic
def evidence_create(
    *,
    by: Person | None,
    unit: Unit,
    title: str,
    kind: str,
    source: str,
    summary: str,
    certainty: str,
    certainty_reason: str = "",
    url: str = "",
    published_on: dt.date | None = None,
) -> Evidence:
    """Add an item to the unit's evidence library: what it is, its source, what it says and how
    certain it is (GRADE), with why."""
    access.authorise(by, unit, roles.EVIDENCE_EDITORS, "add evidence")
    fields = _clean(
        {
            "title": title,
            "kind": kind,
            "source": source,
            "summary": summary,
            "certainty": certainty,
            "certainty_reason": certainty_reason,
            "url": url,
            "published_on": published_on,
        }
    )
    evidence = Evidence(unit=unit, added_by=by, **fields)
    record_by(evidence, by, "Added")
    evidence.save()
    return evidence


@transaction.atomic
def evidence_update(
    *, by: Person | None, evidence: Evidence, reason: str = "", **fields
) -> Evidence:
    """Change an item's description or grade (any of EVIDENCE_FIELDS), saying why if wished
    (kept in its history); a retired item is restored before it is changed."""
    access.authorise(by, evidence, roles.EVIDENCE_EDITORS, "change evidence")
    unknown = set(fields) - EVIDENCE_FIELDS
    if unknown:
        raise ValidationError(f"Evidence has no {', '.join(sorted(unknown))}.")
    cleaned = _clean(fields)
    why = _text(reason, "reason")
    current = _lock(evidence)
    if not current.is_active:
        raise ValidationError("This item is retired: restore it to change it.")
    for name, value in cleaned.items():
        setattr(current, name, value)
    record_by(current, by, why)
    current.save()
    return current


@transaction.atomic
def evidence_retire(*, by: Person | None, evidence: Evidence, reason: str) -> Evidence:
    """Retire an item (superseded, withdrawn by its authors): it leaves the library's list
    and cannot be cited again; the work citing it keeps the link, marked retired, and its
    history stays."""
    access.authorise(by, evidence, roles.EVIDENCE_EDITORS, "retire evidence")
    why = _text(reason, "reason")
    if not why:
        raise ValidationError({"reason": ["Say why it is retired."]})
    current = _lock(evidence)
    if not current.is_active:
        raise ValidationError("This item is retired already.")
    current.is_active = False
    record_by(current, by, f"Retired: {why}"[: _MAX["reason"]])
    current.save(update_fields=["is_active"])
    return current


@transaction.atomic
def evidence_restore(*, by: Person | None, evidence: Evidence) -> Evidence:
    """Bring a retired item back into the library."""
    access.authorise(by, evidence, roles.EVIDENCE_EDITORS, "restore evidence")
    current = _lock(evidence)
    if current.is_active:
        raise ValidationError("This item is in the library already.")
    current.is_active = True
    record_by(current, by, "Restored")
    current.save(update_fields=["is_active"])
    return current


def _authorise_cite(by: Person | None, record, action: str) -> None:
    kind = selectors.citable_kind_of(record)
    if not kind.accepts(record):
        raise ValidationError(f"A {kind.label} does not cite evidence.")
    if by is not None and not kind.may_change(by, record):
        raise PermissionDenied(f"Only those who may change this {kind.label} may {action}.")


@transaction.atomic
def evidence_link(*, by: Person | None, evidence: Evidence, record, note: str = "") -> EvidenceLink:
    """Cite an item from a record of any area (a change idea, a change package, a priority, a
    design, a learning network), saying how it supports the work. `by` must be allowed to
    change the record (its area's rule) and to read the item."""
    _authorise_cite(by, record, "cite evidence for it")
    if by is not None and not selectors.evidence_visible_to(by).filter(pk=evidence.pk).exists():
        raise PermissionDenied("You cannot cite evidence you may not read.")
    cleaned = _text(note, "note")
    current = Evidence.objects.get(pk=evidence.pk)
    if not current.is_active:
        raise ValidationError({"evidence": ["This item is retired: it cannot be cited."]})
    link = EvidenceLink(evidence=current, subject=record, note=cleaned, linked_by=by)
    record_by(link, by, "Cited")
    try:
        with transaction.atomic():
            link.save()
    except IntegrityError:
        raise ValidationError({"evidence": ["It cites this item already."]}) from None
    return link


@transaction.atomic
def evidence_unlink(*, by: Person | None, link: EvidenceLink) -> None:
    """Stop citing an item (the link's history keeps that it was cited, by whom and when)."""
    record = link.subject
    if record is not None:
        _authorise_cite(by, record, "stop citing evidence for it")
    elif by is not None and not selectors.may_edit_evidence(by, link.evidence):
        raise PermissionDenied("Only the item's editors may remove a link to a removed record.")
    record_by(link, by, "No longer cited")
    link.delete()
