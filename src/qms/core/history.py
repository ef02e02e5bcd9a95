"""History shown one way: who changed a record, when, what changed and why.

Every record that governs care keeps its versions with django-simple-history, and services set
who made a change (`_history_user`) and why (`_change_reason`). `history_of` turns those versions
into rows a page shows with the include `core/_history.html` (or the tag `{% history_table %}`
from `history_tags`): what changed as "field: old → new", with verbose names, choice labels and
the names of related records, read in a fixed number of queries whatever the number of rows.

A record's page can show the history of records that belong to it too (a unit's memberships):
the app that owns them says so once with `register_related`, and how a row of theirs reads with
`register_summary`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from django.db import models
from django.utils import formats, timezone
from django.utils.text import Truncator, capfirst

ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}
# Long text (a definition) is shown in part: the full versions are in the admin's history.
_SHOWN_CHARACTERS = 160


class Change(NamedTuple):
    """One field's change: its verbose name and the old and new values as shown."""

    label: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{capfirst(self.label)}: {self.old} → {self.new}"


@dataclass(frozen=True)
class HistoryRow:
    when: dt.datetime
    who: str
    summary: str
    changes: list[Change]
    reason: str
    action: str  # created, changed or deleted


class Names:
    """The names of records that history rows point at, read in one query per model."""

    def __init__(self) -> None:
        self._wanted: dict[type[models.Model], set] = defaultdict(set)
        self._found: dict[type[models.Model], dict] = {}

    def want(self, model: type[models.Model], pk) -> None:
        if pk is not None:
            self._wanted[model].add(pk)

    def read(self) -> None:
        for model, pks in self._wanted.items():
            self._found[model] = model._default_manager.in_bulk(pks)

    def of(self, model: type[models.Model], pk, *, gone: str = "a deleted record") -> str:
        if pk is None:
            return "none"
        found = self._found.get(model, {}).get(pk)
        return str(found) if found is not None else gone


Summary = Callable[[models.Model, Names], str]

_related: dict[type[models.Model], list[Callable[[models.Model], models.QuerySet]]] = defaultdict(
    list
)
_summaries: dict[type[models.Model], tuple[Summary, tuple[str, ...]]] = {}


def register_related(model: type[models.Model], histories: Callable) -> None:
    """Show, on a `model` record's history, the historical rows `histories(record)` returns
    (a queryset of another model's history, e.g. the memberships of a unit)."""
    _related[model].append(histories)


def register_summary(model: type[models.Model], summary: Summary, *, names=()) -> None:
    """How a history row of `model` reads ("Added Lead as Team lead"): `summary(row, names)`,
    where `names.of(Model, pk)` gives the name of each foreign key listed in `names`."""
    _summaries[model] = (summary, tuple(names))


def history_of(record: models.Model, *, limit: int = 50) -> list[HistoryRow]:
    """The record's history (and that of records registered as belonging to it), newest first:
    at most `limit` rows."""
    sources = [record.history.all()]
    sources += [histories(record) for histories in _related.get(type(record), [])]
    versions: list = []
    for source in sources:
        versions += _with_previous(source, limit)
    rows = _rows(versions)
    rows.sort(key=lambda row: row.when, reverse=True)
    return rows[:limit]


def _with_previous(source: models.QuerySet, limit: int) -> list[tuple]:
    """(version, the version before it of the same record or None) for the newest `limit`
    versions: one query, reading one version more so the oldest shown can be compared."""
    newest = list(
        source.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
    )
    pk_name = source.model.instance_type._meta.pk.attname
    pairs = []
    for index, version in enumerate(newest[:limit]):
        key = getattr(version, pk_name)
        older = next((v for v in newest[index + 1 :] if getattr(v, pk_name) == key), None)
        if older is None and version.history_type == "~":
            older = version.prev_record  # beyond what was read: rare, one query
        pairs.append((version, older))
    return pairs


def _rows(versions: list[tuple]) -> list[HistoryRow]:
    names = Names()
    deltas = []
    for version, older in versions:
        model = version.instance_type
        changed = []
        if version.history_type == "~" and older is not None:
            changed = version.diff_against(older).changes
        for change in changed:
            field = model._meta.get_field(change.field)
            if field.is_relation and field.many_to_one:
                names.want(field.related_model, change.old)
                names.want(field.related_model, change.new)
        for name in _summaries.get(model, (None, ()))[1]:
            field = model._meta.get_field(name)
            names.want(field.related_model, getattr(version, field.attname))
        deltas.append((version, changed))
    names.read()
    return [_row(version, changed, names) for version, changed in deltas]


def _row(version, changed, names: Names) -> HistoryRow:
    model = version.instance_type
    summary, _ = _summaries.get(model, (_generic_summary, ()))
    changes = [_change(model, change, names) for change in changed]
    return HistoryRow(
        when=version.history_date,
        who=str(version.history_user) if version.history_user else "System",
        summary=summary(version, names),
        changes=sorted(changes, key=lambda c: _field_order(model, c.label)),
        reason=version.history_change_reason or "",
        action=ACTIONS[version.history_type],
    )


def _generic_summary(version, names: Names) -> str:
    return f"{capfirst(version.instance_type._meta.verbose_name)} {ACTIONS[version.history_type]}"


def _field_order(model, label: str) -> int:
    labels = [str(f.verbose_name) for f in model._meta.concrete_fields]
    return labels.index(label) if label in labels else len(labels)


def _change(model, change, names: Names) -> Change:
    field = model._meta.get_field(change.field)
    return Change(
        str(field.verbose_name), _shown(field, change.old, names), _shown(field, change.new, names)
    )


def _shown(field, value, names: Names) -> str:
    """A value as a person reads it: a choice's label, a related record's name, a date."""
    if value is None or value == "":
        return "none" if value is None else "(empty)"
    if field.is_relation and field.many_to_one:
        return names.of(field.related_model, value)
    if field.flatchoices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "j M Y, H:i")
    if isinstance(value, dt.date):
        return formats.date_format(value, "j M Y")
    if isinstance(value, float):
        return f"{value:g}"
    return Truncator(str(value)).chars(_SHOWN_CHARACTERS)
