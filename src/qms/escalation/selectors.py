"""Reads of escalations, shaped for the pages that show them."""

from __future__ import annotations

from django.contrib.contenttypes.prefetch import GenericPrefetch

from qms.escalation import registry, services
from qms.escalation.models import Escalation
from qms.people import access


def with_subjects(queryset):
    """The escalations with their records, loaded as each record's app registered (one query
    per kind of record)."""
    return queryset.prefetch_related(GenericPrefetch("subject", registry.querysets()))


def escalations_into(user, unit) -> list[Escalation]:
    """Escalations that reached this unit or the units below it that the user can see, newest
    first (for the units above: what their teams passed up)."""
    subtree = access.units_visible_to(user).filter(path__startswith=unit.path)
    return list(
        with_subjects(
            Escalation.objects.filter(to_unit__in=subtree)
            .select_related("from_unit", "to_unit", "created_by")
            .order_by("-created_at", "-pk")
        )
    )


def answerable(user, escalations: list[Escalation]) -> list[Escalation]:
    """The chain with what this person may do: `can_respond` and the `decisions` they may
    choose (resolving in the words of the record's app; escalating further only below the
    top of the organisation)."""
    for escalation in escalations:
        escalation.can_respond = services.may_respond(user, escalation)
        kind = registry.registered(services.model_of(escalation))
        escalation.decisions = [
            ("accept", "Accept: we take this on"),
            ("return", "Return to the team, with advice"),
            ("resolve", kind.resolve_label),
        ]
        if escalation.to_unit.parent_id is not None:
            escalation.decisions.append(("escalate", "Escalate further, to the unit above"))
    return escalations


def chain(user, subject) -> list[Escalation]:
    """The record's chain, oldest first, with what this person may do with each step."""
    steps = services.chain_of(subject).select_related(
        "from_unit", "to_unit", "created_by", "responded_by"
    )
    return answerable(user, list(steps))
