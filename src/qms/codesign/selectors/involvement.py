"""Reads of involvement: the kinds of work partners' involvement is logged against (each with
its area's rules, registered from registrations.py so this module imports no other area's
models), who reads and who logs, a record's log (`involvement_of`), and the ladder summary of a
unit and below over a period (`ladder_summary`)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Max, QuerySet
from django.http import Http404

from qms.codesign import roles
from qms.codesign.models import Involvement, InvolvementStatus, Level, WorkArea
from qms.people import access
from qms.people.models import Membership, ObjectGrant, Person, Unit
from qms.people.roles import Role

__all__ = [
    "LEVEL_MEANINGS",
    "LEVEL_SOURCE",
    "LadderSummary",
    "WorkKind",
    "involvement_of",
    "involvement_readable",
    "ladder_entries",
    "ladder_summary",
    "ladder_chart",
    "ladder_units",
    "work_or_404",
    "partners_on",
    "may_confirm",
    "may_log",
    "may_log_own",
    "may_read_work",
    "register_work",
    "work_kind_of",
    "work_label",
    "work_kinds",
]

LEVEL_SOURCE = (
    "Arnstein's ladder of citizen participation (1969), as adapted by NHS England, “Working in "
    "partnership with people and communities: statutory guidance” (2022) and Think Local Act "
    "Personal's ladder of co-production."
)
# What each rung means, in the words a partner and a board read.
LEVEL_MEANINGS = {
    Level.INFORMING: "People are told about the work and decisions already made; they cannot "
    "change them.",
    Level.CONSULTING: "People are asked for their views, which may or may not be taken into "
    "account; decisions stay with staff.",
    Level.INVOLVING: "People take part in the work and discussion, and their views influence "
    "what is decided, though staff still decide.",
    Level.CO_DESIGNING: "People share in designing the work as equals: they shape the options "
    "and the decisions are made together.",
    Level.CO_PRODUCING: "People share power and responsibility from start to finish: setting "
    "the problem, designing, delivering and judging the work together.",
}
# The rungs where partners shape what is decided, as against being told or asked.
SHAPING = frozenset({Level.CO_DESIGNING, Level.CO_PRODUCING})
TOLD_OR_ASKED = frozenset({Level.INFORMING, Level.CONSULTING})


def _staff_or_granted(user, record) -> bool:
    """The default reading rule: staff of the record's unit, or anyone given a role on it."""
    if access.roles_in(user, access.unit_of(record)) & roles.VIEWERS:
        return True
    return bool(access.granted_roles(user, record))


def _organiser_of(user, record) -> bool:
    return access.can(user, record, roles.ORGANISERS)


@dataclass(frozen=True)
class WorkKind:
    """A kind of work partners' involvement is logged against, with its area's rules.

    `model` is "app_label.modelname"; `label` names it for people ("improvement project");
    `area` is the part of the framework it counts under in the ladder summary; `may_read` and
    `may_change` are the owning area's rules (who reads the record, who changes it)."""

    model: str
    label: str
    area: str
    may_read: Callable[..., bool] = _staff_or_granted
    may_change: Callable[..., bool] = field(default=_organiser_of)

    @property
    def content_type(self) -> ContentType:
        app_label, model = self.model.split(".")
        return ContentType.objects.get_by_natural_key(app_label, model)


_KINDS: dict[str, WorkKind] = {}


def register_work(kind: WorkKind) -> None:
    """Let involvement be logged against records of `kind.model` (from registrations.py)."""
    if kind.area not in WorkArea.values:
        raise ValueError(f"Unknown area {kind.area!r} for {kind.model}.")
    _KINDS[kind.model.lower()] = kind


def work_kinds() -> list[WorkKind]:
    return list(_KINDS.values())


def work_kind_of(record) -> WorkKind | None:
    """The registered kind of a record (or model), or None: only registered work is logged."""
    meta = record._meta
    return _KINDS.get(f"{meta.app_label}.{meta.model_name}")


# Who may ------------------------------------------------------------------------------------


def may_read_work(user, record) -> bool:
    """Whether the user reads the record and so its involvement log (its area's rule)."""
    kind = work_kind_of(record)
    if kind is None or not user.is_authenticated:
        return False
    return kind.may_read(user, record)


def may_log(user, record) -> bool:
    """Whether the user logs (and confirms) involvement in the work: its organisers, or whoever
    may change the record by its area's rule."""
    kind = work_kind_of(record)
    if kind is None or not user.is_authenticated:
        return False
    if _organiser_of(user, record):
        return True
    # A partner on a project's team changes the project by its area's rule, but confirming
    # partners' involvement is for staff: a partner logs their own for confirmation.
    return bool(access.roles_on(user, record) - roles.PARTNERS) and kind.may_change(user, record)


