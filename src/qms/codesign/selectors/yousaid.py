"""Reads of “you said, we did”: who may read a unit's board (a role in the unit, or a role on a
piece of its work: a partner on one of its projects), the board itself (published entries for
everyone, drafts too for staff), what an entry may link to, and the latest entries for the unit's
page. Each read makes a bounded number of queries, whatever the number of entries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from qms.codesign import roles
from qms.codesign.models import Involvement, InvolvementStatus, YouSaidEntry
from qms.codesign.selectors import partners as partner_selectors
from qms.improvement import selectors as improvement_selectors
from qms.learning.selectors import feedback as feedback_selectors
from qms.people import access
from qms.people.models import Unit

# What may follow “you said”, by model: the words a partner reads and where its unit is.
FOLLOW_KINDS = {
    ("issues", "action"): ("An action", "issue__unit"),
    ("improvement", "pdsacycle"): ("A test of a change (a PDSA cycle)", "project__unit"),
    ("improvement", "project"): ("An improvement project", "unit"),
    ("improvement", "changepackage"): ("A change package for other teams", "project__unit"),
}
# The latest published entries shown on the unit's page.
LATEST = 3


def follow_kind(record) -> str | None:
    """The plain words for the kind of record that followed, None for kinds the board does not
    link."""
    meta = record._meta.concrete_model._meta
    kind = FOLLOW_KINDS.get((meta.app_label, meta.model_name))
    return kind[0] if kind else None


def _granted_units(user) -> list[Unit]:
    """The units of the records the user was given a role on (a partner's project, priority,
    network or measure), one query per kind of record."""
    if not user.is_authenticated:
        return []
    by_type: dict[int, list[int]] = defaultdict(list)
    for content_type_id, object_id, _role in access._grants(user):
        by_type[content_type_id].append(object_id)
    unit_ids: set[int] = set()
    for content_type_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None or not hasattr(model, "unit"):
            continue
        unit_ids |= set(model._default_manager.filter(pk__in=ids).values_list("unit_id", flat=True))
    return list(Unit.objects.filter(pk__in=unit_ids))


def may_read(user, unit: Unit) -> bool:
    """Whether the user reads the unit's published board: a role in the unit (or above), or a
    role on a piece of its own work (roles reach down, never up: a partner on Ward 7's project
    reads Ward 7's board, not its service's)."""
    if access.can(user, unit, roles.BOARD_READERS):
        return True
    return any(granted.pk == unit.pk for granted in _granted_units(user))


def may_edit(user, unit: Unit) -> bool:
    return access.can(user, unit, roles.ORGANISERS)


def sees_drafts(user, unit: Unit) -> bool:
    """Drafts are for staff of the unit; partners see what was published."""
    return access.can(user, unit, roles.VIEWERS)


def board_units(user) -> list[Unit]:
    """Every unit whose board the user reads, by name: their units and the units of their work."""
    units = {unit.pk: unit for unit in access.units_with_role(user, roles.BOARD_READERS)}
    for unit in _granted_units(user):
        units.setdefault(unit.pk, unit)
    return sorted(units.values(), key=lambda unit: unit.name)


@dataclass(frozen=True)
class Followed:
    kind: str
    name: str
    url: str  # empty when the reader may not open it


@dataclass(frozen=True)
class BoardEntry:
    entry: YouSaidEntry
    followed: Followed | None
    contribution_to: str = ""  # the work a partner's contribution it answers was about


def entries(unit: Unit, *, drafts: bool) -> QuerySet[YouSaidEntry]:
    shown = YouSaidEntry.objects.filter(unit=unit).select_related(
        "unit", "created_by", "involvement"
    )
    return shown if drafts else shown.filter(published_at__isnull=False)


def _may_open(user, record) -> bool:
    """Whether the record's own page opens for the user, by its area's rule: a change package by
    improvement's; the others (actions, cycles, projects) for staff of their unit or anyone given
    a role on them (a partner of the unit alone does not open the unit's issues)."""
    if follow_kind(record) == FOLLOW_KINDS[("improvement", "changepackage")][0]:
        return improvement_selectors.package_readable(user, record)
    return access.can(user, record, roles.VIEWERS) or bool(access.granted_roles(user, record))


def _followed(user, rows: list[YouSaidEntry]) -> dict[int, Followed]:
    """What followed each entry, one query per kind of record; a link only where the reader may
    open the record (a partner on the project opens it; an action of an issue they are not on
    is named, not linked)."""
    by_type: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        if row.followed_type_id and row.followed_id:
            by_type[row.followed_type_id].append(row.followed_id)
    found: dict[tuple[int, int], object] = {}
    for content_type_id, ids in by_type.items():
        content_type = ContentType.objects.get_for_id(content_type_id)
        kind = FOLLOW_KINDS.get((content_type.app_label, content_type.model))
        model = content_type.model_class()
        if kind is None or model is None:
            continue
        related = kind[1].split("__")[0]
        queryset = model._default_manager.filter(pk__in=ids)
        queryset = queryset.select_related(*( [related, f"{related}__unit"] if related != "unit"
                                             else ["unit"]))  # fmt: skip
        for record in queryset:
            found[(content_type_id, record.pk)] = record
    result = {}
    for row in rows:
        record = found.get((row.followed_type_id, row.followed_id))
        if record is None:
            continue
        url = record.get_absolute_url() if _may_open(user, record) else ""
        result[row.pk] = Followed(follow_kind(record) or "", str(record), url)
    return result


def board(user, unit: Unit, *, drafts: bool) -> list[BoardEntry]:
    """The unit's board, newest first: published entries, and drafts for staff."""
    rows = list(entries(unit, drafts=drafts))
    followed = _followed(user, rows)
    works = partner_selectors.records_of(
        [(row.involvement.content_type_id, row.involvement.object_id) for row in rows
         if row.involvement is not None]
    )  # fmt: skip
    return [
        BoardEntry(
            row,
            followed.get(row.pk),
            str(works.get((row.involvement.content_type_id, row.involvement.object_id), ""))
            if row.involvement is not None
            else "",
        )
        for row in rows
    ]


def latest_published(unit: Unit, *, limit: int = LATEST) -> list[YouSaidEntry]:
    """The unit's latest published entries, for its page."""
    return list(entries(unit, drafts=False).order_by("-published_at", "-pk")[:limit])


def follow_choices(unit: Unit, *, limit: int = 60) -> list[tuple[str, list[tuple[str, str]]]]:
    """What an organiser may link as what followed, grouped by kind: the unit's open and recent
    actions, projects, PDSA cycles and change packages (the latest `limit` of each), as
    ("app.model:pk", name). One query per kind."""
    groups = []
    for (app_label, model_name), (label, unit_path) in FOLLOW_KINDS.items():
        model = apps.get_model(app_label, model_name)
        rows = model._default_manager.filter(
            **{f"{unit_path}__path__startswith": unit.path}
        ).order_by("-pk")[:limit]
        options = [(f"{app_label}.{model_name}:{row.pk}", str(row)[:120]) for row in rows]
        if options:
            groups.append((label, options))
    return groups


def followed_from(value: str):
    """The record named "app.model:pk" by the form; None when the value names nothing that
    may follow (the form then says so)."""
    try:
        label, pk = value.split(":", 1)
        app_label, model_name = label.split(".", 1)
        if (app_label, model_name) not in FOLLOW_KINDS:
            return None
        return apps.get_model(app_label, model_name)._default_manager.filter(pk=int(pk)).first()
    except (ValueError, LookupError, OverflowError):
        return None


# Themes counted over the last year, the most frequent first.
THEME_DAYS = 365
THEMES_OFFERED = 20


def theme_choices(unit: Unit, *, current: str = "") -> list[tuple[str, int | None]]:
    """The unit's feedback themes of the last year with their counts (learning's own reading),
    and the entry's current theme when it is no longer among them."""
    since = timezone.localdate() - dt.timedelta(days=THEME_DAYS)
    themes: list[tuple[str, int | None]] = list(
        feedback_selectors.summary(unit, since=since, themes=THEMES_OFFERED).themes
    )
    if current and current not in {label for label, _ in themes}:
        themes.append((current, None))
    return themes


@dataclass(frozen=True)
class BoardSummary:
    unit: Unit
    published: int
    drafts: int


BOARDS_LISTED = 30


def board_summaries(user) -> list[BoardSummary]:
    """The boards the user reads with their counts of published entries and drafts (drafts
    counted only where the user is staff), boards with entries first. A fixed number of
    queries."""
    units = board_units(user)[: BOARDS_LISTED * 4]
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {"published": 0, "drafts": 0})
    rows = (
        YouSaidEntry.objects.filter(unit__in=units)
        .values("unit_id")
        .annotate(
            published=Count("pk", filter=Q(published_at__isnull=False)),
            drafts=Count("pk", filter=Q(published_at__isnull=True)),
        )
    )
    for row in rows:
        counts[row["unit_id"]] = {"published": row["published"], "drafts": row["drafts"]}
    staff = {unit.pk for unit in units if sees_drafts(user, unit)}
    summaries = [
        BoardSummary(
            unit,
            counts[unit.pk]["published"],
            counts[unit.pk]["drafts"] if unit.pk in staff else 0,
        )
        for unit in units
    ]
    summaries.sort(key=lambda s: (not (s.published or s.drafts), s.unit.name))
    return summaries[:BOARDS_LISTED]


