"""Reads of partners: what a partner is part of, in plain words (“the group working on …”); what
is coming up for them; whether a person is a partner (no staff role anywhere: they get the
partner's home); and, for organisers, the partners of their units with the work they are on
and whether they have set a password. Each read makes a bounded number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from qms.codesign import roles
from qms.codesign.models import PartnerInvitation, PartnerProfile
from qms.learning.selectors import networks as network_selectors
from qms.people import access
from qms.people.models import Membership, ObjectGrant, Person, Unit
from qms.people.roles import STAFF_ROLES, Role

# The work partners are invited onto, by model: how a partner's page names it (“the group
# working on Fewer falls, Ward 7”) and how an organiser's choice names its kind.
WORK_KINDS = {
    ("improvement", "project"): ("The group working on", "Improvement projects"),
    ("planning", "priority"): ("Planning the priority", "Priorities being planned"),
    ("learning", "network"): ("The learning network", "Learning networks"),
    ("control", "measure"): ("Reviewing the measure", "Measures to review"),
}
OTHER_WORK = "Taking part in"
# Work whose own page is for staff only, even when a partner is given a role on it: quality
# control's measure page (its signals, issues and data entry are staff's). The partner's page
# names it without a link, and says how they take part.
STAFF_PAGES = {("control", "measure"): "The team shares its chart with you at review meetings."}
# Choices offered per kind on the invitation page; the newest first.
CHOICES_PER_KIND = 100
# Partners listed on the organiser's page.
LISTED_AT_MOST = 300


def is_partner(user) -> bool:
    """A partner: signed in, and no staff role anywhere (a system administrator is staff)."""
    if not user.is_authenticated:
        return False
    if access.is_system_administrator(user):
        return False
    return not access.units_with_role(user, STAFF_ROLES).exists()


@dataclass(frozen=True)
class WorkItem:
    words: str  # “The group working on”
    name: str
    unit: str
    url: str  # empty when the page is not for partners
    note: str = ""


def records_of(pairs: list[tuple[int, int]]) -> dict[tuple[int, int], object]:
    """The records named by (content type id, object id), with their units: one query per kind."""
    by_type: dict[int, list[int]] = defaultdict(list)
    for content_type_id, object_id in pairs:
        by_type[content_type_id].append(object_id)
    found: dict[tuple[int, int], object] = {}
    for content_type_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None:
            continue
        queryset = model._default_manager.filter(pk__in=ids)
        if any(f.name == "unit" and f.is_relation for f in model._meta.get_fields()):
            queryset = queryset.select_related("unit")
        for record in queryset:
            found[(content_type_id, record.pk)] = record
    return found


def _words(record) -> str:
    meta = record._meta.concrete_model._meta
    return WORK_KINDS.get((meta.app_label, meta.model_name), (OTHER_WORK, ""))[0]


def partner_work(user) -> list[WorkItem]:
    """What the person takes part in as a partner: each record they were given a role on, and
    each unit they are a partner of (its “you said, we did” board)."""
    grants = list(
        ObjectGrant.objects.filter(person=user).values_list("content_type_id", "object_id")
    )
    records = records_of(grants)
    items = []
    for record in records.values():
        meta = record._meta.concrete_model._meta
        note = STAFF_PAGES.get((meta.app_label, meta.model_name), "")
        staff_only = note and not access.can(user, record, STAFF_ROLES)
        url = "" if staff_only else record.get_absolute_url()
        items.append(WorkItem(_words(record), str(record), str(access.unit_of(record)), url, note))
    for unit in Unit.objects.filter(memberships__person=user).distinct().order_by("name"):
        items.append(
            WorkItem(
                "The partners of",
                unit.name,
                unit.name,
                reverse("codesign:yousaid-board", args=[unit.pk]),
            )  # fmt: skip
        )
    return sorted(items, key=lambda item: (item.words, item.name))


def coming_up(user) -> list:
    """The network events of the coming weeks for the person (learning's own reading)."""
    found = network_selectors.home_networks(user)
    return found.upcoming if found is not None else []


def profile_of(user) -> PartnerProfile | None:
    return (
        PartnerProfile.objects.filter(person=user).select_related("unit", "invited_by").first()
        if user.is_authenticated
        else None
    )


# For organisers --------------------------------------------------------------------------------


def organised_units(user) -> list[Unit]:
    """The units where the user organises partners (and the units below them), by place in the
    tree."""
    return list(access.units_with_role(user, roles.ORGANISERS).order_by("path"))


@dataclass
class PartnerRow:
    person: Person
    profile: PartnerProfile | None
    units: list[str] = field(default_factory=list)
    work: list[WorkItem] = field(default_factory=list)

    @property
    def has_password(self) -> bool:
        return self.person.has_usable_password()


@dataclass(frozen=True)
class PartnersPage:
    rows: list[PartnerRow]
    more: bool


def partners_of(user) -> PartnersPage:
    """The partners of the units the user organises: partners of the unit, those its organisers
    invited, and those on a piece of its work; with their work there (only work in the user's
    units is named). A fixed number of queries, whatever the number of partners."""
    memberships = access.in_units_with_role(
        user,
        Membership.objects.filter(role=Role.PARTNER).select_related("unit"),
        roles.ORGANISERS,
    )
    profiles = access.in_units_with_role(user, PartnerProfile.objects.all(), roles.ORGANISERS)
    invited = access.in_units_with_role(user, PartnerInvitation.objects.all(), roles.ORGANISERS)
    person_ids = (
        set(memberships.values_list("person_id", flat=True)[: LISTED_AT_MOST + 1])
        | set(profiles.values_list("person_id", flat=True)[: LISTED_AT_MOST + 1])
        | set(invited.values_list("profile__person_id", flat=True)[: LISTED_AT_MOST + 1])
    )
    people = list(
        Person.objects.filter(pk__in=person_ids, is_active=True)
        .exclude(memberships__role__in=STAFF_ROLES)
        .select_related("partner_profile", "partner_profile__unit")
        .order_by("display_name", "pk")[: LISTED_AT_MOST + 1]
    )
    more = len(people) > LISTED_AT_MOST
    people = people[:LISTED_AT_MOST]
    rows = {
        person.pk: PartnerRow(person, getattr(person, "partner_profile", None)) for person in people
    }
    for membership in memberships.filter(person_id__in=rows):
        rows[membership.person_id].units.append(membership.unit.name)
    paths = access.unit_paths_with_role(user, roles.ORGANISERS)
    grants = list(
        ObjectGrant.objects.filter(person_id__in=rows).values_list(
            "person_id", "content_type_id", "object_id"
        )
    )
    records = records_of([(ct, oid) for _, ct, oid in grants])
    for person_id, content_type_id, object_id in grants:
        record = records.get((content_type_id, object_id))
        if record is None:
            continue
        unit = access.unit_of(record)
        if paths is not None and not any(unit.path.startswith(path) for path in paths):
            continue  # work elsewhere is not this organiser's to see
        rows[person_id].work.append(
            WorkItem(_words(record), str(record), unit.name, record.get_absolute_url())
        )
    return PartnersPage(list(rows.values()), more)


@dataclass(frozen=True)
class InviteChoice:
    value: str  # "app.model:pk", or "" for the whole unit
    label: str


def invite_choices(unit: Unit) -> list[tuple[str, list[InviteChoice]]]:
    """Where a partner may be invited in `unit`: the unit itself, or one piece of its work (or
    of a unit below), grouped by kind, the newest first. One query per kind."""
    groups = [("The whole unit", [InviteChoice("", f"{unit.name}: a partner of the unit")])]
    for (app_label, model_name), (_words, heading) in WORK_KINDS.items():
        model = apps.get_model(app_label, model_name)
        rows = (
            model._default_manager.filter(unit__path__startswith=unit.path)
            .select_related("unit")
            .order_by("-pk")[:CHOICES_PER_KIND]
        )
        options = [
            InviteChoice(f"{app_label}.{model_name}:{row.pk}", f"{str(row)[:100]} ({row.unit})")
            for row in rows
        ]
        if options:
            groups.append((heading, options))
    return groups


def invite_target(unit: Unit, value: str):
    """The record named "app.model:pk" among the unit's work; None for the whole unit; raises
    LookupError for anything else (another unit's work, a kind partners are not invited to)."""
    if not value:
        return None
    try:
        label, pk = value.split(":", 1)
        app_label, model_name = label.split(".", 1)
        number = int(pk)
    except ValueError:
        raise LookupError(value) from None
    if (app_label, model_name) not in WORK_KINDS:
        raise LookupError(value)
    model = apps.get_model(app_label, model_name)
    record = (
        model._default_manager.filter(pk=number, unit__path__startswith=unit.path)
        .select_related("unit")
        .first()
    )
    if record is None:
        raise LookupError(value)
    return record
