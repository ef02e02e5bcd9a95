"""Reads of the evidence library: who reads which item (`evidence_visible_to`, the one rule),
the library's list and an item's page, the evidence a record cites (`evidence_for`) and every
record an item is cited by (`uses_of`), each in a fixed number of queries.

The records that cite evidence belong to other areas. Each kind is registered once
(`register_citable`, from registrations.py) with that area's own rules for who reads and who
changes such a record, so this module never imports their models; a record of a kind not
registered is read by its unit's staff (and those granted a role on it) and changed by the
evidence editors of its unit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.urls import NoReverseMatch

from qms.learning import roles
from qms.learning.models import Certainty, Evidence, EvidenceLink
from qms.people import access
from qms.people.models import ObjectGrant

__all__ = [
    "CERTAINTY_MEANINGS",
    "CitableKind",
    "Use",
    "Uses",
    "certainty_counts",
    "citable_evidence",
    "citable_kind",
    "citable_kind_of",
    "cited_counts",
    "evidence_editor_units",
    "evidence_for",
    "evidence_library",
    "evidence_recent",
    "evidence_visible_to",
    "may_cite",
    "may_edit_evidence",
    "register_citable",
    "uses_of",
]

# What each GRADE level means for the reader (Guyatt et al., BMJ 2008;336:924-6, table 1).
CERTAINTY_MEANINGS = {
    Certainty.HIGH: "Further research is very unlikely to change our confidence in the "
    "estimate of effect.",
    Certainty.MODERATE: "Further research is likely to have an important impact on our "
    "confidence in the estimate of effect and may change the estimate.",
    Certainty.LOW: "Further research is very likely to have an important impact on our "
    "confidence in the estimate of effect and is likely to change the estimate.",
    Certainty.VERY_LOW: "Any estimate of effect is very uncertain.",
}


def _certainty_order(field_name: str = "certainty") -> Case:
    """A rank to list items by where certainty matters most: the strongest first."""
    return Case(
        *(
            When(**{field_name: value}, then=Value(rank))
            for rank, value in enumerate(Certainty.values)
        ),
        default=Value(len(Certainty.values)),
        output_field=IntegerField(),
    )


# The library's pages, and how many items a "Cite evidence" list offers at once.
PAGE_SIZE = 25
CITE_CHOICES = 100


# The kinds of record that cite evidence -------------------------------------------------------


def _staff_or_granted(user, record) -> bool:
    """The default reading rule: staff of the record's unit, or anyone given a role on it (or
    on a record above it)."""
    if access.roles_in(user, access.unit_of(record)) & roles.VIEWERS:
        return True
    return bool(access.granted_roles(user, record))


def _evidence_editor_of(user, record) -> bool:
    return access.can(user, record, roles.EVIDENCE_EDITORS)


@dataclass(frozen=True)
class CitableKind:
    """A kind of record that cites evidence, with its area's rules.

    `model` is "app_label.modelname"; `label` names it for people ("change idea");
    `related` is what to load with it (its unit, its parent) so the rules ask no query;
    `parent` is the field of the record whose grants reach it (a change idea's project), so a
    partner granted the project reads the evidence its change ideas cite; `accepts` says which
    records of the model may cite (a driver diagram's change ideas, not its drivers)."""

    model: str
    label: str
    may_read: Callable[..., bool] = _staff_or_granted
    may_change: Callable[..., bool] = _evidence_editor_of
    related: tuple[str, ...] = ()
    parent: str = ""
    accepts: Callable[..., bool] = field(default=lambda record: True)

    @property
    def content_type(self) -> ContentType:
        app_label, model = self.model.split(".")
        return ContentType.objects.get_by_natural_key(app_label, model)

    @property
    def model_class(self):
        return self.content_type.model_class()


_KINDS: dict[str, CitableKind] = {}


def register_citable(kind: CitableKind) -> None:
    """Let records of `kind.model` cite evidence, with its area's rules (from
    registrations.py; registering again replaces the rules)."""
    _KINDS[kind.model.lower()] = kind


def citable_kind(model_label: str) -> CitableKind | None:
    """The registered kind for "app_label.modelname", or None."""
    return _KINDS.get(model_label.lower())


def citable_kind_of(record) -> CitableKind:
    """The kind a record (or a model) is cited as: its registered kind, or the default rules
    for any record with a unit."""
    meta = record._meta
    label = f"{meta.app_label}.{meta.model_name}"
    if label in _KINDS:
        return _KINDS[label]
    has_unit = any(f.name == "unit" and f.is_relation for f in meta.get_fields())
    return CitableKind(
        model=label, label=str(meta.verbose_name), related=("unit",) if has_unit else ()
    )


# Who reads and who changes -------------------------------------------------------------------


def _root_paths(paths: Iterable[str]) -> set[str]:
    """The path of each organisation (root unit) the paths are in: "/1/4/17/" is in "/1/"."""
    return {"/" + path.strip("/").split("/")[0] + "/" for path in paths if path.strip("/")}


def _granted_link_condition(user) -> Q:
    """Links to the records the user is given a role on, and to the records under them
    (a change idea of a granted project, a design of a granted priority)."""
    grants = list(
        ObjectGrant.objects.filter(person=user).values_list("content_type_id", "object_id", "role")
    )
    if not grants:
        return Q(pk__in=[])
    by_type: dict[int, list[int]] = defaultdict(list)
    for content_type_id, object_id, _role in grants:
        by_type[content_type_id].append(object_id)
    condition = Q(pk__in=[])
    for content_type_id, ids in by_type.items():
        condition |= Q(content_type_id=content_type_id, object_id__in=ids)
    for kind in _KINDS.values():
        content_type = kind.content_type
        if kind.parent:
            parent_model = kind.model_class._meta.get_field(kind.parent).related_model
            parent_type = ContentType.objects.get_for_model(parent_model)
            parent_ids = by_type.get(parent_type.pk)
            if parent_ids:
                children = kind.model_class._default_manager.filter(
                    **{f"{kind.parent}_id__in": parent_ids}
                ).values("pk")
                condition |= Q(content_type=content_type, object_id__in=children)
    return condition


def evidence_visible_to(user) -> QuerySet[Evidence]:
    """The evidence the user reads, the one rule of the library: evidence is not patient data,
    so staff anywhere in an item's organisation (its root unit: a ward reads the board's
    library) read it; others (partners, colleagues of another organisation) read the items
    cited by work they are given a role on."""
    if not user.is_authenticated or not user.is_active:
        return Evidence.objects.none()
    paths = access.unit_paths_with_role(user, roles.VIEWERS)
    if paths is None:
        return Evidence.objects.all()
    condition = Q(pk__in=[])
    for root in sorted(_root_paths(paths)):
        condition |= Q(unit__path__startswith=root)
    granted = _granted_link_condition(user)
    cited = EvidenceLink.objects.filter(granted).values("evidence_id")
    return Evidence.objects.filter(condition | Q(pk__in=cited))


def may_edit_evidence(user, evidence: Evidence) -> bool:
    """Whether the user adds to, changes and retires the item: an evidence editor of its
    unit (or a unit above it)."""
    return access.can(user, evidence, roles.EVIDENCE_EDITORS)


def evidence_editor_units(user) -> list:
    """The units the user adds evidence to, top first."""
    return list(access.units_with_role(user, roles.EVIDENCE_EDITORS).order_by("path")[:500])


def may_cite(user, record) -> bool:
    """Whether the user links evidence to the record and unlinks it: whoever may change the
    record, by its area's rule."""
    kind = citable_kind_of(record)
    return kind.accepts(record) and bool(kind.may_change(user, record))


# The library ---------------------------------------------------------------------------------


def evidence_library(
    user,
    *,
    text: str = "",
    kind: str = "",
    certainty: str = "",
    retired: bool = False,
    page: int | str = 1,
) -> Page:
    """A page of the library the user reads, by title, each item with `use_count`; searched in
    title, source and summary, filtered by kind and certainty; retired items only when asked."""
    items = evidence_visible_to(user).select_related("unit")
    if not retired:
        items = items.filter(is_active=True)
    if kind:
        items = items.filter(kind=kind)
    if certainty:
        items = items.filter(certainty=certainty)
    if text:
        items = items.filter(
            Q(title__icontains=text) | Q(source__icontains=text) | Q(summary__icontains=text)
        )
    items = items.annotate(use_count=Count("links")).order_by("title", "pk")
    return Paginator(items, PAGE_SIZE).get_page(page)


def certainty_counts(user) -> list[tuple[str, str, int]]:
    """(certainty, its label, how many active items the user reads), strongest first."""
    counts = dict(
        evidence_visible_to(user)
        .filter(is_active=True)
        .values_list("certainty")
        .annotate(n=Count("pk"))
        .values_list("certainty", "n")
    )
    return [(value, label, counts.get(value, 0)) for value, label in Certainty.choices]


def evidence_recent(user, limit: int = 5) -> list[Evidence]:
    """The items most recently added that the user reads."""
    return list(
        evidence_visible_to(user)
        .filter(is_active=True)
        .select_related("unit")
        .order_by("-added_at", "-pk")[:limit]
    )


# What a record cites -------------------------------------------------------------------------


def evidence_for(record) -> list[EvidenceLink]:
    """The links of the evidence the record cites, the strongest evidence first (one query)."""
    content_type = ContentType.objects.get_for_model(record, for_concrete_model=True)
    return list(
        EvidenceLink.objects.filter(content_type=content_type, object_id=record.pk)
        .select_related("evidence", "linked_by")
        .annotate(rank=_certainty_order("evidence__certainty"))
        .order_by("rank", "evidence__title", "pk")
    )


def cited_counts(records: Iterable) -> dict[int, int]:
    """How many items each record (all of one model) cites, by its id; records citing none are
    left out (one query, for a list page)."""
    records = list(records)
    if not records:
        return {}
    content_type = ContentType.objects.get_for_model(records[0], for_concrete_model=True)
    return dict(
        EvidenceLink.objects.filter(
            content_type=content_type, object_id__in=[r.pk for r in records]
        )
        .values_list("object_id")
        .annotate(n=Count("pk"))
        .values_list("object_id", "n")
    )


def citable_evidence(user, record, *, text: str = "") -> tuple[list[Evidence], int]:
    """The active items the user reads that the record does not cite yet, matching `text`,
    strongest first: the first CITE_CHOICES of them, and how many match in all."""
    content_type = ContentType.objects.get_for_model(record, for_concrete_model=True)
    cited = EvidenceLink.objects.filter(content_type=content_type, object_id=record.pk).values(
        "evidence_id"
    )
    items = evidence_visible_to(user).filter(is_active=True).exclude(pk__in=cited)
    if text:
        items = items.filter(
            Q(title__icontains=text) | Q(source__icontains=text) | Q(summary__icontains=text)
        )
    items = items.annotate(rank=_certainty_order()).order_by("rank", "title", "pk")
    chosen = list(items[: CITE_CHOICES + 1])
    total = len(chosen) if len(chosen) <= CITE_CHOICES else items.count()
    return chosen[:CITE_CHOICES], total


# Where an item is used -----------------------------------------------------------------------


@dataclass
class Use:
    kind: str
    title: str
    url: str
    unit: str
    note: str
    link: EvidenceLink
    can_unlink: bool


@dataclass
class Uses:
    """The records citing an item that the reader sees, and how many others cite it."""

    shown: list[Use]
    hidden: int

    @property
    def total(self) -> int:
        return len(self.shown) + self.hidden


def _loaded(kind: CitableKind, ids: list[int]) -> dict[int, object]:
    model = kind.model_class
    if model is None:
        return {}
    rows = model._default_manager.filter(pk__in=ids)
    if kind.related:
        rows = rows.select_related(*kind.related)
    return {row.pk: row for row in rows}


def _url_of(record) -> str:
    """The record's page; blank when it has none (yet)."""
    try:
        return record.get_absolute_url()
    except (AttributeError, NoReverseMatch):
        return ""


def uses_of(evidence: Evidence, user) -> Uses:
    """Every record citing the item, as links to those the user may read (each kind's own
    rule); the others are only counted, never named. One query for the links and one for each
    kind of record cited."""
    links = list(EvidenceLink.objects.filter(evidence=evidence).order_by("linked_at", "pk"))
    by_type: dict[int, list[EvidenceLink]] = defaultdict(list)
    for link in links:
        by_type[link.content_type_id].append(link)
    shown: list[Use] = []
    hidden = 0
    for content_type_id, group in by_type.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None:  # a model since removed from the code
            continue
        kind = citable_kind_of(model)
        records = _loaded(kind, [link.object_id for link in group])
        for link in group:
            record = records.get(link.object_id)
            if record is None:  # the record was removed; its link no longer cites anything
                continue
            if not kind.may_read(user, record):
                hidden += 1
                continue
            shown.append(
                Use(
                    kind=kind.label,
                    title=str(record),
                    url=_url_of(record),
                    unit=access.unit_of(record).name,
                    note=link.note,
                    link=link,
                    can_unlink=may_cite(user, record),
                )
            )
    shown.sort(key=lambda use: (use.kind, use.title.lower()))
    return Uses(shown=shown, hidden=hidden)
