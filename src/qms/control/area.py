"""Quality control's place in the shell: the Control link and its lists in "What needs you"."""

from qms.control import selectors
from qms.people import access
from qms.people.roles import STAFF_ROLES
from qms.web.areas import Area, HomeCard


def uses_control(user) -> bool:
    # Partners have nothing in Control (measures are for staff): no link to a 403.
    return access.unit_paths_with_role(user, STAFF_ROLES) != []


AREA = Area(
    slug="control",
    name="Control",
    summary="quality control",
    order=20,
    url_name="control:home",
    shown_to=uses_control,
    work_card=HomeCard("control/_home_work.html", selectors.home_work),
)
