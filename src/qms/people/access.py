"""Who may see and do what, in one place. Every view, API call, service and command asks here.

A role held in a unit applies to that unit and everything below it. A grant (`ObjectGrant`) gives
a role on one record only (and on the records that name it as their `access_parent`). A unit or
record the user cannot see answers 404 (its existence is not disclosed); one they can see without
the role needed answers 403.

Any record works with the generic helpers (`roles_on`, `object_or_404`, `authorise`, `visible`)
when it says where it lives: a `unit` foreign key, or an `access_unit` property; and, optionally,
an `access_parent` property naming the record whose grants it shares.
"""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from qms.people.models import Membership, ObjectGrant, Person, Unit
from qms.people.roles import ALL_ROLES, MEMBERSHIP_MANAGERS, STAFF_ROLES, Role

_CACHE_ATTR = "_qms_memberships"
_GRANTS_ATTR = "_qms_grants"
# An API key's account acts with the key's role in the key's unit and nothing else (keys.py).
_KEY_SCOPE_ATTR = "_qms_api_key_scope"


def is_system_administrator(user) -> bool:
    """System administrators run the installation: every unit, the Django admin."""
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def scope_to_key(person: Person, unit: Unit, role: str) -> None:
    """Let the account of an API key hold `role` in `unit` (and below) for this request: the
    whole of what the key may do, with no membership row (so it is never counted as staff)."""
    setattr(person, _KEY_SCOPE_ATTR, [(unit.path, role)])


def _memberships(user) -> list[tuple[str, str]]:
    """(unit path, role) for each membership, read once per request and kept on the user."""
    if not user.is_authenticated or not user.is_active:
        return []
    scope = getattr(user, _KEY_SCOPE_ATTR, None)
    if scope is not None:
        return scope
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(Membership.objects.filter(person=user).values_list("unit__path", "role"))
        setattr(user, _CACHE_ATTR, cached)
    return cached


def _grants(user) -> list[tuple[int, int, str]]:
    """(content type id, object id, role) for each grant, read once per request."""
    if not user.is_authenticated or not user.is_active or hasattr(user, _KEY_SCOPE_ATTR):
        return []
    cached = getattr(user, _GRANTS_ATTR, None)
    if cached is None:
        cached = list(
            ObjectGrant.objects.filter(person=user).values_list(
                "content_type_id", "object_id", "role"
            )
        )
        setattr(user, _GRANTS_ATTR, cached)
    return cached


def forget_memberships(user) -> None:
    """Drop the per-request cache after the user's own memberships or grants change."""
    for attr in (_CACHE_ATTR, _GRANTS_ATTR):
        if hasattr(user, attr):
            delattr(user, attr)


def units_visible_to(user) -> QuerySet[Unit]:
    """Every unit the user holds any role in, and all units below those."""
    return units_with_role(user, ALL_ROLES)


def roles_in(user, unit: Unit) -> frozenset[str]:
    """The roles the user holds in this unit, directly or through a unit above it."""
    roles = {role for path, role in _memberships(user) if unit.path.startswith(path)}
    if is_system_administrator(user):
        roles.add(Role.SYSTEM_ADMINISTRATOR)
    return frozenset(roles)


def can_see_unit(user, unit: Unit) -> bool:
    return bool(roles_in(user, unit))


def can_see_people_of(user, unit: Unit) -> bool:
    return bool(roles_in(user, unit) & STAFF_ROLES)


def can_manage_memberships(user, unit: Unit) -> bool:
    return bool(roles_in(user, unit) & MEMBERSHIP_MANAGERS)


def can_grant(user, unit: Unit, role: str) -> bool:
    """Leads grant any role in their units except system administrator, which only
    system administrators grant."""
    if role == Role.SYSTEM_ADMINISTRATOR:
        return is_system_administrator(user)
    return can_manage_memberships(user, unit)