def may_log_own(user, record) -> bool:
    """Whether the user, a partner on the work, logs their own contribution for an organiser to
    confirm."""
    return may_read_work(user, record) and Role.PARTNER in access.roles_on(user, record)


def partners_on(record) -> list[Person]:
    """The partners taking part in the work, for the log form's choice: those given the partner
    role on it (or on a record above it) and the partner members of its unit and the units
    above, who read it by its area's rule. A few queries."""
    unit = access.unit_of(record)
    member_ids = set(
        Membership.objects.filter(role=Role.PARTNER, unit_id__in=unit.ancestor_ids).values_list(
            "person_id", flat=True
        )
    )
    granted_ids: set[int] = set()
    current, seen = record, 0
    while current is not None and seen < 10:
        content_type = ContentType.objects.get_for_model(current, for_concrete_model=True)
        granted_ids |= set(
            ObjectGrant.objects.filter(
                role=Role.PARTNER, content_type=content_type, object_id=current.pk
            ).values_list("person_id", flat=True)
        )
        current, seen = getattr(current, "access_parent", None), seen + 1
    people = Person.objects.filter(pk__in=member_ids | granted_ids, is_active=True)
    return [person for person in people.order_by("display_name") if may_read_work(person, record)]


def may_confirm(user, involvement: Involvement) -> bool:
    return may_log(user, involvement.work)


def involvement_readable(user, involvement: Involvement) -> bool:
    """Whether the user reads one entry: whoever reads its work (a partner's own entry too)."""
    if involvement.partner_id is not None and involvement.partner_id == user.pk:
        return True
    work = involvement.work
    return work is not None and may_read_work(user, work)


# A record's log -----------------------------------------------------------------------------


def _for_record(record) -> QuerySet[Involvement]:
    content_type = ContentType.objects.get_for_model(record, for_concrete_model=True)
    return Involvement.objects.filter(content_type=content_type, object_id=record.pk)


def involvement_of(user, record) -> dict | None:
    """The involvement panel of a record's page: its entries (those waiting for confirmation
    only to organisers and to the partner who logged them), the highest rung confirmed, and
    what the user may do. None when the user does not read the record. Two queries."""
    if not may_read_work(user, record):
        return None
    organiser = may_log(user, record)
    entries = list(_for_record(record).select_related("partner"))
    shown = [
        entry
        for entry in entries
        if entry.status == InvolvementStatus.CONFIRMED or organiser or entry.partner_id == user.pk
    ]
    confirmed = [e.level for e in entries if e.status == InvolvementStatus.CONFIRMED]
    highest = Level(max(confirmed)) if confirmed else None
    return {
        "record": record,
        "entries": shown,
        "highest": highest,
        "highest_meaning": LEVEL_MEANINGS[highest] if highest else "",
        "may_log": organiser,
        "may_log_own": not organiser and may_log_own(user, record),
        "content_type": ContentType.objects.get_for_model(record, for_concrete_model=True),
    }


# The ladder summary -------------------------------------------------------------------------


@dataclass(frozen=True)
class ShapedDecision:
    occurred_on: dt.date
    work: object
    work_label: str
    level: Level
    who: str
    difference: str


@dataclass(frozen=True)
class LadderSummary:
    """Pieces of work in a unit and below over a period, by the highest rung partners reached
    (confirmed involvement only), overall and by area, with where partners shaped decisions."""

    unit: Unit
    start: dt.date
    end: dt.date
    by_level: dict[int, int]
    by_area: dict[str, dict[int, int]]
    pieces: int
    shaping: int
    told_or_asked: int
    decisions: list[ShapedDecision]

    @property
    def shaping_share(self) -> float | None:
        return self.shaping / self.pieces if self.pieces else None

    @property
    def told_or_asked_share(self) -> float | None:
        return self.told_or_asked / self.pieces if self.pieces else None

    def rows(self) -> list[dict]:
        """One row per rung, highest first: its counts overall and in each area."""
        return [
            {
                "level": level,
                "meaning": LEVEL_MEANINGS[level],
                "count": self.by_level.get(level.value, 0),
                "areas": [self.by_area[area].get(level.value, 0) for area in WorkArea.values],
            }
            for level in reversed(Level)
        ]

    @property
    def area_choices(self) -> list[tuple[str, str]]:
        return list(WorkArea.choices)

    def area_totals(self) -> list[int]:
        return [sum(self.by_area[area].values()) for area in WorkArea.values]


# How many shaped decisions the summary lists (the newest); the CSV has them all.
DECISIONS_SHOWN = 20


