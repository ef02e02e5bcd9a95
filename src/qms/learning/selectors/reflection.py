"""Reads of reflective practice: personal reflections and team learning reviews.

A reflection has no unit: it is its author's. Who else reads it is decided here and only here
(`reflection_readable`, `shared_reflections`), from what the author chose: nobody (private, the
default), the staff of a unit where the author holds a staff role, or the members of a learning
network the author belongs to. A system administrator is no exception: the role that runs the
installation reads no one's private writing, and a shared one only where they are staff or a
member themselves.

A learning review lives in its unit (its staff read it) and may be shared with a network, whose
members then read it too."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from qms.learning import roles
from qms.learning.models import LearningReview, Network, NetworkStatus, Reflection
from qms.learning.models import ReflectionSharing as Sharing
from qms.people import access
from qms.people.models import ObjectGrant, Unit
from qms.people.roles import ALL_ROLES, STAFF_ROLES, Role

__all__ = [
    "REFLECTION_SUBJECTS",
    "REVIEW_SUBJECTS",
    "SHARING_STAFF_ROLES",
    "RecordLearning",
    "home_reflection",
    "learning_about",
    "member_networks",
    "network_reflections",
    "network_reviews",
    "my_reflections",
    "reflection_or_404",
    "reflection_readable",
    "review_or_404",
    "review_readable",
    "reviews_of_unit",
    "shared_reflections",
    "sharing_units",
    "subject_from_reference",
    "subject_reference",
    "subject_visible",
]

# The records a reflection or a review may be about, by their label ("app.model").
REFLECTION_SUBJECTS = (
    "control.signal",
    "issues.issue",
    "improvement.project",
    "improvement.pdsacycle",
)
REVIEW_SUBJECTS = (
    "improvement.project",
    "control.signal",
    "escalation.escalation",
    "issues.issue",
)
# Staff roles held for real: the system administrator role reaches every unit of the
# installation, which is not the same as being one of a unit's staff.
SHARING_STAFF_ROLES = STAFF_ROLES - {Role.SYSTEM_ADMINISTRATOR}

HOME_ROWS = 5


# Networks and units to share with ----------------------------------------------------------


def sharing_units(user) -> QuerySet[Unit]:
    """The units whose staff the user may share a reflection with: where they hold a staff role
    themselves (directly; not every unit below, which would be a whole organisation for a
    quality lead of a division)."""
    if not user.is_authenticated:
        return Unit.objects.none()
    return (
        Unit.objects.filter(memberships__person=user, memberships__role__in=SHARING_STAFF_ROLES)
        .distinct()
        .order_by("path")
    )


def member_networks(user, *, active_only: bool = True) -> QuerySet[Network]:
    """The networks the user belongs to, as learning networks decide it
    (`selectors.networks`): given a role on the network, staff of its host unit (or above) or of
    a unit that takes part in it. A system administrator belongs to none by that role alone.
    `active_only`: the ones that may be shared with now (a closed network keeps what it was
    given, for its members to read)."""
    if not user.is_authenticated:
        return Network.objects.none()
    network_type = ContentType.objects.get_for_model(Network)
    granted = ObjectGrant.objects.filter(person=user, content_type=network_type)
    condition = Q(pk__in=granted.values("object_id"))
    for path in access.unit_paths_with_role(user, SHARING_STAFF_ROLES) or []:
        condition |= Q(unit__path__startswith=path) | Q(teams__unit__path__startswith=path)
    networks = Network.objects.filter(pk__in=Network.objects.filter(condition).values("pk"))
    if active_only:
        networks = networks.filter(status=NetworkStatus.ACTIVE)
    return networks.order_by("name", "pk")


def _is_network_member(user, network: Network | None) -> bool:
    if network is None:
        return False
    return member_networks(user, active_only=False).filter(pk=network.pk).exists()


# Reflections -------------------------------------------------------------------------------


def _reflections() -> QuerySet[Reflection]:
    return Reflection.objects.select_related(
        "author", "shared_unit", "shared_network", "subject_type"
    )


def reflection_readable(user, reflection: Reflection) -> bool:
    """Whether the user may read the reflection: its author always; others only when it is
    shared with a unit where they hold a staff role (or above it) or a network they belong to."""
    if not user.is_authenticated or not user.is_active:
        return False
    if reflection.author_id == user.pk:
        return True
    if reflection.sharing == Sharing.UNIT and reflection.shared_unit is not None:
        return bool(access.roles_in(user, reflection.shared_unit) & SHARING_STAFF_ROLES)
    if reflection.sharing == Sharing.NETWORK:
        return _is_network_member(user, reflection.shared_network)
    return False


def reflection_or_404(user, pk, *, author_only: bool = False) -> Reflection:
    """The reflection if the user may read it (or, with `author_only`, wrote it): 404 in every
    other case, so a private reflection's existence is never disclosed."""
    try:
        reflection = _reflections().get(pk=pk)
    except (Reflection.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("Not found") from None
    if author_only and reflection.author_id != user.pk:
        raise Http404("Not found")
    if not reflection_readable(user, reflection):
        raise Http404("Not found")
    return reflection


def my_reflections(user) -> QuerySet[Reflection]:
    """The user's own reflections, newest first."""
    return _reflections().filter(author=user)


def _shared_condition(user, *, unit: Unit | None = None) -> Q:
    paths = access.unit_paths_with_role(user, SHARING_STAFF_ROLES) or []
    if unit is not None:
        # On a unit's page: shared with that unit or a unit below it, if the user reads there.
        paths = [unit.path] if any(unit.path.startswith(p) for p in paths) else []
    by_unit = Q(pk__in=[])
    for path in paths:
        by_unit |= Q(shared_unit__path__startswith=path)
    if unit is not None:
        return Q(sharing=Sharing.UNIT) & by_unit
    networks = member_networks(user, active_only=False).values("pk")
    return (Q(sharing=Sharing.UNIT) & by_unit) | Q(
        sharing=Sharing.NETWORK, shared_network__in=networks
    )


def shared_reflections(user, *, unit: Unit | None = None) -> QuerySet[Reflection]:
    """Reflections others shared with the user (their units' staff, their networks), newest
    first; with `unit`, those shared with that unit (or below it). Never a private one."""
    if not user.is_authenticated:
        return Reflection.objects.none()
    return _reflections().filter(_shared_condition(user, unit=unit)).exclude(author=user)


# Learning reviews -----------------------------------------------------------------------------


def _reviews() -> QuerySet[LearningReview]:
    return LearningReview.objects.select_related(
        "unit", "shared_network", "subject_type", "created_by"
    )


def review_readable(user, review: LearningReview) -> bool:
    """The unit's staff (or above) read a review; members of the network it is shared with
    too (partners among them)."""
    if access.can(user, review, roles.VIEWERS):
        return True
    return _is_network_member(user, review.shared_network)


def review_or_404(user, pk, group=None) -> LearningReview:
    """The review if the user may read it; with `group`, only if they hold one of those roles
    on its unit (403 when they read it without one). 404 when they may not read it."""
    try:
        review = _reviews().get(pk=pk)
    except (LearningReview.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("Not found") from None
    if not review_readable(user, review):
        raise Http404("Not found")
    if group is not None and not access.can(user, review, group):
        raise PermissionDenied("Your role here does not allow this.")
    return review


def reviews_of_unit(user, unit: Unit) -> QuerySet[LearningReview]:
    """The reviews of the unit and the units below it, newest first (the user reads the unit)."""
    return access.in_subtree(_reviews(), unit)


def _visible_reviews(user) -> QuerySet[LearningReview]:
    in_units = access.visible(user, LearningReview.objects.all(), roles.VIEWERS)
    mine = member_networks(user, active_only=False).values("pk")
    shared = LearningReview.objects.filter(shared_network__in=mine)
    return _reviews().filter(Q(pk__in=in_units.values("pk")) | Q(pk__in=shared.values("pk")))


def network_reflections(network: Network) -> QuerySet[Reflection]:
    """Reflections shared with the network (for its members' page), newest first."""
    return _reflections().filter(sharing=Sharing.NETWORK, shared_network=network)


def network_reviews(network: Network) -> QuerySet[LearningReview]:
    """Learning reviews shared with the network, newest first."""
    return _reviews().filter(shared_network=network)


# Subjects --------------------------------------------------------------------------------------


def subject_reference(record: Model) -> str:
    """How a page names a record in an address: "control.signal:12"."""
    return f"{record._meta.label_lower}:{record.pk}"


def subject_visible(user, record: Model) -> bool:
    """Whether the user may see the record a reflection or review is about: staff of its unit,
    or a role given on it (a partner on a project's team). An escalation: staff of the unit
    that escalated or of the one it went to."""
    if record._meta.label_lower == "escalation.escalation":
        units = (record.from_unit, record.to_unit)
        return any(access.roles_in(user, unit) & STAFF_ROLES for unit in units)
    try:
        access.require(user, record, STAFF_ROLES, granted=ALL_ROLES)
    except Exception:  # Http404 or PermissionDenied: either way, not for this person
        return False
    return True


def subject_from_reference(user, reference: str, allowed: tuple[str, ...]) -> Model:
    """The record named by "app.model:pk" among `allowed`, if the user may see it; 404 in every
    other case (an unknown kind, no such record, one they cannot see)."""
    label, _, pk = (reference or "").partition(":")
    if label.lower() not in allowed:
        raise Http404("No such record")
    model = apps.get_model(label)
    try:
        record = model._default_manager.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("No such record") from None
    if not subject_visible(user, record):
        raise Http404("No such record")
    return record


@dataclass(frozen=True)
class RecordLearning:
    """What a record's page shows of reflective practice: the person's own reflections on it
    (never anyone else's), the learning reviews of it they may read, and the links to start
    either."""

    reference: str
    can_reflect: bool
    can_review: bool
    review_units: list[Unit]
    reflections: list[Reflection]
    reviews: list[LearningReview]


def learning_about(user, record: Model) -> RecordLearning:
    """Reflective practice on a record's page, in three queries whatever the numbers: the user's
    own reflections about it, and the reviews about it (or about its escalations) they read."""
    content_type = ContentType.objects.get_for_model(record, for_concrete_model=True)
    label = record._meta.label_lower
    own = []
    if user.is_authenticated:
        own = list(
            Reflection.objects.filter(
                author=user, subject_type=content_type, subject_id=record.pk
            ).only("pk", "title", "happened_on", "sharing")[:20]
        )
    about = Q(subject_type=content_type, subject_id=record.pk)
    escalation_type = ContentType.objects.get_by_natural_key("escalation", "escalation")
    escalations = apps.get_model("escalation", "Escalation").objects.filter(
        content_type=content_type, object_id=record.pk
    )
    about |= Q(subject_type=escalation_type, subject_id__in=escalations.values("pk"))
    reviews = list(_visible_reviews(user).filter(about)[:20]) if user.is_authenticated else []
    unit = None
    if label in REVIEW_SUBJECTS and label != "escalation.escalation":
        unit = access.unit_of(record)
    review_units = []
    if unit is not None and label in REVIEW_SUBJECTS and access.can(user, unit, roles.REVIEWERS):
        review_units = [unit]
    return RecordLearning(
        reference=subject_reference(record),
        can_reflect=label in REFLECTION_SUBJECTS and user.is_authenticated,
        can_review=bool(review_units),
        review_units=review_units,
        reflections=own,
        reviews=reviews,
    )


# Home --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HomeReflection:
    mine: list[Reflection]
    mine_count: int
    reviews: list[LearningReview]
    shared: list[Reflection]


def home_reflection(user) -> HomeReflection:
    """The Learn home's section: the person's recent reflections, recent reviews they read,
    recent reflections shared with them (a fixed number of queries)."""
    mine = my_reflections(user)
    return HomeReflection(
        mine=list(mine[:HOME_ROWS]),
        mine_count=mine.count(),
        reviews=list(_visible_reviews(user)[:HOME_ROWS]),
        shared=list(shared_reflections(user)[:HOME_ROWS]),
    )
