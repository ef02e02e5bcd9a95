"""What escalation knows of the records that can be escalated, registered by the app that owns
them (in its AppConfig.ready()), so this app imports none of them:

    registry.register(
        Signal,
        handlers=SIGNAL_HANDLERS,             # may escalate it, where it sits
        responders=ESCALATION_RESPONDERS,     # may answer, in the unit it reached
        title=lambda signal: signal.measure.name,
        check=signal_may_escalate,            # raises ValidationError when it may not be
        on_escalate=signal_escalated,         # what the record becomes (signal: escalated)
        on_decision=signal_decided,           # and after each answer (return, resolve)
        resolve_label="Resolved: close the signal",
        queryset=lambda: Signal.objects.select_related("measure__unit"),  # for many at once
    )

`on_escalate(subject, *, by, escalation)` and `on_decision(subject, *, by, escalation,
decision)` run inside the service's transaction; `decision` is "accept", "return" or "resolve"
("escalate" further is a new escalation, so on_escalate). The record says where it lives as
qms.people.access expects (a `unit`, or an `access_unit` property), and has
`get_absolute_url()` and a short `__str__`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet


def _nothing(*args, **kwargs) -> None:
    return None


@dataclass(frozen=True)
class Escalatable:
    handlers: frozenset[str]
    responders: frozenset[str]
    title: Callable[[Any], str] = str
    check: Callable[[Any], None] = _nothing
    on_escalate: Callable[..., None] = _nothing
    on_decision: Callable[..., None] = _nothing
    resolve_label: str = "Resolved: close it"
    queryset: Callable[[], QuerySet] | None = None


_REGISTERED: dict[type[Model], Escalatable] = {}


def register(
    model: type[Model],
    *,
    handlers: Iterable[str],
    responders: Iterable[str] | None = None,
    title: Callable[[Any], str] = str,
    check: Callable[[Any], None] = _nothing,
    on_escalate: Callable[..., None] = _nothing,
    on_decision: Callable[..., None] = _nothing,
    resolve_label: str = "Resolved: close it",
    queryset: Callable[[], QuerySet] | None = None,
) -> None:
    """Make `model`'s records escalatable (see the module's docstring)."""
    handlers = frozenset(handlers)
    _REGISTERED[model] = Escalatable(
        handlers,
        frozenset(responders) if responders is not None else handlers,
        title,
        check,
        on_escalate,
        on_decision,
        resolve_label,
        queryset,
    )


def registered(model: type[Model]) -> Escalatable:
    """How records of `model` escalate; LookupError when its app did not register it."""
    try:
        return _REGISTERED[model._meta.concrete_model]
    except KeyError:
        raise LookupError(f"{model.__name__} cannot be escalated: not registered.") from None


def is_registered(model: type[Model]) -> bool:
    return model._meta.concrete_model in _REGISTERED


def querysets() -> list[QuerySet]:
    """How to load many records of each kind at once (what `title` needs), for GenericPrefetch."""
    return [kind.queryset() for kind in _REGISTERED.values() if kind.queryset is not None]
