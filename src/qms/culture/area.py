"""Culture's place in the shell: its link in the navigation."""

from qms.culture import roles
from qms.people import access
from qms.web.areas import Area


def uses_culture(user) -> bool:
    # Staff only: partners have nothing here (no link to a 403).
    return access.unit_paths_with_role(user, roles.VIEWERS) != []


AREA = Area(
    slug="culture",
    name="Culture",
    summary="leadership, culture and relationships",
    order=60,
    url_name="culture:home",
    shown_to=uses_culture,
)