CONTRIBUTIONS_OFFERED = 60


def contribution_choices(unit: Unit, *, current: Involvement | None = None) -> list:
    """The unit's confirmed partners' contributions an entry may answer, the latest first (and
    the entry's own when it is older), as (pk, words). One query."""
    rows = list(
        Involvement.objects.filter(
            unit__path__startswith=unit.path, status=InvolvementStatus.CONFIRMED
        )
        .select_related("partner")
        .order_by("-occurred_on", "-pk")[:CONTRIBUTIONS_OFFERED]
    )
    if current is not None and current not in rows:
        rows.append(current)
    return [
        (row.pk, f"{row.occurred_on:%d %b %Y}, {row.who}: {row.contribution[:90]}") for row in rows
    ]


def contribution_from(unit: Unit, value) -> Involvement | None:
    """The contribution chosen on the form, among the unit's; None for none or anything else."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return (
        Involvement.objects.filter(pk=number, unit__path__startswith=unit.path)
        .select_related("unit")
        .first()
    )


@dataclass(frozen=True)
class Contribution:
    involvement: Involvement
    work: str
    answers: list[YouSaidEntry]  # the published entries that answer it


def contributions_of(user, *, limit: int = 20) -> list[Contribution]:
    """A partner's own contributions, the latest first, with what they were about and the
    published “we did” that answered them. A fixed number of queries."""
    rows = list(
        Involvement.objects.filter(partner=user)
        .prefetch_related(
            Prefetch(
                "yousaid_entries",
                queryset=YouSaidEntry.objects.filter(published_at__isnull=False).select_related(
                    "unit"
                ),
            )
        )
        .order_by("-occurred_on", "-pk")[:limit]
    )
    works = partner_selectors.records_of([(row.content_type_id, row.object_id) for row in rows])
    return [
        Contribution(
            row,
            str(works.get((row.content_type_id, row.object_id), "")),
            list(row.yousaid_entries.all()),
        )
        for row in rows
    ]