def ladder_summary(
    unit: Unit, start: dt.date, end: dt.date, *, decisions: int | None = DECISIONS_SHOWN
) -> LadderSummary:
    """Count pieces of work (a project, a priority...) in `unit` and below with confirmed
    involvement between `start` and `end` (inclusive) by the highest rung reached, overall and
    by area, and list where partners shaped a decision. The caller checks the user reads the
    unit. Three queries, whatever the number of entries (plus one per kind of work listed)."""
    confirmed = access.in_subtree(
        Involvement.objects.filter(
            status=InvolvementStatus.CONFIRMED, occurred_on__gte=start, occurred_on__lte=end
        ),
        unit,
    )
    highest = confirmed.values("content_type_id", "object_id", "area").annotate(top=Max("level"))
    by_level: Counter[int] = Counter()
    by_area: dict[str, Counter[int]] = {area: Counter() for area in WorkArea.values}
    for row in highest:
        by_level[row["top"]] += 1
        by_area.setdefault(row["area"], Counter())[row["top"]] += 1
    pieces = sum(by_level.values())
    shaped = confirmed.filter(shaped_decision=True).select_related("partner", "content_type")
    if decisions is not None:
        shaped = shaped[:decisions]
    shaped_rows = list(shaped.prefetch_related("work"))
    return LadderSummary(
        unit=unit,
        start=start,
        end=end,
        by_level=dict(by_level),
        by_area={area: dict(counts) for area, counts in by_area.items()},
        pieces=pieces,
        shaping=sum(by_level[level] for level in SHAPING),
        told_or_asked=sum(by_level[level] for level in TOLD_OR_ASKED),
        decisions=[
            ShapedDecision(
                occurred_on=entry.occurred_on,
                work=entry.work,
                work_label=_work_label(entry),
                level=Level(entry.level),
                who=entry.who,
                difference=entry.difference,
            )
            for entry in shaped_rows
        ],
    )


def ladder_chart(summary: LadderSummary) -> str:
    """A Vega-Lite bar chart of the pieces of work at each highest rung, lowest rung first, each
    bar labelled with its count (the table beside it says the same in words), as JSON safe in a
    `<script type="application/json">` element."""
    from qms.control.selectors import spec_json
    from qms.stats.mdc import BLUE

    values = [
        {"rung": f"{level.value}. {level.label}", "pieces": summary.by_level.get(level.value, 0)}
        for level in Level
    ]
    order = [row["rung"] for row in values]
    encoding = {
        "x": {
            "field": "rung",
            "type": "ordinal",
            "sort": order,
            "title": "Highest rung reached",
            "axis": {"labelAngle": 0},
        },
        "y": {
            "field": "pieces",
            "type": "quantitative",
            "title": "Pieces of work",
            "axis": {"tickMinStep": 1, "format": "d"},
        },
    }
    return spec_json(
        {
            "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
            "title": "Pieces of work by the highest rung partners reached",
            "data": {"values": values},
            "height": 240,
            "encoding": encoding,
            "layer": [
                {
                    "mark": {"type": "bar", "color": BLUE},
                    "encoding": {
                        "tooltip": [
                            {"field": "rung", "title": "Rung"},
                            {"field": "pieces", "title": "Pieces of work"},
                        ]
                    },
                },
                {"mark": {"type": "text", "dy": -8}, "encoding": {"text": {"field": "pieces"}}},
            ],
        }
    )


def ladder_units(user) -> list[Unit]:
    """The units whose ladder summary the user reads: where they are staff, and below."""
    return list(access.units_with_role(user, roles.VIEWERS).order_by("path"))


def ladder_entries(unit: Unit, start: dt.date, end: dt.date) -> list[Involvement]:
    """Every confirmed entry in `unit` and below over the period, for the CSV export, oldest
    first, with its work (one query per kind of work)."""
    confirmed = access.in_subtree(
        Involvement.objects.filter(
            status=InvolvementStatus.CONFIRMED, occurred_on__gte=start, occurred_on__lte=end
        ),
        unit,
    )
    return list(
        confirmed.select_related("unit", "partner", "content_type")
        .prefetch_related("work")
        .order_by("occurred_on", "pk")
    )


def work_label(entry: Involvement) -> str:
    """What the work is, for people: "Improvement project: Fewer falls at night"."""
    return _work_label(entry)


def work_or_404(user, model_label: str, pk: int):
    """The registered work named "app_label.modelname" and id, if the user reads it: Http404
    otherwise (a kind not registered, a record that does not exist and one the user may not
    read look the same)."""
    kind = _KINDS.get((model_label or "").lower())
    if kind is None or not 0 < pk < 2**63:
        raise Http404("Not found")
    record = kind.content_type.model_class()._default_manager.filter(pk=pk).first()
    if record is None or not may_read_work(user, record):
        raise Http404("Not found")
    return record


def _work_label(entry: Involvement) -> str:
    kind = _KINDS.get(f"{entry.content_type.app_label}.{entry.content_type.model}")
    name = str(entry.work) if entry.work is not None else "(removed)"
    return f"{kind.label}: {name}" if kind else name
