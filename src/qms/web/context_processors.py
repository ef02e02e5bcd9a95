from qms.people import access
from qms.people.roles import STAFF_ROLES


def current_unit_for(user, visible_units):
    """The unit the person last switched to, or their first unit when that is gone."""
    by_id = {unit.pk: unit for unit in visible_units}
    if user.current_unit_id in by_id:
        return by_id[user.current_unit_id]
    return visible_units[0] if visible_units else None


def navigation(request):
    """The unit switcher and the active area, for the base template."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    units = list(access.units_visible_to(user).order_by("path"))
    top_depth = min((unit.depth for unit in units), default=0)
    for unit in units:
        unit.indent = "\u2003" * (unit.depth - top_depth)
    first_segment = request.path.strip("/").split("/", 1)[0]
    active_area = {"units": "people", "people": "people", "control": "control"}.get(first_segment)
    return {
        "switch_units": units,
        "current_unit": current_unit_for(user, units),
        "active_area": active_area,
        "is_system_administrator": access.is_system_administrator(user),
        # Partners have nothing in Control (measures are for staff): no link to a 403.
        "uses_control": access.unit_paths_with_role(user, STAFF_ROLES) != [],
        "unread_notifications": user.notifications.filter(read_at__isnull=True).count(),
    }
