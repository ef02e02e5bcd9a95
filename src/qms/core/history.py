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
from simple_history.utils import get_m2m_reverse_field_name

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
    members = _m2m_members(versions)
    deltas = []
    for version, older in versions:
        model = version.instance_type
        changed = []
        listed: list[tuple] = []
        if version.history_type == "~" and older is not None:
            m2m = [field.name for field in _m2m_fields(version)]
            changed = version.diff_against(older, excluded_fields=m2m).changes
            listed = _m2m_changes(version, older, members, names)
        for change in changed:
            field = model._meta.get_field(change.field)
            if field.is_relation and field.many_to_one:
                names.want(field.related_model, change.old)
                names.want(field.related_model, change.new)
        for name in _summaries.get(model, (None, ()))[1]:
            field = model._meta.get_field(name)
            names.want(field.related_model, getattr(version, field.attname))
        deltas.append((version, changed, listed))
    names.read()
    return [_row(version, changed, listed, names) for version, changed, listed in deltas]


def _m2m_fields(version) -> list:
    """The many-to-many fields a historical model keeps (`HistoricalRecords(m2m_fields=...)`)."""
    return list(getattr(version, "_history_m2m_fields", None) or [])


def _m2m_members(versions: list[tuple]) -> dict[tuple, dict[int, set]]:
    """For each kept many-to-many field, the related ids each version held: one query per
    field for every version (simple-history's own diff reads two per version)."""
    wanted: dict[tuple, set[int]] = defaultdict(set)
    through: dict[tuple, tuple] = {}
    for version, older in versions:
        if version.history_type != "~" or older is None:
            continue
        for field in _m2m_fields(version):
            key = (version.instance_type, field.name)
            wanted[key] |= {version.history_id, older.history_id}
            through[key] = (getattr(version, field.name).model, get_m2m_reverse_field_name(field))
    members: dict[tuple, dict[int, set]] = {}
    for key, ids in wanted.items():
        model, target = through[key]
        found: dict[int, set] = defaultdict(set)
        for history_id, pk in model.objects.filter(history_id__in=ids).values_list(
            "history_id", target
        ):
            found[history_id].add(pk)
        members[key] = found
    return members


def _m2m_changes(version, older, members, names: Names) -> list[tuple]:
    """(field, ids before, ids after) of each kept many-to-many field that changed."""
    changes = []
    for field in _m2m_fields(version):
        found = members.get((version.instance_type, field.name), {})
        before, after = found.get(older.history_id, set()), found.get(version.history_id, set())
        if before != after:
            for pk in before | after:
                names.want(field.related_model, pk)
            changes.append((field, sorted(before), sorted(after)))
    return changes


def _row(version, changed, listed, names: Names) -> HistoryRow:
    model = version.instance_type
    summary, _ = _summaries.get(model, (_generic_summary, ()))
    changes = [_change(model, change, names) for change in changed]
    changes += [
        Change(
            str(field.verbose_name),
            _names(field, before, names),
            _names(field, after, names),
        )
        for field, before, after in listed
    ]
    return HistoryRow(
        when=version.history_date,
        who=str(version.history_user) if version.history_user else "System",
        summary=summary(version, names),
        changes=sorted(changes, key=lambda c: _field_order(model, c.label)),
        reason=version.history_change_reason or "",
        action=ACTIONS[version.history_type],
    )


def _names(field, pks: list, names: Names) -> str:
    if not pks:
        return "none"
    shown = ", ".join(names.of(field.related_model, pk) for pk in pks)
    return Truncator(shown).chars(_SHOWN_CHARACTERS)


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
