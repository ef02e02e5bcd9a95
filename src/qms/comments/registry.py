"""Which records take comments and attachments, and who may read and write them.

An app makes its records discussable in its `AppConfig.ready()`:

    from qms.comments import registry
    registry.register(Signal, read_roles=VIEWERS, write_roles=SIGNAL_HANDLERS | DATA_ENTRY)

The roles are those a person holds on the record (`qms.people.access.roles_on`: roles in its
unit or above, and grants on the record or its parents). Removing someone else's comment or
attachment takes one of `moderator_roles` (leads, by default).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models

from qms.people import access
from qms.people.roles import MEMBERSHIP_MANAGERS


@dataclass(frozen=True)
class Discussable:
    model: type[models.Model]
    read_roles: frozenset[str]
    write_roles: frozenset[str]
    moderator_roles: frozenset[str]
    # Who else reads it, holding none of `read_roles` on it: (user, record) -> bool.
    also_readable_by: Callable | None = None
    # Roles that let a person read and write only when given on the record itself (or a record
    # above it), as access.require's `granted`: a partner on one project's team discusses it,
    # a partner of the project's unit does not.
    granted_roles: frozenset[str] = frozenset()
    # Who else reads and writes, holding none of the roles above: (user, record) -> bool (the
    # staff of a learning network's member teams, who hold no role on the network itself).
    also_writable_by: Callable | None = None

    def _granted(self, user, record) -> bool:
        return bool(self.granted_roles and access.granted_roles(user, record) & self.granted_roles)

    def may_read(self, user, record, held: frozenset[str]) -> bool:
        if held & self.read_roles or self._granted(user, record):
            return True
        if self.also_readable_by is not None and self.also_readable_by(user, record):
            return True
        return self._also_writes(user, record)

    def may_write(self, user, record, held: frozenset[str]) -> bool:
        if held & self.write_roles or self._granted(user, record):
            return True
        return self._also_writes(user, record)

    def _also_writes(self, user, record) -> bool:
        return self.also_writable_by is not None and bool(self.also_writable_by(user, record))

    @property
    def key(self) -> str:
        """How the model is named in URLs: "app_label.model"."""
        return self.model._meta.label_lower


_registry: dict[type[models.Model], Discussable] = {}


def register(
    model: type[models.Model],
    *,
    read_roles: Iterable[str],
    write_roles: Iterable[str],
    moderator_roles: Iterable[str] = MEMBERSHIP_MANAGERS,
    also_readable_by: Callable | None = None,
    granted_roles: Iterable[str] = (),
    also_writable_by: Callable | None = None,
) -> Discussable:
    """Let `model`'s records take comments and attachments: seen by `read_roles`, added to by
    `write_roles`, anyone's removed by `moderator_roles` (authors remove their own).
    `also_readable_by(user, record)` lets others read them too (a published change package's
    files, read by staff of any unit). `granted_roles` read and write when given on the record
    itself (a partner on a project's team), never through its unit. `also_writable_by(user,
    record)` lets others read and write them (a network's member teams' staff)."""
    entry = Discussable(
        model,
        frozenset(read_roles),
        frozenset(write_roles),
        frozenset(moderator_roles),
        also_readable_by,
        frozenset(granted_roles),
        also_writable_by,
    )
    _registry[model] = entry
    return entry


def entry_for(model_or_record) -> Discussable:
    """The registration of a model (or of a record's model); LookupError when it has none."""
    model = model_or_record if isinstance(model_or_record, type) else type(model_or_record)
    try:
        return _registry[model._meta.concrete_model]
    except KeyError:
        raise LookupError(f"{model._meta.label} takes no comments") from None


def entry_for_key(key: str) -> Discussable:
    """The registration named "app_label.model" in a URL; LookupError for any other name."""
    for entry in _registry.values():
        if entry.key == key:
            return entry
    raise LookupError(f"{key} takes no comments")


def content_type_of(model_or_record) -> ContentType:
    return ContentType.objects.get_for_model(model_or_record, for_concrete_model=True)
