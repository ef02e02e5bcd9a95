"""What the inbox knows of the records notifications are about, registered by the app that owns
them (in its AppConfig.ready()), so this app imports none of them.

    registry.register(Signal, read_roles=VIEWERS, queryset=lambda: Signal.objects.select_related(
        "measure__unit"), detail=latest_value)

`read_roles`: who may open the record (checked with qms.people.access.roles_on, so grants
count); a notification about a record the person can no longer see is shown without its link.
`queryset`: how to load many of them at once for the inbox (what `read_roles` and `detail`
need, selected together). `detail`: a few words to show beside the item (e.g. the measure's
latest value). A record that is not registered is visible to anyone with a role on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Model, QuerySet

from qms.people import access
from qms.people.roles import ALL_ROLES


@dataclass(frozen=True)
class Subject:
    read_roles: frozenset[str]
    queryset: Callable[[], QuerySet] | None = None
    detail: Callable[[Model], str] | None = None


_SUBJECTS: dict[type[Model], Subject] = {}


def register(
    model: type[Model],
    *,
    read_roles: Iterable[str] = ALL_ROLES,
    queryset: Callable[[], QuerySet] | None = None,
    detail: Callable[[Model], str] | None = None,
) -> None:
    _SUBJECTS[model] = Subject(frozenset(read_roles), queryset, detail)


def registered(model: type[Model]) -> Subject:
    return _SUBJECTS.get(model._meta.concrete_model, Subject(frozenset(ALL_ROLES)))


def querysets() -> list[QuerySet]:
    """One queryset per registered model that says how to load it, for GenericPrefetch."""
    return [subject.queryset() for subject in _SUBJECTS.values() if subject.queryset is not None]


def may_see(user, record) -> bool:
    """Whether the user may open the record's page. A record that does not say where it lives
    (no `unit`, no `access_unit`) cannot be judged, so it is not linked."""
    try:
        held = access.roles_on(user, record)
    except AttributeError:
        return False
    return bool(held & registered(type(record)).read_roles)


def detail(record) -> str:
    describe = registered(type(record)).detail
    return describe(record) if describe is not None else ""
