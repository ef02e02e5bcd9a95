"""Writes of reflective practice: personal reflections (their author's alone) and team learning
reviews (their unit's staff).

A reflection keeps no history table on purpose: it is private writing, and a copy of every
version in a history table would be one more place for it to be read. Only its author writes
it; `by` is always a person here, never the system."""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from qms.learning import roles
from qms.learning.models import (
    LearningReview,
    Network,
    Reflection,
    ReflectionSharing,
)
from qms.learning.selectors import reflection as selectors
from qms.people import access
from qms.people.history import record_by
from qms.people.models import Unit

__all__ = [
    "CODE_THEMES",
    "TITLE_MAX",
    "reflection_create",
    "reflection_delete",
    "reflection_share",
    "reflection_update",
    "review_create",
    "review_update",
]

TITLE_MAX = 200
# The four themes of the NMC Code (Nursing and Midwifery Council, The Code, 2015, updated 2018),
# which the revalidation reflective account asks a reflection to be related to.
CODE_THEMES = {
    "people": "Prioritise people",
    "effectively": "Practise effectively",
    "safety": "Preserve safety",
    "trust": "Promote professionalism and trust",
}
_EARLIEST = dt.date(1950, 1, 1)
_REFLECTION_TEXT = (
    "description",
    "feelings",
    "evaluation",
    "analysis",
    "conclusion",
    "action_plan",
)
_REVIEW_TEXT = ("participants", "expected", "happened", "why_different", "will_do")


def _check_date(value, field: str, label: str) -> None:
    if not isinstance(value, dt.date):
        raise ValidationError({field: f"Give the {label} as a date."})
    if value < _EARLIEST or value > timezone.localdate() + dt.timedelta(days=1):
        raise ValidationError({field: f"The {label} must be a day in the past, not {value}."})


def _check_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "Give a title."})
    if len(title) > TITLE_MAX:
        raise ValidationError({"title": f"Keep the title to {TITLE_MAX} characters."})
    return title


def _check_themes(themes) -> list[str]:
    themes = list(themes or [])
    unknown = [t for t in themes if t not in CODE_THEMES]
    if unknown:
        raise ValidationError({"code_themes": f"Not a theme of the Code: {', '.join(unknown)}."})
    return [t for t in CODE_THEMES if t in themes]  # the Code's order, each once


def _subject_fields(by, subject: Model | None, allowed: tuple[str, ...]) -> dict:
    if subject is None:
        return {"subject_type": None, "subject_id": None}
    if subject._meta.label_lower not in allowed:
        raise ValidationError({"subject": "A reflection or review cannot be about this record."})
    if by is not None and not selectors.subject_visible(by, subject):
        raise PermissionDenied("You cannot see the record this is about.")
    content_type = ContentType.objects.get_for_model(subject, for_concrete_model=True)
    return {"subject_type": content_type, "subject_id": subject.pk}


def _sharing_fields(
    author, sharing: str, unit: Unit | None, network: Network | None
) -> dict[str, object]:
    """Who the author shares with, checked: a unit where they hold a staff role, a network
    they belong to; nothing else is kept (a private reflection names no unit)."""
    if sharing == ReflectionSharing.PRIVATE:
        return {"sharing": sharing, "shared_unit": None, "shared_network": None}
    if sharing == ReflectionSharing.UNIT:
        if unit is None:
            raise ValidationError({"shared_unit": "Choose the unit whose staff may read it."})
        if not selectors.sharing_units(author).filter(pk=unit.pk).exists():
            raise ValidationError(
                {"shared_unit": f"You can share only with a unit where you work, not {unit}."}
            )
        return {"sharing": sharing, "shared_unit": unit, "shared_network": None}
    if sharing == ReflectionSharing.NETWORK:
        if network is None:
            raise ValidationError({"shared_network": "Choose the network that may read it."})
        if not selectors.member_networks(author).filter(pk=network.pk).exists():
            raise ValidationError(
                {
                    "shared_network": "You can share only with a network you belong to, "
                    f"not {network}."
                }
            )
        return {"sharing": sharing, "shared_unit": None, "shared_network": network}
    raise ValidationError({"sharing": f"Not a way of sharing: {sharing}."})


def _require_author(by, reflection: Reflection, action: str) -> None:
    if by is None or reflection.author_id != by.pk:
        raise PermissionDenied(f"Only its author may {action} a reflection.")


@transaction.atomic
def reflection_create(
    *,
    by,
    title: str,
    happened_on: dt.date,
    description: str,
    feelings: str = "",
    evaluation: str = "",
    analysis: str = "",
    conclusion: str = "",
    action_plan: str = "",
    code_themes=(),
    sharing: str = ReflectionSharing.PRIVATE,
    shared_unit: Unit | None = None,
    shared_network: Network | None = None,
    subject: Model | None = None,
) -> Reflection:
    """Write a reflection as `by`, its author: Gibbs' six stages (only the description is
    required), the themes of the NMC Code it relates to, who it is shared with (nobody unless
    chosen) and optionally the signal, issue, project or PDSA cycle it is about, which the
    author must be able to see."""
    if by is None or not by.is_authenticated:
        raise PermissionDenied("A reflection is written by a person.")
    _check_date(happened_on, "happened_on", "day it happened")
    if not (description or "").strip():
        raise ValidationError({"description": "Say what happened."})
    reflection = Reflection(
        author=by,
        title=_check_title(title),
        happened_on=happened_on,
        description=description,
        feelings=feelings,
        evaluation=evaluation,
        analysis=analysis,
        conclusion=conclusion,
        action_plan=action_plan,
        code_themes=_check_themes(code_themes),
        **_sharing_fields(by, sharing, shared_unit, shared_network),
        **_subject_fields(by, subject, selectors.REFLECTION_SUBJECTS),
    )
    reflection.full_clean()
    reflection.save()
    return reflection


