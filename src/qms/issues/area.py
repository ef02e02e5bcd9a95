"""Issues' place in the shell: the Issues link, and the person's actions due on home."""

from qms.issues import selectors
from qms.issues.roles import VIEWERS
from qms.people import access
from qms.web.areas import Area, HomeCard


def sees_issues(user) -> bool:
    # Issues are for staff (partners see one only through a grant on it): no link to a 403.
    return access.unit_paths_with_role(user, VIEWERS) != []


AREA = Area(
    slug="issues",
    name="Issues",
    summary="issues and actions",
    order=30,
    url_name="issues:home",
    shown_to=sees_issues,
    work_card=HomeCard("issues/_home_actions.html", selectors.home_actions),
)
