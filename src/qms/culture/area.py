"""Culture's place in the shell: its link in the navigation, and the leader's view in home's
"What needs you"."""

from qms.culture import roles
from qms.culture.selectors.leadership import home_leader
from qms.people import access
from qms.web.areas import Area, HomeCard


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
    # What the teams a leader leads need from them; no card for anyone with nothing waiting.
    work_card=HomeCard("culture/_home_work_leader.html", home_leader),
)