def can_create_unit(user, parent: Unit | None) -> bool:
    """Leads shape the tree below them (a new team under their ward); a new root (a whole
    organisation) is for system administrators."""
    if parent is None:
        return is_system_administrator(user)
    return can_manage_memberships(user, parent)


def can_change_unit(user, unit: Unit) -> bool:
    return can_manage_memberships(user, unit)


def can_manage_accounts(user) -> bool:
    """Accounts (names, log-ins, whether active) are made and changed by system administrators;
    leads give existing people roles."""
    return is_system_administrator(user)


def _membership_paths(person: Person) -> list[tuple[str, str]]:
    """(unit path, role) of the person's memberships, from a prefetch when there is one."""
    prefetched = getattr(person, "_prefetched_objects_cache", {}).get("memberships")
    if prefetched is not None:
        return [(m.unit.path, m.role) for m in prefetched]
    return list(person.memberships.values_list("unit__path", "role"))


def can_see_person(user, person: Person) -> bool:
    """Yourself; a staff member's page to staff anywhere along their branch of the tree (their
    teams' colleagues and the leads and coaches above them); a partner role only to those who
    manage the partner's unit, because partners' details are not a staff directory."""
    if not user.is_authenticated:
        return False
    if user.pk == person.pk or is_system_administrator(user):
        return True
    mine = _memberships(user)
    for path, role in _membership_paths(person):
        if role == Role.PARTNER:
            seen = any(r in MEMBERSHIP_MANAGERS and path.startswith(p) for p, r in mine)
        else:
            seen = any(
                r in STAFF_ROLES and (path.startswith(p) or p.startswith(path)) for p, r in mine
            )
        if seen:
            return True
    return False


def unit_paths_with_role(user, roles: Iterable[str]) -> list[str] | None:
    """The paths of the units where the user holds one of `roles` (their role reaches every
    unit below each path); None when the user reaches every unit: a system administrator, if
    that role is among `roles`."""
    roles = frozenset(roles)
    if Role.SYSTEM_ADMINISTRATOR in roles and is_system_administrator(user):
        return None
    return sorted({path for path, role in _memberships(user) if role in roles})


def units_with_role(user, roles: Iterable[str]) -> QuerySet[Unit]:
    """Every unit where the user holds one of `roles`, directly or from a unit above."""
    return in_units_with_role(user, Unit.objects.all(), roles, unit_field=None)


# Any record ------------------------------------------------------------------------------------

# Roles given on one record: any but system administration, which is held in units only.
GRANTABLE_ROLES = ALL_ROLES - {Role.SYSTEM_ADMINISTRATOR}


def accepts_grants(record_or_model) -> bool:
    """Whether roles may be given on records of this model: those that declare
    `accepts_grants = True` (a project, a measure), not every row that has a unit."""
    return getattr(record_or_model, "accepts_grants", False) is True


def unit_of(record) -> Unit:
    """The unit a record lives in: the record itself if it is a unit, its `access_unit` when it
    declares one, otherwise its `unit`."""
    if isinstance(record, Unit):
        return record
    declared = getattr(type(record), "access_unit", None)
    return record.access_unit if declared is not None else record.unit


def granted_roles(user, record) -> frozenset[str]:
    """The roles granted to the user on this record or on a record above it (`access_parent`)."""
    grants = _grants(user)
    roles: set[str] = set()
    seen = 0
    while grants and record is not None and seen < 10:  # a parent chain is short; never a loop
        content_type = ContentType.objects.get_for_model(record, for_concrete_model=True)
        roles |= {r for ct, oid, r in grants if ct == content_type.pk and oid == record.pk}
        record, seen = getattr(record, "access_parent", None), seen + 1
    return frozenset(roles)


def roles_on(user, record) -> frozenset[str]:
    """The roles the user holds on a record: through its unit (or a unit above) and through
    grants on the record or its parents. For a unit, its roles there (`roles_in`)."""
    if isinstance(record, Unit):
        return roles_in(user, record)
    return roles_in(user, unit_of(record)) | granted_roles(user, record)


