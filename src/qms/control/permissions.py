"""Who may do what in quality control. Built on qms.people.access: a role in a unit reaches
its sub-units; an invisible unit is a 404, a missing role a 403."""

from django.core.exceptions import PermissionDenied

from qms.people import access
from qms.people.roles import STAFF_ROLES, Role

# Seeing measures, charts, reports and signals: every member of staff in the unit.
VIEWERS = STAFF_ROLES
# Recording data: the people who do the work, and analysts who load it.
DATA_ENTRY = frozenset(
    {Role.TEAM_MEMBER, Role.TEAM_LEAD, Role.QUALITY_LEAD, Role.ANALYST, Role.SYSTEM_ADMINISTRATOR}
)
# Defining measures, starting phases, managing integration keys.
MEASURE_EDITORS = frozenset(
    {Role.TEAM_LEAD, Role.QUALITY_LEAD, Role.ANALYST, Role.SYSTEM_ADMINISTRATOR}
)
# Agreeing a local standard for a unit.
STANDARD_EDITORS = frozenset({Role.TEAM_LEAD, Role.QUALITY_LEAD, Role.SYSTEM_ADMINISTRATOR})
# Acknowledging and escalating signals, and answering escalations from below.
SIGNAL_HANDLERS = frozenset({Role.TEAM_LEAD, Role.QUALITY_LEAD, Role.SYSTEM_ADMINISTRATOR})
# Answering an escalation: the handlers, and the executives of the unit it reached (a board has
# executives and often no lead: what is escalated to it is theirs to answer).
ESCALATION_RESPONDERS = SIGNAL_HANDLERS | {Role.EXECUTIVE}


def can(user, unit, roles) -> bool:
    return bool(access.roles_in(user, unit) & roles)


def require(user, unit, roles) -> None:
    access.require_role(user, unit, roles)


def authorise(by, unit, roles, action: str) -> None:
    """For services: `by` must hold one of `roles` in `unit`, or PermissionDenied naming the
    action. `by=None` is the system itself (the SPC refresh, the demo loader, a command run by
    the operator, an integration key already checked for its unit) and is not checked."""
    if by is not None and not can(by, unit, roles):
        raise PermissionDenied(f"Your role does not allow you to {action} in {unit}.")


def authorise_units(by, unit_ids, roles, action: str) -> None:
    """authorise() for every unit of a batch (one query for the units, none per row)."""
    if by is None:
        return
    from qms.people.models import Unit

    for unit in Unit.objects.filter(pk__in=set(unit_ids)):
        authorise(by, unit, roles, action)


def visible_measure_or_404(user, measure_id):
    """The measure, if the user is staff in its unit or above. 404 when the user has no role
    in its unit (or it does not exist), 403 for a role that does not show measures (partners)."""
    from django.http import Http404

    from qms.control.models import Measure

    try:
        measure = Measure.objects.select_related("unit", "owner", "standard").get(pk=measure_id)
    except (Measure.DoesNotExist, ValueError, TypeError):
        raise Http404("No such measure") from None
    require(user, measure.unit, VIEWERS)
    return measure


def visible_export_or_404(user, export_id):
    """A report export, if the user may see its unit's report: 404 when the user cannot see
    the unit (or there is no such export), 403 for a role that does not show reports."""
    from django.http import Http404

    from qms.control.models import ReportExport

    try:
        export = ReportExport.objects.select_related("unit").get(pk=export_id)
    except (ReportExport.DoesNotExist, ValueError, TypeError):
        raise Http404("No such export") from None
    access.visible_unit_or_404(user, export.unit_id)
    require(user, export.unit, VIEWERS)
    return export
