from qms.people import access, selectors
from qms.web import areas


def navigation(request):
    """The unit switcher and the areas' links (the current one marked), for the base template."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    working = selectors.working_units(user)
    top_depth = min((unit.depth for unit in working.units), default=0)
    for unit in working.units:
        unit.indent = "\u2003" * (unit.depth - top_depth)
    match = getattr(request, "resolver_match", None)
    namespace = match.namespaces[0] if match and match.namespaces else None
    return {
        "switch_units": working.units,
        "current_unit": working.current,
        "navigation_areas": areas.in_navigation(user),
        "current_namespace": namespace,
        "is_system_administrator": access.is_system_administrator(user),
        "unread_notifications": user.notifications.filter(read_at__isnull=True).count(),
    }