def can(user, record, roles: Iterable[str]) -> bool:
    """Whether the user holds one of `roles` on the record (or unit): for showing a form or a
    button; views and services decide with `require`, `object_or_404` and `authorise`."""
    return bool(roles_on(user, record) & frozenset(roles))


def require(
    user, record, roles: Iterable[str] = ALL_ROLES, *, granted: Iterable[str] = ()
) -> frozenset[str]:
    """The user's roles on the record (or unit), if one of them is among `roles`: Http404 when
    the user holds no role there at all, PermissionDenied when they lack the ones asked for.

    `granted` names roles that count only when given on the record itself (or a parent record):
    a patient partner added to one issue sees that issue, while a partner of the unit does not
    see every issue of the unit."""
    held = roles_on(user, record)
    if not held:
        raise Http404("Not found")
    allowed = held & frozenset(roles)
    if not allowed and granted and not isinstance(record, Unit):
        allowed = granted_roles(user, record) & frozenset(granted)
    if not allowed:
        raise PermissionDenied("Your role here does not allow this.")
    return held


def object_or_404(user, source, pk, roles: Iterable[str] = ALL_ROLES, *, granted=()):
    """The record with this primary key from a model or queryset, if the user may see it with
    one of `roles` (or one of `granted` given on the record, see `require`): 404 when it does
    not exist or the user holds no role on it (the two look the same), 403 when they see it
    without the role needed. Pass a queryset to choose what is loaded with it
    (`select_related`)."""
    queryset = source._default_manager.all() if isinstance(source, type) else source
    try:
        record = queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("Not found") from None
    require(user, record, roles, granted=granted)
    return record


def authorise(by, record, roles: Iterable[str], action: str) -> None:
    """For services: `by` must hold one of `roles` on the record (or unit), or PermissionDenied
    naming the action. `by=None` is the system itself (see DEVELOPERS.md) and is not checked."""
    if by is not None and not can(by, record, roles):
        raise PermissionDenied(f"Your role does not allow you to {action} in {unit_of(record)}.")


def _path_condition(paths: Iterable[str], unit_field: str | None) -> Q:
    lookup = f"{unit_field}__path__startswith" if unit_field else "path__startswith"
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{lookup: path})
    return condition


def in_units_with_role(
    user, queryset: QuerySet, roles: Iterable[str], *, unit_field: str | None = "unit"
) -> QuerySet:
    """The rows of `queryset` in the units where the user holds one of `roles` (or below them),
    grants left aside: for work done unit by unit, such as uploads. `unit_field=None` when the
    rows are units themselves."""
    paths = unit_paths_with_role(user, roles)
    if paths is None:
        return queryset
    return queryset.filter(_path_condition(paths, unit_field))


def visible(user, queryset: QuerySet, roles: Iterable[str] = ALL_ROLES, *, unit_field="unit"):
    """The rows of `queryset` the user holds one of `roles` on: those in units where they hold
    it (or below), and those granted to them with it. Rows reached only through a grant on
    their `access_parent` are not found here: list them from the parent (a project's cycles
    from the project). `unit_field=None` when the rows are units themselves."""
    roles = frozenset(roles)
    paths = unit_paths_with_role(user, roles)
    if paths is None:
        return queryset
    content_type = ContentType.objects.get_for_model(queryset.model, for_concrete_model=True)
    granted = [oid for ct, oid, r in _grants(user) if ct == content_type.pk and r in roles]
    return queryset.filter(_path_condition(paths, unit_field) | Q(pk__in=granted))


def in_subtree(queryset: QuerySet, unit: Unit, *, unit_field="unit") -> QuerySet:
    """The rows of `queryset` in `unit` or any unit below it."""
    return queryset.filter(**{f"{unit_field}__path__startswith": unit.path})