@transaction.atomic
def reflection_update(*, by, reflection: Reflection, **fields) -> Reflection:
    """Change the author's own reflection: its title, day, the six stages, the Code's themes
    and who it is shared with (any of them; what is not given stays)."""
    reflection = Reflection.objects.select_for_update().get(pk=reflection.pk)
    _require_author(by, reflection, "change")
    allowed = {"title", "happened_on", "code_themes", *_REFLECTION_TEXT}
    sharing_keys = {"sharing", "shared_unit", "shared_network"}
    unknown = set(fields) - allowed - sharing_keys
    if unknown:
        raise ValueError(f"Not a field of a reflection: {', '.join(sorted(unknown))}")
    if "title" in fields:
        fields["title"] = _check_title(fields["title"])
    if "happened_on" in fields:
        _check_date(fields["happened_on"], "happened_on", "day it happened")
    if "description" in fields and not (fields["description"] or "").strip():
        raise ValidationError({"description": "Say what happened."})
    if "code_themes" in fields:
        fields["code_themes"] = _check_themes(fields["code_themes"])
    if sharing_keys & set(fields):
        fields |= _sharing_fields(
            by,
            fields.pop("sharing", reflection.sharing),
            fields.pop("shared_unit", reflection.shared_unit),
            fields.pop("shared_network", reflection.shared_network),
        )
    for name, value in fields.items():
        setattr(reflection, name, value)
    reflection.full_clean()
    reflection.save()
    return reflection


@transaction.atomic
def reflection_share(
    *,
    by,
    reflection: Reflection,
    sharing: str,
    shared_unit: Unit | None = None,
    shared_network: Network | None = None,
) -> Reflection:
    """Share the author's reflection with a unit's staff or a network, or make it private
    again (`sharing="private"`): from then on nobody else reads it."""
    return reflection_update(
        by=by,
        reflection=reflection,
        sharing=sharing,
        shared_unit=shared_unit,
        shared_network=shared_network,
    )


@transaction.atomic
def reflection_delete(*, by, reflection: Reflection) -> None:
    """Delete the author's own reflection for good (there is no history of it to keep)."""
    reflection = Reflection.objects.select_for_update().get(pk=reflection.pk)
    _require_author(by, reflection, "delete")
    reflection.delete()


# Learning reviews ------------------------------------------------------------------------------


def _check_review_network(by, unit: Unit, network: Network | None) -> None:
    if network is None or by is None:
        return
    if not selectors.member_networks(by).filter(pk=network.pk).exists():
        raise ValidationError(
            {"shared_network": f"You can share only with a network you belong to, not {network}."}
        )


def _check_review_text(fields: dict) -> None:
    for name in ("expected", "happened", "why_different", "will_do"):
        if name in fields and not (fields[name] or "").strip():
            label = LearningReview._meta.get_field(name).help_text
            raise ValidationError({name: f"Answer: {label}"})


@transaction.atomic
def review_create(
    *,
    by,
    unit: Unit,
    title: str,
    held_on: dt.date,
    expected: str,
    happened: str,
    why_different: str,
    will_do: str,
    participants: str = "",
    shared_network: Network | None = None,
    subject: Model | None = None,
) -> LearningReview:
    """Record a team learning review in `unit` (its staff, REVIEWERS): the four questions of an
    after-action review, who took part, when; optionally the project, signal, escalation or
    issue it followed (seen by `by`), and a network it is shared with (one `by` belongs to)."""
    access.authorise(by, unit, roles.REVIEWERS, "hold a learning review")
    _check_date(held_on, "held_on", "day it was held")
    fields = {
        "expected": expected,
        "happened": happened,
        "why_different": why_different,
        "will_do": will_do,
    }
    _check_review_text(fields)
    _check_review_network(by, unit, shared_network)
    review = LearningReview(
        unit=unit,
        title=_check_title(title),
        held_on=held_on,
        participants=participants,
        shared_network=shared_network,
        created_by=by,
        **fields,
        **_subject_fields(by, subject, selectors.REVIEW_SUBJECTS),
    )
    review.full_clean()
    record_by(review, by, "Review held")
    review.save()
    return review


@transaction.atomic
def review_update(*, by, review: LearningReview, reason: str = "", **fields) -> LearningReview:
    """Change a learning review (the unit's REVIEWERS): any of its text, day and network."""
    review = LearningReview.objects.select_for_update().get(pk=review.pk)
    access.authorise(by, review, roles.REVIEWERS, "change a learning review")
    allowed = {"title", "held_on", "participants", "shared_network", *_REVIEW_TEXT}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Not a field of a learning review: {', '.join(sorted(unknown))}")
    if "title" in fields:
        fields["title"] = _check_title(fields["title"])
    if "held_on" in fields:
        _check_date(fields["held_on"], "held_on", "day it was held")
    _check_review_text(fields)
    if "shared_network" in fields and fields["shared_network"] != review.shared_network:
        _check_review_network(by, review.unit, fields["shared_network"])
    for name, value in fields.items():
        setattr(review, name, value)
    review.full_clean()
    record_by(review, by, reason or "Review changed")
    review.save()
    return review
