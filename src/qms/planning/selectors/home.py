"""Quality planning on the person's home page: the priorities and needs assessments they own
or were given a role on. A partner has no role in the unit to find them by, so home is their
way in."""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from qms.people.models import ObjectGrant
from qms.planning.models import Priority, PriorityStatus
from qms.planning.selectors.needs import assessments_given

__all__ = ["HomePlanning", "home_planning"]

HOME_LIMIT = 8


@dataclass(frozen=True)
class HomePlanning:
    priorities: list[Priority]
    more_priorities: bool
    assessments: list


def _your_priorities(user) -> list[Priority]:
    given = ObjectGrant.objects.filter(
        person_id=user.pk, content_type=ContentType.objects.get_for_model(Priority)
    ).values("object_id")
    return list(
        Priority.objects.filter(Q(owner_id=user.pk) | Q(pk__in=given))
        .filter(
            status__in=[PriorityStatus.CANDIDATE, PriorityStatus.APPROVED], project__isnull=True
        )
        .select_related("unit")
        .order_by("-created_at", "-pk")[: HOME_LIMIT + 1]
    )


def home_planning(user) -> HomePlanning | None:
    """The person's open priorities (owned, or given a role on) not yet projects, and the needs
    assessments given to them; None (no card) when there are none."""
    if not user.is_authenticated:
        return None
    priorities = _your_priorities(user)
    assessments = assessments_given(user)
    if not priorities and not assessments:
        return None
    return HomePlanning(
        priorities=priorities[:HOME_LIMIT],
        more_priorities=len(priorities) > HOME_LIMIT,
        assessments=assessments,
    )
