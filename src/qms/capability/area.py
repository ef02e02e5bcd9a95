"""Skills's place in the shell: its link in the navigation."""

from qms.capability import roles
from qms.people import access
from qms.web.areas import Area


def uses_capability(user) -> bool:
    # Staff only: partners have nothing here (no link to a 403).
    return access.unit_paths_with_role(user, roles.VIEWERS) != []


AREA = Area(
    slug="skills",
    name="Skills",
    summary="staff capability and protected time",
    order=75,
    url_name="capability:home",
    shown_to=uses_capability,
)
