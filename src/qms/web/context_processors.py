from qms.people import access
from qms.web import areas


def current_unit_for(user, visible_units):
    """The unit the person last switched to, or their first unit when that is gone."""
    by_id = {unit.pk: unit for unit in visible_units}
    if user.current_unit_id in by_id:
        return by_id[user.current_unit_id]
    return visible_units[0] if visible_units else None


def navigation(request):
    """The unit switcher and the areas' links (the current one marked), for the base template."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    units = list(access.units_visible_to(user).order_by("path"))
    top_depth = min((unit.depth for unit in units), default=0)
    for unit in units:
        unit.indent = "\u2003" * (unit.depth - top_depth)
    match = getattr(request, "resolver_match", None)
    namespace = match.namespaces[0] if match and match.namespaces else None
    return {
        "switch_units": units,
        "current_unit": current_unit_for(user, units),
        "navigation_areas": areas.in_navigation(user),
        "current_namespace": namespace,
        "is_system_administrator": access.is_system_administrator(user),
        "unread_notifications": user.notifications.filter(read_at__isnull=True).count(),
    }
